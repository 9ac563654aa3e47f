package dev.podnet.dataplane.internal.netns;

import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.dataplane.netns.NetnsException;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.internal.sys.LibC;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Named network namespaces, made and removed the way {@code ip netns add/del} does, so that
 * {@code ip netns list} and {@code ip netns exec} see them.
 */
public final class Namespaces {
    private final NetnsThread thread;
    private final Path runDir;

    public Namespaces(NetnsThread thread) {
        this(thread, NetNs.NETNS_RUN_DIR);
    }

    Namespaces(NetnsThread thread, Path runDir) {
        this.thread = thread;
        this.runDir = runDir;
    }

    /** Creates {@code /run/netns/<name>} holding a new, empty network namespace. Fails if it exists. */
    public Mono<NetNs> create(String name) {
        return Mono.defer(() -> {
                    NetNs.validateName(name);
                    Path target = runDir.resolve(name);
                    try {
                        prepareRunDir();
                        try {
                            Files.createFile(target);
                        } catch (FileAlreadyExistsException e) {
                            return Mono.error(new NetnsException("netns " + name + " already exists (" + target + ")"));
                        }
                    } catch (IOException e) {
                        return Mono.error(new NetnsException(
                                "netns " + name + ": cannot prepare " + runDir + ": " + e.getMessage(), e));
                    }
                    return thread.createPinned(target.toString())
                            .onErrorResume(e -> {
                                try {
                                    Files.deleteIfExists(target);
                                } catch (IOException suppressed) {
                                    e.addSuppressed(suppressed);
                                }
                                return Mono.error(new NetnsException("netns " + name + ": " + e.getMessage(), e));
                            })
                            .thenReturn(new NetNs(name, target));
                })
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** Removes the namespace's pin; the kernel frees it once nothing else holds it. Absent is fine. */
    public Mono<Void> delete(String name) {
        return Mono.<Void>fromCallable(() -> {
                    NetNs.validateName(name);
                    Path target = runDir.resolve(name);
                    try {
                        LibC.umount2(target.toString(), LibC.MNT_DETACH);
                    } catch (ErrnoException e) {
                        // EINVAL: not a mount point (a half-made namespace); ENOENT: already gone
                        if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
                            throw e;
                        }
                    }
                    try {
                        Files.delete(target);
                    } catch (NoSuchFileException ignored) {
                        // already gone: deleting is idempotent
                    }
                    return null;
                })
                .onErrorMap(IOException.class, e -> new NetnsException("netns " + name + ": " + e.getMessage(), e))
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** The names under {@code /run/netns}. */
    public List<String> list() throws IOException {
        if (!Files.isDirectory(runDir)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(runDir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(null);
        return names;
    }

    public boolean exists(String name) {
        return Files.exists(runDir.resolve(name));
    }

    /**
     * Makes {@code /run/netns} a shared mount point, as iproute2 does, so the pins propagate to mount
     * namespaces created later (container runtimes create theirs after us).
     */
    private void prepareRunDir() throws IOException {
        Files.createDirectories(runDir);
        try {
            LibC.mount("none", runDir.toString(), null, LibC.MS_SHARED | LibC.MS_REC);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
            // not a mount point yet: bind it onto itself, then share it
            LibC.mount(runDir.toString(), runDir.toString(), "none", LibC.MS_BIND | LibC.MS_REC);
            LibC.mount("none", runDir.toString(), null, LibC.MS_SHARED | LibC.MS_REC);
        }
    }
}
