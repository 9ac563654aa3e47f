package dev.podnet.dataplane.internal.netns;

import dev.podnet.dataplane.netns.NetNs;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/**
 * The one thread ({@code podnet-rtnl}) that makes every rtnetlink call of an endpoint add: the epoll
 * event loop of the host namespace's netlink channel, which also configures each pod by entering its
 * namespace ({@code setns} in and back) and sending one datagram on a synchronous socket made there.
 *
 * <p>This breaks Netty's rule on purpose, so it has a type and a name of its own: a pod's work
 * blocks the loop for a few hundred microseconds (its socket, one datagram, the kernel's answers),
 * which is what the kernel would make it wait for anyway, as it serialises every rtnetlink change on
 * its RTNL lock. Measured on this project's 2-core VM (perf, 2026-11-23): with the pods configured on
 * a thread of their own, that thread spent 53% of its time spinning on the RTNL lock held by the
 * loop; with both on this one thread, sequential adds went from 1.24 to 1.05 ms and 1000-pod bursts
 * rose to 1.2-1.7 times the C floor (docs/BENCHMARKS.md). Nothing else should run blocking work
 * here, and no socket may be created on it outside {@link #inside} (a socket keeps the namespace of
 * the thread that made it).
 */
public final class RtnlExecutor implements AutoCloseable {
    private final MultiThreadIoEventLoopGroup group;
    private final NetnsThread netns;

    private RtnlExecutor(MultiThreadIoEventLoopGroup group, NetnsThread netns) {
        this.group = group;
        this.netns = netns;
    }

    /** Starts the thread; {@code netns} is the namespace machinery that brings it home after each pod. */
    public static RtnlExecutor start(NetnsThread netns) {
        return new RtnlExecutor(
                new MultiThreadIoEventLoopGroup(
                        1, new DefaultThreadFactory("podnet-rtnl", true), EpollIoHandler.newFactory()),
                netns);
    }

    /** Where the host namespace's netlink channel is registered (one loop: this thread). */
    public IoEventLoopGroup group() {
        return group;
    }

    /** The loop itself. */
    public IoEventLoop loop() {
        return group.next();
    }

    /**
     * Runs {@code work} on this thread while it is inside {@code ns}, then brings it home (at once when
     * called on the thread, else queued behind the channel's own work).
     */
    public <T> Mono<T> inside(NetNs ns, Callable<T> work) {
        return netns.insideOn(loop(), ns, work);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
