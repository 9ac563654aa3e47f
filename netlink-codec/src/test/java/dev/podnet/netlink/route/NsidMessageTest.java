package dev.podnet.netlink.route;

import static dev.podnet.netlink.Hex.bodyOf;
import static dev.podnet.netlink.Hex.bytes;
import static dev.podnet.netlink.Hex.encoded;
import static dev.podnet.netlink.Hex.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.Nlmsghdr;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** {@code RTM_*NSID}: a {@code struct rtgenmsg} padded to four bytes, then {@code NETNSA_*} attributes. */
class NsidMessageTest {
    private static NsidMessage decode(int type, String body) {
        NetlinkMessage m = RouteMessages.INSTANCE.decode(type, 0, 3, 0, Unpooled.wrappedBuffer(bytes(body)));
        return assertInstanceOf(NsidMessage.class, m);
    }

    @Test
    void getByFdAsksWithNetnsaFd() {
        NsidMessage m = NsidMessage.getByFd(7);
        assertEquals(new Nlmsghdr(Rtm.RTM_GETNSID, 0, 0, 0), Nlmsghdr.of(m));
        assertEquals(Rtm.AF_UNSPEC, m.family());
        assertEquals(AttributeList.builder().u32(NsidMessage.NETNSA_FD, 7).build(), m.attributes());
        assertEquals(12, m.bodyLength());
        assertEquals(
                hex(
                        "1c 00 00 00 5a 00 00 00 01 00 00 00 00 00 00 00", // 28 bytes, RTM_GETNSID, seq 1
                        "00 00 00 00", // rtgenmsg: AF_UNSPEC, padded
                        "08 00 03 00 07 00 00 00"),
                encoded(m, 1, 0)); // NETNSA_FD 7
    }

    @Test
    void decodesTheNsidAndSkipsThePadding() {
        NsidMessage m = decode(Rtm.RTM_NEWNSID, hex("02 aa bb cc", "08 00 01 00 05 00 00 00"));
        assertEquals(new Nlmsghdr(Rtm.RTM_NEWNSID, 0, 3, 0), Nlmsghdr.of(m));
        assertEquals(Rtm.AF_INET, m.family());
        assertEquals(5, m.nsid());
        assertEquals(1, m.attributes().size());
        assertEquals(12, m.bodyLength());
        assertEquals("RTM_NEWNSID[seq=3, nsid=5, attrs=[1(4B)]]", m.toString());
        assertEquals(hex("02 00 00 00", "08 00 01 00 05 00 00 00"), bodyOf(m), "the padding written as zeros");
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
}
