package dev.podnet.dataplane.internal.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A small string map kept in a text file ({@code key TAB value} per line) that every change
 * rewrites durably: a new file written and {@code fsync}ed, renamed over the old one, the directory
 * {@code fsync}ed. A reader sees the old contents or the new, never a mix, even after a power
 * loss. For rarely changed configuration (podnet's networks), where durability matters more than
 * the cost of a write. Keys and values must hold no tab or newline. With no file, a plain map.
 */
final class DurableMap extends AbstractMap<String, String> {
    private final Path file;
    private final boolean readOnly;
    private final ConcurrentSkipListMap<String, String> map = new ConcurrentSkipListMap<>();

    /** @param file the file (read if it exists), or null for a map in memory only */
    DurableMap(Path file) throws IOException {
        this(file, false);
    }

    /**
     * @param file     the file (read if it exists), or null for a map in memory only
     * @param readOnly the file is read and never written: changes would fail
     */
    DurableMap(Path file, boolean readOnly) throws IOException {
        this.file = file;
        this.readOnly = readOnly;
        if (file != null && Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    map.put(line.substring(0, tab), line.substring(tab + 1));
                }
            }
        }
    }

    @Override
    public String get(Object key) {
        return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return map.containsKey(key);
    }

    @Override
    public synchronized String put(String key, String value) {
        if (key.indexOf('\t') >= 0 || key.indexOf('\n') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a durable map entry holds no tab in its key and no newline: " + key);
        }
        String old = map.put(key, value);
        if (!value.equals(old)) {
            try {
                write();
            } catch (RuntimeException e) {
                if (old == null) {
                    map.remove(key);
                } else {
                    map.put(key, old);
                }
                throw e;
            }
        }
        return old;
    }

    @Override
    public synchronized String remove(Object key) {
        String old = map.remove(key);
        if (old != null) {
            try {
                write();
            } catch (RuntimeException e) {
                map.put((String) key, old);
                throw e;
            }
        }
        return old;
    }

    @Override
    public synchronized void clear() {
        if (!map.isEmpty()) {
            map.clear();
            write();
        }
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return Collections.unmodifiableMap(map).entrySet();
    }

    private void write() {
        if (file == null) {
            return;
        }
        if (readOnly) {
            throw new IllegalStateException(file + " was opened read-only");
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> e : map.entrySet()) {
            text.append(e.getKey()).append('\t').append(e.getValue()).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
        }
    }
}
