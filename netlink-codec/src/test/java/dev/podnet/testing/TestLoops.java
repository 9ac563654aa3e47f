package dev.podnet.testing;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** One epoll event loop group shared by the tests of a JVM (daemon threads, never shut down). */
public final class TestLoops {
    public static final MultiThreadIoEventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(
            1,
            r -> {
                Thread t = new Thread(r, "test-epoll");
                t.setDaemon(true);
                return t;
            },
            EpollIoHandler.newFactory());

    private TestLoops() {}

    /**
     * Holds {@code loop} still until the returned latch is counted down: what the kernel sends meanwhile
     * waits, unread, in the sockets. Bounded (30 s), so a test that fails before counting down cannot
     * stall the loop of the tests after it.
     */
    public static CountDownLatch hold(EventExecutor loop) {
        CountDownLatch hold = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                hold.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return hold;
    }
}
