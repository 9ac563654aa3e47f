package dev.podnet.dataplane.netns;

import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.netlink.sys.ErrnoException;
import dev.podnet.netlink.sys.LibC;
import reactor.core.publisher.Mono;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * A dedicated thread that enters other network namespaces and comes back, so no other thread
 * ever leaves the process's own namespace. It opens sockets inside namespaces (a socket keeps
 * the namespace it was created in) and creates new namespaces (unshare + bind mount).
 *
 * <p>If it ever fails to return home, the thread is retired and a fresh one takes over: work
 * must never run in a namespace it did not ask for.
 */
public final class NetnsThread implements AutoCloseable {
    private final int homeFd;
    private volatile ExecutorService executor;

    private NetnsThread(int homeFd) {
        this.homeFd = homeFd;
        this.executor = newExecutor();
    }

    /** Starts the thread; "home" is the network namespace of the calling thread. */
    public static NetnsThread start() throws ErrnoException {
        return new NetnsThread(LibC.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC, 0));
    }

    private static ExecutorService newExecutor() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "podnet-netns");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code action} on the thread while it is inside {@code netns}. */
    public <T> Mono<T> inside(NetNs netns, Callable<T> action) {
        return submit(() -> {
            int fd;
            try {
                fd = openNamespace(netns);
            } catch (ErrnoException e) {
                throw new NetnsException("netns " + netns + ": " + e.getMessage(), e);
            }
            try {
                LibC.setns(fd, LibC.CLONE_NEWNET);
            } finally {
                LibC.close(fd);
            }
            try {
                return action.call();
            } finally {
                goHome();
            }
        });
    }

    /** Opens an rtnetlink socket that lives in {@code netns}. */
    public Mono<NetlinkSocket> openRouteSocket(NetNs netns) {
        return inside(netns, NetlinkSocket::openRoute);
    }

    /**
     * Creates a new, empty network namespace and pins it at {@code target} (an existing empty file)
     * with a bind mount, as {@code ip netns add} does.
     */
    Mono<Void> createPinned(String target) {
        return submit(() -> {
            LibC.unshare(LibC.CLONE_NEWNET);
            try {
                LibC.mount("/proc/thread-self/ns/net", target, "none", LibC.MS_BIND);
            } finally {
                goHome();
            }
            return null;
        });
    }

    /** Opens a namespace file; a missing one is reported by path. */
    public static int openNamespace(NetNs netns) throws ErrnoException {
        return LibC.open(netns.path().toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
    }

    private void goHome() {
        try {
            LibC.setns(homeFd, LibC.CLONE_NEWNET);
        } catch (ErrnoException e) {
            // This thread is stranded in a foreign namespace: retire it, never run work on it again.
            ExecutorService stranded = executor;
            executor = newExecutor();
            stranded.shutdown();
            throw new IllegalStateException("could not return to the home network namespace: " + e.getMessage(), e);
        }
    }

    private <T> Mono<T> submit(Callable<T> task) {
        return Mono.create(sink -> {
            try {
                executor.execute(() -> {
                    try {
                        sink.success(task.call());
                    } catch (Throwable t) {
                        sink.error(t);
                    }
                });
            } catch (RejectedExecutionException e) {
                sink.error(new NetnsException("the namespace thread is shut down", e));
            }
        });
    }

    @Override
    public void close() throws ErrnoException {
        executor.shutdown();
        LibC.close(homeFd);
    }
}
