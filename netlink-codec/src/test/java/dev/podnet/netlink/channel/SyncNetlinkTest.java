package dev.podnet.netlink.channel;

import static dev.podnet.testing.LinkRequests.getLink;
import static dev.podnet.testing.LinkRequests.newBridge;
import static dev.podnet.testing.LinkRequests.newLink;
import static dev.podnet.testing.LinkRequests.writeBridge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.testing.KernelClients;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@KernelTest
class SyncNetlinkTest {
    private static final Duration T = Duration.ofSeconds(10);

    @Test
    void batchesRepliesAndErrorsAsTheAsynchronousClientHasThem(Sandbox sandbox) throws Exception {
        try (SyncNetlink nl = sandbox.inside(SyncNetlink::openRoute)) {
            // an ack only, then a reply to a GET
            assertNull(nl.request(newBridge("sbr0")));
            LinkMessage br = assertInstanceOf(LinkMessage.class, nl.request(getLink("sbr0")));
            assertEquals("sbr0", br.name());
            assertTrue(sandbox.ip("-o", "link").contains("sbr0"));

            // a batch: the kernel applies every request; the first error is thrown, the later ones suppressed
            LinkMessage unknownKind = newLink("x0", "no-such-kind");
            NetlinkException e = assertThrows(
                    NetlinkException.class,
                    () -> nl.executeBatch(List.of(newBridge("sbr0"), newBridge("sbr1"), unknownKind)));
            assertEquals("EEXIST", e.errnoName());
            assertTrue(e.getMessage().contains("RTM_NEWLINK sbr0 (bridge)"), e.getMessage());
            assertEquals(1, e.getSuppressed().length);
            NetlinkException second = assertInstanceOf(NetlinkException.class, e.getSuppressed()[0]);
            assertEquals("EOPNOTSUPP", second.errnoName());
            assertNotNull(second.extAckMessage(), "the kernel's extended ack comes through");
            assertTrue(sandbox.ip("-o", "link").contains("sbr1"), "the member after the failed one was applied");

            // replies in request order
            List<NetlinkMessage> replies = nl.requestBatch(List.of(getLink("sbr1"), getLink("lo"), getLink("sbr0")));
            assertEquals(
                    List.of("sbr1", "lo", "sbr0"),
                    replies.stream().map(m -> ((LinkMessage) m).name()).toList());
        }
    }

    @Test
    void encodedBatchesAreAppliedAndAFailedOneIsNamed(Sandbox sandbox) throws Exception {
        try (SyncNetlink nl = sandbox.inside(SyncNetlink::openRoute)) {
            io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
            dev.podnet.netlink.RequestWriter w = new dev.podnet.netlink.RequestWriter().reset(buf);
            writeBridge(w, "ebr0");
            writeBridge(w, "ebr1");
            assertTrue(nl.requestEncoded(buf.retain(), w.count(), i -> newBridge("ebr" + i))
                    .isEmpty());
            assertEquals(
                    1, buf.refCnt(), "the socket released what it was given (the retain), as the channel client does");
            String links = sandbox.ip("-o", "link");
            assertTrue(links.contains("ebr0") && links.contains("ebr1"), links);

            // the same again: both exist; the error names the request, rebuilt as an object only now
            buf.clear();
            w.reset(buf);
            writeBridge(w, "ebr2");
            writeBridge(w, "ebr1");
            NetlinkException e = assertThrows(
                    NetlinkException.class,
                    () -> nl.requestEncoded(buf.retain(), 2, i -> newBridge(i == 0 ? "ebr2" : "ebr1")));
            assertEquals("EEXIST", e.errnoName());
            assertTrue(e.getMessage().startsWith("RTM_NEWLINK ebr1 (bridge) failed: EEXIST"), e.getMessage());
            assertTrue(sandbox.ip("-o", "link").contains("ebr2"), "the other request was applied");

            // a count that does not match the buffer is refused before anything is sent
            buf.clear();
            w.reset(buf);
            writeBridge(w, "ebr3");
            assertThrows(IllegalArgumentException.class, () -> nl.requestEncoded(buf, 2, i -> newBridge("ebr3")));
            assertTrue(!sandbox.ip("-o", "link").contains("ebr3"));
            assertEquals(0, buf.refCnt(), "a refused buffer is released too: one ownership rule");
        }
    }

    @Test
    void theAsynchronousClientSendsEncodedBatchesToo(Sandbox sandbox, KernelClients clients) throws Exception {
        NetlinkClient client = clients.open();
        io.netty.buffer.ByteBuf buf = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(256);
        dev.podnet.netlink.RequestWriter w = new dev.podnet.netlink.RequestWriter().reset(buf);
        writeBridge(w, "abr0");
        writeBridge(w, "abr1");
        client.requestEncoded(buf, w.count(), i -> newBridge("abr" + i)).block(T);
        assertEquals(0, buf.refCnt(), "the client freed the buffer once sent");
        String links = sandbox.ip("-o", "link");
        assertTrue(links.contains("abr0") && links.contains("abr1"), links);

        io.netty.buffer.ByteBuf again = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(256);
        w.reset(again);
        writeBridge(w, "abr1");
        writeBridge(w, "abr2");
        NetlinkException e = assertThrows(
                NetlinkException.class,
                () -> client.requestEncoded(again, 2, i -> newBridge(i == 0 ? "abr1" : "abr2"))
                        .block(T));
        assertTrue(e.getMessage().startsWith("RTM_NEWLINK abr1 (bridge) failed: EEXIST"), e.getMessage());
        assertTrue(sandbox.ip("-o", "link").contains("abr2"));
        assertEquals(0, client.inFlight().block(T), "no request left waiting");
    }
}
