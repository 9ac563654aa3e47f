package dev.podnet.netlink.channel;

import static dev.podnet.testing.LinkRequests.getLinks;
import static dev.podnet.testing.LinkRequests.getLoopback;
import static dev.podnet.testing.LinkRequests.newBridge;
import static dev.podnet.testing.LinkRequests.writeBridge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RequestWriter;
import dev.podnet.testing.KernelClients;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;

/**
 * Closing a client fails what is in flight with {@link NetlinkClosedException} (as
 * {@link NetlinkClient#close()} documents) at once, not at the request time-out, and fails in the
 * same way whatever is submitted afterwards. Every wait is bounded.
 */
@KernelTest
class ClientCloseTest {
    /** Far longer than {@link #PROMPTLY_SECONDS}: a request failed by its time-out, not by the close, would show. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private static final long PROMPTLY_SECONDS = 5;
    private static final Duration T = Duration.ofSeconds(10);
    /** Links enough that a dump of them takes many datagrams. */
    private static final int LINKS = 300;

    /** Requests time out only after {@link #REQUEST_TIMEOUT}. */
    private static final NetlinkClientOptions OPTIONS = NetlinkClientOptions.DEFAULTS.requestTimeout(REQUEST_TIMEOUT);

    /** The failure of {@code f}, which must come well before any request time-out. */
    private static Throwable failureOf(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> f.get(PROMPTLY_SECONDS, TimeUnit.SECONDS),
                "must fail within " + PROMPTLY_SECONDS + " s (the request time-out is " + REQUEST_TIMEOUT + ")");
        return e.getCause();
    }

    private static void assertFailsClosed(CompletableFuture<?> f, String what) {
        Throwable t = failureOf(f);
        assertInstanceOf(NetlinkClosedException.class, t, what + " failed with " + t);
    }

    private static void assertFailsClosed(Mono<?> m, String what) {
        assertFailsClosed(m.toFuture(), what);
    }

    @Test
    void aRequestAwaitingItsReplyFailsWithClosedAtOnceWhenTheClientCloses(KernelClients clients) throws Exception {
        NetlinkClient client = clients.open(OPTIONS);
        try (LoopHold hold = new LoopHold()) {
            long sent = client.channel().datagramsWritten();
            CompletableFuture<NetlinkMessage> reply = hold.startThenHold(
                    client, () -> client.request(getLoopback()).toFuture());
            assertEquals(
                    sent + 1,
                    client.channel().datagramsWritten(),
                    "the request left before the close: its reply waits, unread, in the socket");
            CompletableFuture<Void> closed = client.close().toFuture(); // queued behind the hold
            hold.release();

            assertFailsClosed(reply, "a GET awaiting its reply");
            closed.get(PROMPTLY_SECONDS, TimeUnit.SECONDS);
            assertFalse(client.isOpen());
            assertEquals(0, client.inFlight().block(T), "no request left pending after the close");
        }
    }

    @Test
    void aDumpWhoseRestTheKernelStillHoldsFailsWithClosedWhenTheClientCloses(Sandbox sandbox, KernelClients clients)
            throws Exception {
        sandbox.addBridges("cl", LINKS);
        NetlinkClient client = clients.open(OPTIONS);
        try (LoopHold hold = new LoopHold()) {
            // the first part of the dump is in the socket, the rest is written only as we read
            CompletableFuture<List<NetlinkMessage>> dump = hold.startThenHold(
                    client, () -> client.dump(getLinks()).collectList().toFuture());
            CompletableFuture<Void> closed = client.close().toFuture();
            hold.release();

            // not retried (only an interrupted dump is), not a time-out
            assertFailsClosed(dump, "a link dump of " + (LINKS + 1) + " links");
            closed.get(PROMPTLY_SECONDS, TimeUnit.SECONDS);
            assertEquals(0, client.inFlight().block(T));
        }
    }

    @Test
    void aStreamedDumpHeldBackByItsSubscriberFailsWithClosedWhenTheClientCloses(Sandbox sandbox, KernelClients clients)
            throws Exception {
        sandbox.addBridges("cl", LINKS);
        NetlinkClient client = clients.open(OPTIONS);
        AtomicInteger received = new AtomicInteger();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        BaseSubscriber<NetlinkMessage> slow = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(1);
            }

            @Override
            protected void hookOnNext(NetlinkMessage m) {
                received.incrementAndGet();
            }

            @Override
            protected void hookOnError(Throwable t) {
                ended.complete(t);
            }

            @Override
            protected void hookOnComplete() {
                ended.complete(null);
            }
        };
        client.dumpStream(getLinks()).subscribe(slow);
        long deadline = System.nanoTime() + T.toNanos();
        while (received.get() < 1 || client.channel().config().isAutoRead()) {
            assertTrue(System.nanoTime() < deadline, "the streamed dump never paused: received " + received.get());
            Thread.sleep(10);
        }

        // the dump stalls on purpose (no demand, the channel stopped reading): only the close can end it
        client.close().block(T);
        slow.requestUnbounded(); // what was read before the close drains, then the error
        Throwable t = ended.get(PROMPTLY_SECONDS, TimeUnit.SECONDS);
        assertNotNull(t, "the dump completed although the close cut it short, after " + received.get() + " links");
        assertInstanceOf(NetlinkClosedException.class, t);
        assertTrue(received.get() < LINKS + 1, "the dump was cut short: " + received.get() + " links");
    }

    @Test
    void everyKindOfRequestSubmittedAfterTheCloseFailsWithClosed(Sandbox sandbox, KernelClients clients)
            throws Exception {
        NetlinkClient client = clients.open(OPTIONS);
        client.close().block(T);
        assertFalse(client.isOpen());

        assertFailsClosed(client.execute(newBridge("late0")), "execute");
        assertFailsClosed(client.request(getLoopback()), "request");
        assertFailsClosed(client.executeBatch(List.of(newBridge("late1"), newBridge("late2"))), "executeBatch");
        assertFailsClosed(client.dump(getLinks()).collectList(), "dump");
        assertFailsClosed(client.dumpStream(getLinks()).collectList(), "dumpStream");

        ByteBuf encoded = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        RequestWriter w = new RequestWriter().reset(encoded);
        writeBridge(w, "late3");
        assertFailsClosed(client.requestEncoded(encoded, w.count(), i -> newBridge("late3")), "requestEncoded");
        assertEquals(0, encoded.refCnt(), "the client released the buffer it was given, although it sent nothing");

        assertEquals(0, client.inFlight().block(T));
        assertEquals("", sandbox.ip("-o", "link", "show", "type", "bridge").trim(), "nothing reached the kernel");
    }

    /**
     * Closed between a request's write and its flush (close called on the loop, right after the
     * request was submitted): the request is in flight for its caller all the same, and must fail as
     * the Javadoc of {@link NetlinkClient#close()} says, with {@link NetlinkClosedException}, not with
     * the {@link java.nio.channels.ClosedChannelException} Netty fails the unflushed write with.
     */
    @Test
    void aRequestClosedBeforeItsFlushFailsWithClosedNotWithNettysException(KernelClients clients) throws Exception {
        NetlinkClient client = clients.open(OPTIONS);
        EventLoop loop = client.eventLoop();
        CompletableFuture<NetlinkMessage> reply = loop.submit(() -> {
                    CompletableFuture<NetlinkMessage> r =
                            client.request(getLoopback()).toFuture();
                    // runs after the request's write task and before the flush that task queued
                    loop.execute(() -> client.close().subscribe());
                    return r;
                })
                .get(10, TimeUnit.SECONDS);

        assertFailsClosed(reply, "a GET written but not yet flushed when the client closed");
        assertEquals(0, client.inFlight().block(T));
    }
}
