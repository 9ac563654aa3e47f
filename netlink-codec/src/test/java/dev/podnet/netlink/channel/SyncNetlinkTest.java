package dev.podnet.netlink.channel;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.Rtm;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KernelTest
class SyncNetlinkTest {
    private static LinkMessage getByName(String name) {
        return LinkMessage.request(Rtm.RTM_GETLINK, 0, 0, 0, 0, AttributeList.builder().string(Ifla.IFLA_IFNAME, name).build());
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
            LinkMessage unknownKind = LinkMessage.request(Rtm.RTM_NEWLINK, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 0, 0, 0,
                    AttributeList.builder().string(Ifla.IFLA_IFNAME, "x0")
                            .nested(Ifla.IFLA_LINKINFO, li -> li.string(Ifla.IFLA_INFO_KIND, "no-such-kind")).build());
            NetlinkException e = assertThrows(NetlinkException.class, () -> nl.executeBatch(List.of(
                    NetlinkClientTest.newBridge("sbr0"), NetlinkClientTest.newBridge("sbr1"), unknownKind)));
            assertEquals("EEXIST", e.errnoName());
            assertTrue(e.getMessage().contains("RTM_NEWLINK sbr0 (bridge)"), e.getMessage());
            assertEquals(1, e.getSuppressed().length);
            NetlinkException second = assertInstanceOf(NetlinkException.class, e.getSuppressed()[0]);
            assertEquals("EOPNOTSUPP", second.errnoName());
            assertNotNull(second.extAckMessage(), "the kernel's extended ack comes through");
            assertTrue(sandbox.ip("-o", "link").contains("sbr1"), "the member after the failed one was applied");

            // replies in request order
            List<NetlinkMessage> replies = nl.requestBatch(List.of(getByName("sbr1"), getByName("lo"), getByName("sbr0")));
            assertEquals(List.of("sbr1", "lo", "sbr0"), replies.stream().map(m -> ((LinkMessage) m).name()).toList());
        }
    }
}
