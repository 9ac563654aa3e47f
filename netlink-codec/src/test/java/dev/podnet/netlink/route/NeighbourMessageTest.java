package dev.podnet.netlink.route;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.Vectors;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code struct ndmsg} (u8 family, 3 pad, s32 ifindex, u16 state, u8 flags, u8 type) and {@code NDA_*}. */
class NeighbourMessageTest {
    @Test
    void theFixedHeaderFromHandWrittenBytes() {
        NetlinkMessage m = RouteMessages.INSTANCE.decode(
                Rtm.RTM_NEWNEIGH,
                0,
                1,
                0,
                Unpooled.wrappedBuffer(HexFormat.of().parseHex("0aeeeeee04030201820180" + "05")));
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
        ByteBuf out = Unpooled.buffer();
        new NeighbourMessage(
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
                                .bytes(Nda.NDA_LLADDR, HexFormat.of().parseHex("020000000050"))
                                .build())
                .writeBody(out);
        assertEquals(
                "0a000000" + "04030201" + "8201" + "80" + "05" + "0a000200020000000050" + "0000",
                ByteBufUtil.hexDump(out));
        out.release();
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
    void aBodyShorterThanNdmsgIsRefused() {
        NetlinkDecodeException e = assertThrows(
                NetlinkDecodeException.class,
                () -> RouteMessages.INSTANCE.decode(Rtm.RTM_NEWNEIGH, 0, 0, 0, Unpooled.wrappedBuffer(new byte[11])));
        assertEquals("RTM_NEWNEIGH body of 11 bytes, ndmsg needs 12", e.getMessage());
    }

    @Test
    void aCapturedNeighbourDumpFieldByField() {
        List<NetlinkMessage> out = new ArrayList<>();
        NetlinkCodec.decode(Unpooled.wrappedBuffer(Vectors.load("neigh-dump")), RouteMessages.INSTANCE, out);
        assertEquals(3, out.size());
        NeighbourMessage n = assertInstanceOf(NeighbourMessage.class, out.get(0));
        assertEquals(6, n.sequence());
        assertEquals(14286, n.portId());
        assertEquals(Rtm.AF_INET, n.family());
        assertEquals(2, n.index());
        assertEquals(Nda.NUD_PERMANENT, n.state());
        assertEquals(0, n.neighbourFlags());
        assertEquals(1, n.neighbourType());
        assertEquals("198.18.0.50", n.destination().getHostAddress());
        assertArrayEquals(HexFormat.of().parseHex("020000000050"), n.linkLayerAddress());
        assertEquals(
                "RTM_NEWNEIGH[seq=6, index=2, dst=/198.18.0.50, state=PERMANENT,"
                        + " attrs=[NDA_DST(4B), NDA_LLADDR(6B), NDA_PROBES(4B), NDA_CACHEINFO(16B)]]",
                n.toString());
        NeighbourMessage multicast = assertInstanceOf(NeighbourMessage.class, out.get(1));
        assertEquals(Nda.NUD_NOARP, multicast.state());
        assertEquals(5, multicast.neighbourType());
        assertEquals("224.0.0.22", multicast.destination().getHostAddress());
        assertArrayEquals(HexFormat.of().parseHex("01005e000016"), multicast.linkLayerAddress());
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
