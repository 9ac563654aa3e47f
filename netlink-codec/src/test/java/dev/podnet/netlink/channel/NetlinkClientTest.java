package dev.podnet.netlink.channel;

import static dev.podnet.testing.LinkRequests.deleteLink;
import static dev.podnet.testing.LinkRequests.getLinks;
import static dev.podnet.testing.LinkRequests.getLoopback;
import static dev.podnet.testing.LinkRequests.newBridge;
import static dev.podnet.testing.LinkRequests.newLink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.ErrorMessage;
import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RawMessage;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.internal.sys.LibC;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.RouteMessages;
import dev.podnet.netlink.route.Rtm;
import dev.podnet.testing.KernelClients;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import dev.podnet.testing.TestLoops;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@KernelTest
class NetlinkClientTest {
    static final Duration T = Duration.ofSeconds(10);

    @Test
    void dumpOfAFreshNamespaceShowsOnlyLoopback(KernelClients clients) throws Exception {
        NetlinkClient client = clients.open();
        List<NetlinkMessage> links = client.dump(getLinks()).collectList().block(T);
        assertEquals(1, links.size(), links.toString());
        LinkMessage lo = assertInstanceOf(LinkMessage.class, links.get(0));
        assertEquals("lo", lo.name());
        assertEquals(1, lo.index());
    }

    @Test
    void createdBridgeIsWhatIproute2Sees(Sandbox sandbox, KernelClients clients) throws Exception {
        NetlinkClient client = clients.open();
        client.execute(newBridge("pnbr7")).block(T);
        String shown = sandbox.ip("-o", "-d", "link", "show", "pnbr7");
        assertTrue(shown.contains("pnbr7") && shown.contains("bridge"), shown);
        Set<String> names = client.dump(getLinks())
                .cast(LinkMessage.class)
                .map(LinkMessage::name)
                .collect(Collectors.toSet())
                .block(T);
        assertEquals(Set.of("lo", "pnbr7"), names);
    }

    @Test
    void kernelErrorsCarryErrnoNameAndExtendedAck(KernelClients clients) throws Exception {
        NetlinkClient client = clients.open();
        client.execute(newBridge("pnbr1")).block(T);
        NetlinkException dup = assertThrows(
                NetlinkException.class, () -> client.execute(newBridge("pnbr1")).block(T));
        assertEquals("EEXIST", dup.errnoName());
        assertTrue(dup.getMessage().contains("RTM_NEWLINK pnbr1 (bridge)"), dup.getMessage());

        LinkMessage unknownKind = newLink("x0", "no-such-kind");
        NetlinkException unknown = assertThrows(
                NetlinkException.class, () -> client.execute(unknownKind).block(T));
        assertEquals("EOPNOTSUPP", unknown.errnoName());
        assertNotNull(unknown.extAckMessage(), "the kernel explains an unknown link kind");
        assertTrue(unknown.getMessage().contains(unknown.extAckMessage()), unknown.getMessage());
    }

    @Test
    void aBatchLeavesAsOneDatagramAndReportsTheFailingMember(Sandbox sandbox, KernelClients clients) throws Exception {
        NetlinkClient client = clients.open();
        List<NetlinkMessage> batch = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            batch.add(newBridge("b" + i));
        }
        long before = client.channel().datagramsWritten();
        client.executeBatch(batch).block(T);
        assertEquals(before + 1, client.channel().datagramsWritten(), "40 requests, one datagram");
        assertEquals(41, client.dump(getLinks()).count().block(T));

