package dev.podnet.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** {@code RTM_*NSID}: a {@code struct rtgenmsg} padded to four bytes, then {@code NETNSA_*} attributes. */
class NsidMessageTest {
    private static String hex(String... parts) {
        return String.join("", parts).replace(" ", "");
    }

    private static NsidMessage decode(int type, String body) {
        NetlinkMessage m = RouteMessages.INSTANCE.decode(
                type, 0, 3, 0, Unpooled.wrappedBuffer(HexFormat.of().parseHex(body)));
        return assertInstanceOf(NsidMessage.class, m);
    }

    @Test
    void getByFdAsksWithNetnsaFd() {
        NsidMessage m = NsidMessage.getByFd(7);
        assertEquals(Rtm.RTM_GETNSID, m.type());
        assertEquals(0, m.flags());
        assertEquals(0, m.sequence());
        assertEquals(0, m.portId());
        assertEquals(Rtm.AF_UNSPEC, m.family());
        assertEquals(AttributeList.builder().u32(NsidMessage.NETNSA_FD, 7).build(), m.attributes());
        assertEquals(12, m.bodyLength());
        ByteBuf out = Unpooled.buffer();
        NetlinkCodec.encode(m, 1, 0, out);
        assertEquals(
                hex(
                        "1c 00 00 00 5a 00 00 00 01 00 00 00 00 00 00 00", // 28 bytes, RTM_GETNSID, seq 1
                        "00 00 00 00", // rtgenmsg: AF_UNSPEC, padded
                        "08 00 03 00 07 00 00 00"),
                ByteBufUtil.hexDump(out)); // NETNSA_FD 7
        out.release();
    }

    @Test
    void decodesTheNsidAndSkipsThePadding() {
        NsidMessage m = decode(Rtm.RTM_NEWNSID, hex("02 aa bb cc", "08 00 01 00 05 00 00 00"));
        assertEquals(Rtm.RTM_NEWNSID, m.type());
        assertEquals(3, m.sequence());
        assertEquals(Rtm.AF_INET, m.family());
        assertEquals(5, m.nsid());
        assertEquals(1, m.attributes().size());
        assertEquals(12, m.bodyLength());
        assertEquals("RTM_NEWNSID[seq=3, nsid=5, attrs=[1(4B)]]", m.toString());
        ByteBuf out = Unpooled.buffer();
        m.writeBody(out);
        assertEquals(
                hex("02 00 00 00", "08 00 01 00 05 00 00 00"),
                ByteBufUtil.hexDump(out),
                "the padding written as zeros");
        out.release();
    }

    @Test
    void theNsidIsSigned() {
        assertEquals(
                NsidMessage.NSID_NOT_ASSIGNED,
                decode(Rtm.RTM_NEWNSID, hex("00 00 00 00", "08 00 01 00 ff ff ff ff"))
                        .nsid());
        assertEquals(
                -2,
                decode(Rtm.RTM_NEWNSID, hex("00 00 00 00", "08 00 01 00 fe ff ff ff"))
                        .nsid());
    }

    @Test
    void aBareHeaderHasNoNsid() {
        NsidMessage m = decode(Rtm.RTM_DELNSID, "00000000");
        assertSame(AttributeList.EMPTY, m.attributes());
        assertEquals(-1, m.nsid());
        assertEquals(4, m.bodyLength());
        assertEquals("RTM_DELNSID[seq=3, nsid=-1, attrs=[]]", m.toString());
        assertEquals(Rtm.RTM_GETNSID, decode(Rtm.RTM_GETNSID, "00000000").type());
    }

    @Test
    void aBodyShorterThanRtgenmsgIsRefused() {
        NetlinkDecodeException e = assertThrows(
                NetlinkDecodeException.class,
                () -> RouteMessages.INSTANCE.decode(Rtm.RTM_NEWNSID, 0, 0, 0, Unpooled.wrappedBuffer(new byte[3])));
        assertEquals("RTM_NEWNSID body of 3 bytes, rtgenmsg needs 4", e.getMessage());
    }
}
