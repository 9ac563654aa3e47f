package dev.podnet.netlink.route;

import static dev.podnet.netlink.Hex.bodyOf;
import static dev.podnet.netlink.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.Nlmsghdr;
import dev.podnet.netlink.Vectors;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code struct ndmsg} (u8 family, 3 pad, s32 ifindex, u16 state, u8 flags, u8 type) and {@code NDA_*}. */
class NeighbourMessageTest {
    @Test
    void theFixedHeaderFromHandWrittenBytes() {
        NetlinkMessage m = RouteMessages.INSTANCE.decode(
                Rtm.RTM_NEWNEIGH, 0, 1, 0, Unpooled.wrappedBuffer(bytes("0aeeeeee04030201820180" + "05")));
        NeighbourMessage n = assertInstanceOf(NeighbourMessage.class, m);
        assertEquals(Rtm.AF_INET6, n.family());
        assertEquals(0x01020304, n.index());
        assertEquals(0x0182, n.state());
        assertEquals(0x80, n.neighbourFlags());
        assertEquals(5, n.neighbourType());
        assertNull(n.destination());
        assertNull(n.linkLayerAddress());
        assertEquals("RTM_NEWNEIGH[seq=1, index=16909060, dst=null, state=0x182, attrs=[]]", n.toString());
    }

    @Test
    void writesItsHeaderWithZeroPadding() {
        NeighbourMessage n = new NeighbourMessage(
                Rtm.RTM_NEWNEIGH,
                0,
                0,
                0,
                Rtm.AF_INET6,
                0x01020304,
                0x0182,
                0x80,
                5,
                AttributeList.builder()
                        .bytes(Nda.NDA_LLADDR, bytes("020000000050"))
                        .build());
        assertEquals("0a000000" + "04030201" + "8201" + "80" + "05" + "0a000200020000000050" + "0000", bodyOf(n));
    }

    @Test
    void aRequestHasNoFlagsOrTypeOfItsOwn() {
        NeighbourMessage r =
                NeighbourMessage.request(Rtm.RTM_DELNEIGH, 0x4, Rtm.AF_INET, 3, Nda.NUD_PERMANENT, AttributeList.EMPTY);
        assertEquals(
                new NeighbourMessage(
                        Rtm.RTM_DELNEIGH, 0x4, 0, 0, Rtm.AF_INET, 3, Nda.NUD_PERMANENT, 0, 0, AttributeList.EMPTY),
                r);
    }

    @Test
    void aCapturedNeighbourDumpFieldByField() {
        List<NetlinkMessage> out = Vectors.decode("neigh-dump");
        assertEquals(3, out.size());
        NeighbourMessage n = assertInstanceOf(NeighbourMessage.class, out.get(0));
        assertEquals(new Nlmsghdr(Rtm.RTM_NEWNEIGH, Netlink.NLM_F_MULTI, 6, 14286), Nlmsghdr.of(n));
        assertEquals(Rtm.AF_INET, n.family());
        assertEquals(2, n.index());
        assertEquals(Nda.NUD_PERMANENT, n.state());
        assertEquals(0, n.neighbourFlags());
        assertEquals(1, n.neighbourType());
        assertEquals("198.18.0.50", n.destination().getHostAddress());
        assertArrayEquals(bytes("020000000050"), n.linkLayerAddress());
        assertEquals(
                "RTM_NEWNEIGH[seq=6, index=2, dst=/198.18.0.50, state=PERMANENT,"
                        + " attrs=[NDA_DST(4B), NDA_LLADDR(6B), NDA_PROBES(4B), NDA_CACHEINFO(16B)]]",
                n.toString());
        NeighbourMessage multicast = assertInstanceOf(NeighbourMessage.class, out.get(1));
        assertEquals(Nda.NUD_NOARP, multicast.state());
        assertEquals(5, multicast.neighbourType());
        assertEquals("224.0.0.22", multicast.destination().getHostAddress());
        assertArrayEquals(bytes("01005e000016"), multicast.linkLayerAddress());
    }

    @ParameterizedTest
    @CsvSource({
        "0x01, INCOMPLETE",
        "0x02, REACHABLE",
        "0x04, STALE",
        "0x08, DELAY",
        "0x10, PROBE",
        "0x20, FAILED",
        "0x40, NOARP",
        "0x80, PERMANENT",
        "0, NONE",
        "3, 0x3",
    })
    void stateNames(int state, String name) {
        assertEquals(name, Nda.stateName(state));
    }
}
