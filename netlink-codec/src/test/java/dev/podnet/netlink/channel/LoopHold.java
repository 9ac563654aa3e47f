package dev.podnet.netlink.channel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a client's event loop still, from inside a task queued right after a request's flush: the
 * request has left (the kernel has answered it, or written a dump's first part) and nothing of the
 * reply has been read. What the test does meanwhile (close the client, change the kernel's tables)
 * lands between the request and its reply, every time.
 */
final class LoopHold implements AutoCloseable {
    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /**
     * On {@code client}'s loop, calls {@code start}, which subscribes one request: the client queues
     * a task that writes it, and that task queues the flush. The hold is queued behind both, and this
     * returns once the loop is held, with what {@code start} returned.
     */
    <T> T startThenHold(NetlinkClient client, Callable<T> start) throws Exception {
        EventLoop loop = client.eventLoop();
        T started = loop.submit(() -> {
                    T s = start.call();
                    // runs after the request's write task, so the hold it queues runs after that task's flush
                    loop.execute(() -> loop.execute(this::hold));
                    return s;
                })
                .get(10, TimeUnit.SECONDS);
        assertTrue(holding.await(10, TimeUnit.SECONDS), "the event loop never reached the hold");
        return started;
    }

    /** Lets the loop go on; harmless when it was released already. */
    void release() {
        released.countDown();
    }

    /** Releases the loop, so a test that failed while holding it leaves it free. */
    @Override
    public void close() {
        release();
    }

    private void hold() {
        holding.countDown();
        try {
            // bounded: a test that failed before releasing must not stall the loop of later tests
            released.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
