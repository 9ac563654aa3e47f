package dev.podnet.dataplane.internal.netns;

import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.dataplane.netns.NetnsException;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.internal.sys.LibC;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import reactor.core.publisher.Mono;

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
    private final java.util.Set<EventExecutor> stranded = java.util.concurrent.ConcurrentHashMap.newKeySet();
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
        return submit(() -> insideHere(netns, action, this::retire));
    }

    /**
     * Runs {@code action} on {@code loop}'s thread while that thread is inside {@code netns}, then
     * brings it home; at once when called on that thread, else as a task of the loop. For work that
     * should share a thread with other netlink I/O: the dataplane configures pods on the event loop
     * of its host channel, so that one thread makes all the rtnetlink calls of an add (two threads
     * would take turns at the kernel's RTNL lock, the waiting one spinning on it, which measured at
     * half of its time). Such a loop must create no socket outside this work (a socket keeps the
     * namespace its thread was in). A loop that cannot get home is marked stranded, and every later
     * call for it fails.
     */
    public <T> Mono<T> insideOn(EventExecutor loop, NetNs netns, Callable<T> action) {
        return Mono.create(sink -> {
            Runnable work = () -> {
                if (stranded.contains(loop)) {
                    sink.error(new NetnsException(
                            "the event loop " + loop + " could not return to the home network namespace "
                                    + "earlier: it no longer enters namespaces",
                            null));
                    return;
                }
                try {
                    sink.success(insideHere(netns, action, () -> stranded.add(loop)));
                } catch (Throwable t) {
                    sink.error(t);
                }
            };
            if (loop.inEventLoop()) {
                work.run();
            } else {
                try {
                    loop.execute(work);
                } catch (RejectedExecutionException e) {
                    sink.error(new NetnsException("the event loop is shut down", e));
                }
            }
        });
    }

    /** Enters {@code netns} on the calling thread, runs {@code action}, returns home. */
    private <T> T insideHere(NetNs netns, Callable<T> action, Runnable onStranded) throws Exception {
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
            goHome(onStranded);
        }
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
                goHome(this::retire);
            }
            return null;
        });
    }

    /** Opens a namespace file; a missing one is reported by path. */
    public static int openNamespace(NetNs netns) throws ErrnoException {
        return LibC.open(netns.path().toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
    }

    /** Brings the calling thread back home; if it cannot, {@code onStranded} takes it out of service. */
    private void goHome(Runnable onStranded) {
        try {
            LibC.setns(homeFd, LibC.CLONE_NEWNET);
        } catch (ErrnoException e) {
            onStranded.run();
            throw new IllegalStateException("could not return to the home network namespace: " + e.getMessage(), e);
        }
    }

    /** This thread is stranded in a foreign namespace: a fresh one takes over, this one runs no more work. */
    private void retire() {
        ExecutorService old = executor;
        executor = newExecutor();
        old.shutdown();
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
