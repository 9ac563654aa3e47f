package dev.podnet.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The DELs the shim could not deliver: when the daemon is down, the shim writes the request it would
 * have sent (request line, {@code X-CNI-*} headers, blank line, the configuration as body) to {@code
 * <stateDir>/cni-spool/<name>.del} and reports success, as CNI wants DEL to succeed. On start the
 * daemon replays them in name order before it serves: each one that succeeds is deleted, one that
 * fails is kept (and logged) for the next start. The shim names them {@code <unix-nanos>-<pid>.del}
 * and writes them as {@code .tmp} first, so a {@code .del} is always complete.
 */
public final class DelSpool {
    /** The spool's directory under the state directory. */
    public static final String DIR = "cni-spool";

    private static final String SUFFIX = ".del";
    private static final Duration TMP_AGE = Duration.ofMinutes(1);
    private static final byte[] CRLF_CRLF = {'\r', '\n', '\r', '\n'};
    private static final byte[] LF_LF = {'\n', '\n'};

    private final Path dir;
    private final CniService cni;
    private final PrintStream log;

    public DelSpool(Path stateDir, CniService cni, PrintStream log) {
        this.dir = stateDir.resolve(DIR);
        this.cni = cni;
        this.log = log;
    }

    /** The spool's directory. */
    public Path dir() {
        return dir;
    }

    /** The spooled requests not yet replayed (0 when there is no spool). */
    public int depth() {
        try {
            return files().size();
        } catch (UncheckedIOException e) {
            return 0;
        }
    }

    /** Replays every spooled DEL, one after another; completes with the number that succeeded. */
    public Mono<Integer> replay() {
        return Flux.defer(() -> {
                    removeStaleTemps();
                    return Flux.fromIterable(files());
                })
                .concatMap(this::replayOne)
                .reduce(0, Integer::sum)
                .onErrorResume(UncheckedIOException.class, e -> {
                    // an unreadable spool must not keep the daemon from serving: say so, replay next start
                    log.println("podnet daemon: cannot read the DEL spool " + dir + ": " + e.getCause());
                    return Mono.just(0);
                });
    }

    /** 1 when {@code file}'s DEL succeeded (the file is then deleted), 0 when it failed (the file is kept). */
    private Mono<Integer> replayOne(Path file) {
        return Mono.fromCallable(() -> parse(Files.readAllBytes(file)))
                .flatMap(cni::replayDel)
                .then(Mono.fromCallable(() -> {
                    Files.deleteIfExists(file);
                    return 1;
                }))
                .onErrorResume(e -> {
                    log.println("podnet daemon: spooled DEL " + file + " failed, kept for the next start: "
                            + (e instanceof CniError c ? "code " + c.code() + ": " + c.msg() : e.toString()));
                    return Mono.just(0);
                });
    }

    /**
     * Removes the {@code .tmp} files a shim left when it died mid-write (its {@code .del} never
     * appeared, so that DEL was reported failed). Only those older than a minute: a younger one may be
     * a shim's write in progress, which it renames to {@code .del} in a moment.
     */
    private void removeStaleTemps() {
        Instant cutoff = Instant.now().minus(TMP_AGE);
        try (DirectoryStream<Path> all = Files.newDirectoryStream(dir, "*.tmp")) {
            for (Path p : all) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(p);
                    log.println("podnet daemon: removed " + p + ", a DEL the shim did not finish spooling");
                }
            }
        } catch (NoSuchFileException ignored) {
            // no spool directory: nothing to remove
        } catch (IOException e) {
            log.println("podnet daemon: cannot clean the DEL spool " + dir + ": " + e);
        }
    }

    /** The spool's files in name order (the shim names them so that this is the order they were written in). */
    private List<Path> files() {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            all.forEach(out::add);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    /**
     * A spooled request: {@code POST /v1/cni HTTP/1.1}, header lines, a blank line, the body (all of
     * the rest, or {@code Content-Length} bytes of it). Line ends may be CRLF or LF.
     *
     * @throws IllegalArgumentException saying what is malformed
     */
    static CniRequest parse(byte[] raw) {
        int[] split = headerEnd(raw);
        String head = new String(raw, 0, split[0], StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r?\n", -1);
        if (!lines[0].startsWith("POST ")) {
            throw new IllegalArgumentException("not a POST request: '" + lines[0] + "'");
        }
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("malformed header line '" + lines[i] + "'");
            }
            headers.put(
                    lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip());
        }
        if (headers.containsKey("transfer-encoding")) {
            throw new IllegalArgumentException("a chunked body is not expected in the spool");
        }
        byte[] body = Arrays.copyOfRange(raw, split[1], raw.length);
        String length = headers.get("content-length");
        if (length != null) {
            int n = contentLength(length);
            if (n > body.length) {
                throw new IllegalArgumentException(
                        "truncated: Content-Length " + n + " but " + body.length + " bytes of body");
            }
            body = Arrays.copyOf(body, n);
        }
        return CniRequest.of(name -> headers.get(name.toLowerCase(Locale.ROOT)), body);
    }

    /** Where the header ends and where the body starts (after CRLF CRLF, or LF LF). */
    private static int[] headerEnd(byte[] raw) {
        for (int i = 0; i < raw.length; i++) {
            if (at(raw, i, CRLF_CRLF)) {
                return new int[] {i, i + CRLF_CRLF.length};
            }
            if (at(raw, i, LF_LF)) {
                return new int[] {i, i + LF_LF.length};
            }
        }
        throw new IllegalArgumentException("no blank line after the headers");
    }

    private static boolean at(byte[] raw, int i, byte[] seq) {
        return Arrays.equals(raw, i, Math.min(raw.length, i + seq.length), seq, 0, seq.length);
    }

    private static int contentLength(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the value
        }
        throw new IllegalArgumentException("Content-Length '" + text + "' is not a length");
    }
}
