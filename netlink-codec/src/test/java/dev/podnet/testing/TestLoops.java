package dev.podnet.testing;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;

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
}
