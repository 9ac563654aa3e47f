package dev.podnet.netlink.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.Rtm;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.util.List;
import org.junit.jupiter.api.Test;

@KernelTest
class SyncNetlinkTest {
    private static LinkMessage getByName(String name) {
        return LinkMessage.request(
                Rtm.RTM_GETLINK,
                0,
                0,
                0,
                0,
                AttributeList.builder().string(Ifla.IFLA_IFNAME, name).build());
    }

    @Test
    void batchesRepliesAndErrorsAsTheAsynchronousClientHasThem(Sandbox sandbox) throws Exception {
        try (SyncNetlink nl = sandbox.inside(SyncNetlink::openRoute)) {
            // an ack only, then a reply to a GET
            assertNull(nl.request(NetlinkClientTest.newBridge("sbr0")));
            LinkMessage br = assertInstanceOf(LinkMessage.class, nl.request(getByName("sbr0")));
            assertEquals("sbr0", br.name());
            assertTrue(sandbox.ip("-o", "link").contains("sbr0"));

            // a batch: the kernel applies every request; the first error is thrown, the later ones suppressed
            LinkMessage unknownKind = LinkMessage.request(
                    Rtm.RTM_NEWLINK,
                    Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                    0,
                    0,
                    0,
                    AttributeList.builder()
                            .string(Ifla.IFLA_IFNAME, "x0")
                            .nested(Ifla.IFLA_LINKINFO, li -> li.string(Ifla.IFLA_INFO_KIND, "no-such-kind"))
                            .build());
            NetlinkException e = assertThrows(
                    NetlinkException.class,
                    () -> nl.executeBatch(List.of(
                            NetlinkClientTest.newBridge("sbr0"), NetlinkClientTest.newBridge("sbr1"), unknownKind)));
            assertEquals("EEXIST", e.errnoName());
            assertTrue(e.getMessage().contains("RTM_NEWLINK sbr0 (bridge)"), e.getMessage());
            assertEquals(1, e.getSuppressed().length);
            NetlinkException second = assertInstanceOf(NetlinkException.class, e.getSuppressed()[0]);
            assertEquals("EOPNOTSUPP", second.errnoName());
            assertNotNull(second.extAckMessage(), "the kernel's extended ack comes through");
            assertTrue(sandbox.ip("-o", "link").contains("sbr1"), "the member after the failed one was applied");

            // replies in request order
            List<NetlinkMessage> replies =
                    nl.requestBatch(List.of(getByName("sbr1"), getByName("lo"), getByName("sbr0")));
            assertEquals(
                    List.of("sbr1", "lo", "sbr0"),
                    replies.stream().map(m -> ((LinkMessage) m).name()).toList());
        }
    }
    /** Bridges written by a {@link dev.podnet.netlink.RequestWriter}, as the add path writes its requests. */
    static void writeBridge(dev.podnet.netlink.RequestWriter w, String name) {
        w.begin(Rtm.RTM_NEWLINK, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                .ifinfomsg(Rtm.AF_UNSPEC, 0, 0, 0)
                .string(Ifla.IFLA_IFNAME, name)
                .nest(Ifla.IFLA_LINKINFO)
                .string(Ifla.IFLA_INFO_KIND, "bridge")
                .endNest()
                .end();
    }

    @Test
    void encodedBatchesAreAppliedAndAFailedOneIsNamed(Sandbox sandbox) throws Exception {
        try (SyncNetlink nl = sandbox.inside(SyncNetlink::openRoute)) {
            io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
            dev.podnet.netlink.RequestWriter w = new dev.podnet.netlink.RequestWriter().reset(buf);
            writeBridge(w, "ebr0");
            writeBridge(w, "ebr1");
            assertTrue(nl.requestEncoded(buf.retain(), w.count(), i -> NetlinkClientTest.newBridge("ebr" + i))
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
                    () -> nl.requestEncoded(
                            buf.retain(), 2, i -> NetlinkClientTest.newBridge(i == 0 ? "ebr2" : "ebr1")));
            assertEquals("EEXIST", e.errnoName());
            assertTrue(e.getMessage().startsWith("RTM_NEWLINK ebr1 (bridge) failed: EEXIST"), e.getMessage());
            assertTrue(sandbox.ip("-o", "link").contains("ebr2"), "the other request was applied");

            // a count that does not match the buffer is refused before anything is sent
            buf.clear();
            w.reset(buf);
            writeBridge(w, "ebr3");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> nl.requestEncoded(buf, 2, i -> NetlinkClientTest.newBridge("ebr3")));
            assertTrue(!sandbox.ip("-o", "link").contains("ebr3"));
            assertEquals(0, buf.refCnt(), "a refused buffer is released too: one ownership rule");
        }
    }

    @Test
    void theAsynchronousClientSendsEncodedBatchesToo(Sandbox sandbox) throws Exception {
        NetlinkClient client = NetlinkClientTest.open(sandbox);
        try {
            io.netty.buffer.ByteBuf buf = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(256);
            dev.podnet.netlink.RequestWriter w = new dev.podnet.netlink.RequestWriter().reset(buf);
            writeBridge(w, "abr0");
            writeBridge(w, "abr1");
            client.requestEncoded(buf, w.count(), i -> NetlinkClientTest.newBridge("abr" + i))
                    .block(NetlinkClientTest.T);
            assertEquals(0, buf.refCnt(), "the client freed the buffer once sent");
            String links = sandbox.ip("-o", "link");
            assertTrue(links.contains("abr0") && links.contains("abr1"), links);

            io.netty.buffer.ByteBuf again = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(256);
            w.reset(again);
            writeBridge(w, "abr1");
            writeBridge(w, "abr2");
            NetlinkException e = assertThrows(
                    NetlinkException.class,
                    () -> client.requestEncoded(again, 2, i -> NetlinkClientTest.newBridge(i == 0 ? "abr1" : "abr2"))
                            .block(NetlinkClientTest.T));
            assertTrue(e.getMessage().startsWith("RTM_NEWLINK abr1 (bridge) failed: EEXIST"), e.getMessage());
            assertTrue(sandbox.ip("-o", "link").contains("abr2"));
            assertEquals(0, client.inFlight().block(NetlinkClientTest.T), "no request left waiting");
        } finally {
            client.close().block(NetlinkClientTest.T);
        }
    }
}