        // the kernel carries on after a failed member; the error names that member
        List<NetlinkMessage> mixed = List.of(newBridge("c0"), newBridge("b7"), newBridge("c1"));
        NetlinkException e = assertThrows(
                NetlinkException.class, () -> client.executeBatch(mixed).block(T));
        assertEquals("EEXIST", e.errnoName());
        assertTrue(e.getMessage().startsWith("RTM_NEWLINK b7"), e.getMessage());
        String shown = sandbox.ip("-o", "link", "show");
        assertTrue(shown.contains("c0") && shown.contains("c1"), shown);
    }

    @Test
    void concurrentRequestsShareDatagrams(KernelClients clients) throws Exception {
        NetlinkClient client = clients.open();
        long before = client.channel().datagramsWritten();
        // submitted from inside one event-loop task: the flush runs after all of them
        List<reactor.core.publisher.Mono<Void>> ops = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ops.add(client.execute(newBridge("k" + i)));
        }
        List<java.util.concurrent.CompletableFuture<Void>> done = client.channel()
                .eventLoop()
                .submit(() ->
                        ops.stream().map(reactor.core.publisher.Mono::toFuture).toList())
                .get();
        java.util.concurrent.CompletableFuture.allOf(done.toArray(java.util.concurrent.CompletableFuture[]::new))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(before + 1, client.channel().datagramsWritten());
        assertEquals(31, client.dump(getLinks()).count().block(T));
    }

    @Test
    void repliesFromAnyoneButTheKernelAreDropped(Sandbox sandbox, KernelClients clients) throws Exception {
        NetlinkClient client = clients.open();
        NetlinkSocket spoofer = sandbox.inside(NetlinkSocket::openRoute);
        try {
            client.execute(newBridge("pnbr2")).block(T);
            // Hold the event loop so that the forged acks queue up before the real reply.
            CountDownLatch hold = TestLoops.hold(client.eventLoop());
            ByteBuf forged = Unpooled.buffer();
            for (int seq = 1; seq < 200; seq++) {
                // an ack of success for every sequence number the client might use
                byte[] body = new byte[20];
                body[4] = 16;
                NetlinkCodec.encode(new RawMessage(Netlink.NLMSG_ERROR, 0x100, seq, 0, body), seq, 0, forged);
            }
            byte[] bytes = new byte[forged.readableBytes()];
            forged.readBytes(bytes);
            forged.release();
            LibC.sendToNetlinkPort(spoofer.fd(), bytes, client.portId());
            var failing = client.execute(newBridge("pnbr2")).toFuture();
            hold.countDown();
            Throwable t = assertThrows(Exception.class, () -> failing.get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .getCause();
            assertInstanceOf(NetlinkException.class, t, "the forged ack must not complete the request");
            assertEquals("EEXIST", ((NetlinkException) t).errnoName());
        } finally {
            LibC.close(spoofer.fd());
        }
    }

    /**
     * The forged ack carries all the correlator matches on (our port id in {@code nlmsg_pid}, the
     * sequence number of the request in flight) and comes from a user-space socket: only the
     * channel's check of the datagram's sender ({@code nl_pid} 0, the kernel) can drop it. The request
     * is one the kernel refuses, so a forged success would show.
     */
    @Test
    void anAckForgedByAnotherSocketWithOurPortAndSequenceIsDropped(Sandbox sandbox, KernelClients clients)
            throws Exception {
        NetlinkClient client = clients.open();
        int spoofer = sandbox.inside(() -> {
            int fd = LibC.socket(
                    LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, Netlink.NETLINK_ROUTE);
            try {
                LibC.bindNetlink(fd, 0, 0); // a port of its own, picked by the kernel
            } catch (ErrnoException e) {
                LibC.close(fd);
                throw e;
            }
            return fd;
        });
        try {
            int spooferPort = LibC.netlinkPortId(spoofer);
            assertTrue(spooferPort != 0 && spooferPort != client.portId(), "a user-space sender: port " + spooferPort);
            int sequence = sequenceOfAGet(client) + 1; // the next request's
            LinkMessage deleteMissing = deleteLink("pnnone0");
            byte[] forged = forgedAck(deleteMissing, sequence, client.portId());
            // let through, the forged datagram would be a success for exactly that request
            List<NetlinkMessage> asForged = new ArrayList<>();
            NetlinkCodec.decode(Unpooled.wrappedBuffer(forged), RouteMessages.INSTANCE, asForged);
            ErrorMessage ack = assertInstanceOf(ErrorMessage.class, asForged.get(0));
            assertTrue(ack.isAck() && ack.sequence() == sequence && ack.portId() == client.portId(), ack.toString());

            // All from one task on the loop, so the order is fixed: the request is pending before the
            // forged ack reaches our socket, and is flushed (so answered) only after it. Each
            // loop.execute queues behind the task before it; the request's flush queues behind the forgery.
            EventLoop loop = client.eventLoop();
            CompletableFuture<Void> forgedDelivered = new CompletableFuture<>();
            CompletableFuture<Void> failing = loop.submit(() -> {
                        CompletableFuture<Void> request =
                                client.execute(deleteMissing).toFuture();
                        loop.execute(() -> {
                            try {
                                LibC.sendToNetlinkPort(spoofer, forged, client.portId());
                                forgedDelivered.complete(null);
                            } catch (Exception notDelivered) {
                                forgedDelivered.completeExceptionally(notDelivered);
                            }
                        });
                        return request;
                    })
                    .get(10, TimeUnit.SECONDS);
            forgedDelivered.get(10, TimeUnit.SECONDS); // sendto found the socket bound to our port id

            ExecutionException refused = assertThrows(
                    ExecutionException.class,
                    () -> failing.get(10, TimeUnit.SECONDS),
                    "the forged ack must not complete the request");
            NetlinkException kernel = assertInstanceOf(NetlinkException.class, refused.getCause());
            assertEquals("ENODEV", kernel.errnoName(), kernel.getMessage());
            assertEquals(
                    sequence + 1,
                    sequenceOfAGet(client),
                    "the forged ack carried the sequence number of the request it tried to complete");
        } finally {
            LibC.close(spoofer);
        }
    }

    private static int sequenceOfAGet(NetlinkClient client) {
        NetlinkMessage reply = client.request(getLoopback()).block(T);
        assertNotNull(reply, "the kernel answers a GET with the object");
        return reply.sequence();
    }

    /**
     * An {@code NLMSG_ERROR} ack of success as the kernel writes one (error 0, then the header of the
     * request, the echo capped to it) for {@code request} sent as {@code sequence} from {@code portId},
     * addressed to that port.
     */
    private static byte[] forgedAck(NetlinkMessage request, int sequence, int portId) {
        ByteBuf echo = Unpooled.buffer(4 + Netlink.NLMSG_HDRLEN);
        ByteBuf out = Unpooled.buffer();
        try {
            echo.writeIntLE(0)
                    .writeIntLE(Netlink.NLMSG_HDRLEN + request.bodyLength())
                    .writeShortLE(request.type())
                    .writeShortLE(request.flags() | Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                    .writeIntLE(sequence)
                    .writeIntLE(portId);
            byte[] body = new byte[echo.readableBytes()];
            echo.readBytes(body);
            NetlinkCodec.encode(
                    new RawMessage(Netlink.NLMSG_ERROR, Netlink.NLM_F_CAPPED, sequence, portId, body),
                    sequence,
                    portId,
                    out);
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            echo.release();
            out.release();
        }
    }

    @Test
    void requestsBeyondTheInFlightBoundFailFast(KernelClients clients) throws Exception {
        NetlinkClient client = clients.open(NetlinkClientOptions.DEFAULTS.maxInFlight(2));
        var hold = TestLoops.hold(client.eventLoop());
        var a = client.executeBatch(List.of(newBridge("q0"), newBridge("q1"))).toFuture();
        var b = client.execute(newBridge("q2")).toFuture();
        hold.countDown();
        a.get(10, java.util.concurrent.TimeUnit.SECONDS);
        Throwable e = assertThrows(
                        java.util.concurrent.ExecutionException.class,
                        () -> b.get(10, java.util.concurrent.TimeUnit.SECONDS))
                .getCause();
        assertInstanceOf(NetlinkBusyException.class, e);
        assertTrue(
                e.getMessage().contains("2 requests already in flight")
                        && e.getMessage().contains("bound 2"),
                e.getMessage());
        assertEquals(0, client.inFlight().block(T));
        client.execute(newBridge("q2")).block(T); // room again
    }

    @Test
    void aRequestTheKernelDoesNotAnswerInTimeFailsWithATimeout(KernelClients clients) throws Exception {
        NetlinkClient client = clients.open(NetlinkClientOptions.DEFAULTS.requestTimeout(Duration.ofMillis(200)));
        var hold = TestLoops.hold(client.eventLoop());
        NetlinkTimeoutException e = assertThrows(
                NetlinkTimeoutException.class,
                () -> client.execute(newBridge("slow0")).block(T));
        assertTrue(e.getMessage().contains("RTM_NEWLINK slow0 (bridge): no reply within PT0.2S"), e.getMessage());
        hold.countDown();
    }

    @Test
    void aStreamedDumpPushesBackToTheKernelWhenTheSubscriberIsSlow(Sandbox sandbox, KernelClients clients)
            throws Exception {
        sandbox.ip("link", "add", "big0", "type", "bridge");
        sandbox.ipBatch(IntStream.range(0, 3000)
                .mapToObj(i -> "addr add 198.18." + i / 250 + "." + (i % 250 + 1) + "/32 dev big0")
                .toList());
        NetlinkClient client = clients.open();
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch complete = new java.util.concurrent.CountDownLatch(1);
        reactor.core.publisher.BaseSubscriber<NetlinkMessage> slow = new reactor.core.publisher.BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                s.request(5);
            }

            @Override
            protected void hookOnNext(NetlinkMessage m) {
                received.incrementAndGet();
            }

            @Override
            protected void hookOnComplete() {
                complete.countDown();
            }
        };
        client.dumpStream(dev.podnet.netlink.route.AddressMessage.request(
                        Rtm.RTM_GETADDR, 0, 2, 0, 0, 0, 0, AttributeList.EMPTY))
                .subscribe(slow);
        Thread.sleep(300);
        assertEquals(5, received.get(), "only what was asked for");
        assertTrue(!client.channel().config().isAutoRead(), "the channel stopped reading: the kernel holds the rest");
        slow.request(Long.MAX_VALUE);
        assertTrue(complete.await(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(3000, received.get());
        assertTrue(client.channel().config().isAutoRead());
        client.execute(newBridge("after1")).block(T); // the channel reads again
    }

    @Test
    void aDatagramLargerThanTheReadBufferIsReportedNeverCut(Sandbox sandbox, KernelClients clients) throws Exception {
        sandbox.addBridges("tr", 40);
        // the kernel packs a link dump into datagrams of several KiB; read 1 KiB at a time
        NetlinkClient client = clients.open(NetlinkClientOptions.DEFAULTS.readBuffer(1024));
        dev.podnet.netlink.NetlinkDecodeException e = assertThrows(
                dev.podnet.netlink.NetlinkDecodeException.class,
                () -> client.dump(getLinks()).collectList().block(T));
        assertTrue(e.getMessage().contains("truncated to 1024 (MSG_TRUNC)"), e.getMessage());
    }

    @Test
    void anInterruptedDumpIsItsOwnError() {
        java.util.List<Throwable> errors = new ArrayList<>();
        reactor.core.publisher.Flux<NetlinkMessage> f = reactor.core.publisher.Flux.create(sink -> {
            RequestCorrelator.Dump dump = new RequestCorrelator.Dump(sink, "RTM_GETLINK dump");
            LinkMessage part = new LinkMessage(
                    Rtm.RTM_NEWLINK,
                    Netlink.NLM_F_MULTI | Netlink.NLM_F_DUMP_INTR,
                    9,
                    1,
                    0,
                    1,
                    1,
                    0,
                    0,
                    AttributeList.EMPTY);
            dump.onMessage(part);
            dump.onMessage(
                    new dev.podnet.netlink.DoneMessage(Netlink.NLM_F_MULTI, 9, 1, 0, AttributeList.EMPTY, new byte[4]));
        });
        List<NetlinkMessage> got = f.onErrorResume(e -> {
                    errors.add(e);
                    return reactor.core.publisher.Flux.empty();
                })
                .collectList()
                .block(T);
        assertEquals(1, got.size());
        DumpInterruptedException e = assertInstanceOf(DumpInterruptedException.class, errors.get(0));
        assertTrue(e.getMessage().contains("NLM_F_DUMP_INTR"), e.getMessage());
    }

    @Test
    void closingFailsRequestsInFlightAndRefusesNewOnes(KernelClients clients) throws Exception {
        NetlinkClient client = clients.open();
        client.close().block(T);
        NetlinkClosedException e = assertThrows(
                NetlinkClosedException.class,
                () -> client.execute(newBridge("z")).block(T));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
