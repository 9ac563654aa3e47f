package dev.podnet.netlink.route;

import static dev.podnet.netlink.Hex.bytes;
import static dev.podnet.netlink.Hex.encoded;
import static dev.podnet.netlink.Hex.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.Nlmsghdr;
import dev.podnet.netlink.Vectors;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code struct ifaddrmsg} and the {@code IFA_*} accessors, over bytes written by hand and a captured dump. */
class AddressMessageTest {
    private static AddressMessage decode(int type, String body) {
        NetlinkMessage m = RouteMessages.INSTANCE.decode(type, 0x2, 2, 0, Unpooled.wrappedBuffer(bytes(body)));
        return assertInstanceOf(AddressMessage.class, m);
    }

    private static final String BODY = hex(
            "02 18 80 fd 04 03 02 01", // AF_INET /24, IFA_F_PERMANENT, scope link, index 0x01020304
            "08 00 01 00 c6 12 00 02", // IFA_ADDRESS 198.18.0.2 (the peer)
            "08 00 02 00 c6 12 00 01", // IFA_LOCAL 198.18.0.1
            "0a 00 03 00 62 72 30 3a 61 00 00 00", // IFA_LABEL "br0:a"
            "08 00 04 00 c6 12 00 ff", // IFA_BROADCAST 198.18.0.255
            "14 00 06 00 84 83 82 81 94 93 92 91 05 4e 04 00 06 4e 04 00", // IFA_CACHEINFO preferred, valid, cstamp,
            // tstamp
            "08 00 08 00 80 02 00 00"); // IFA_FLAGS 0x280

    @Test
    void theFixedHeaderAndEveryAccessor() {
        AddressMessage a = decode(Rtm.RTM_NEWADDR, BODY);
        assertEquals(Rtm.RTM_NEWADDR, a.type());
        assertEquals(Rtm.AF_INET, a.family());
        assertEquals(24, a.prefixLength());
        assertEquals(Ifa.IFA_F_PERMANENT, a.addressFlags());
        assertEquals(Rta.RT_SCOPE_LINK, a.scope());
        assertEquals(0x01020304, a.index());
        assertEquals("198.18.0.1", a.address().getHostAddress(), "IFA_LOCAL before IFA_ADDRESS");
        assertEquals(0x280, a.allFlags(), "IFA_FLAGS over ifa_flags");
        assertEquals("br0:a", a.label());
        assertEquals("198.18.0.255", a.broadcast().getHostAddress());
        assertArrayEquals(new long[] {0x81828384L, 0x91929394L}, a.lifetimes());
        assertEquals(72, a.bodyLength());
        assertEquals(
                "RTM_NEWADDR[seq=2, index=16909060, /198.18.0.1/24, attrs=[IFA_ADDRESS(4B), IFA_LOCAL(4B), IFA_LABEL(6B),"
                        + " IFA_BROADCAST(4B), IFA_CACHEINFO(16B), IFA_FLAGS(4B)]]",
                a.toString());
    }

    @Test
    void withoutIfaLocalTheAddressIsIfaAddress() {
        AddressMessage a = decode(
                Rtm.RTM_NEWADDR,
                hex("0a 40 c0 fd 02 00 00 00", "14 00 01 00 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01"));
        assertEquals("fe80:0:0:0:0:0:0:1", a.address().getHostAddress());
        assertEquals(0xc0, a.allFlags(), "no IFA_FLAGS: ifa_flags");
        assertNull(a.label());
        assertNull(a.broadcast());
        assertNull(a.lifetimes());
        assertEquals("RTM_NEWADDR[seq=2, index=2, /fe80:0:0:0:0:0:0:1/64, attrs=[IFA_ADDRESS(16B)]]", a.toString());
    }

    @Test
    void noAddressAtAll() {
        AddressMessage a = decode(Rtm.RTM_DELADDR, hex("02 00 00 00 05 00 00 00"));
        assertNull(a.address());
        assertSame(AttributeList.EMPTY, a.attributes());
        assertEquals("RTM_DELADDR[seq=2, index=5, null/0, attrs=[]]", a.toString());
    }

    @Test
    void lifetimesNeedEightBytes() {
        assertArrayEquals(
                new long[] {60, 120},
                decode(Rtm.RTM_NEWADDR, hex("02 18 00 00 02 00 00 00", "0c 00 06 00 3c 00 00 00 78 00 00 00"))
                        .lifetimes());
        assertNull(decode(Rtm.RTM_NEWADDR, hex("02 18 00 00 02 00 00 00", "0b 00 06 00 3c 00 00 00 78 00 00 00"))
                .lifetimes());
    }

    @Test
    void aRequestEncodesItsHeaderAndAttributes() throws Exception {
        AttributeList attrs = AttributeList.builder()
                .address(Ifa.IFA_LOCAL, java.net.InetAddress.getByName("198.18.0.1"))
                .build();
        AddressMessage r = AddressMessage.request(
                Rtm.RTM_NEWADDR, 0x500, Rtm.AF_INET, 24, Ifa.IFA_F_NODAD, Rta.RT_SCOPE_UNIVERSE, 0x01020304, attrs);
        assertEquals(
                new AddressMessage(
                        Rtm.RTM_NEWADDR, 0x500, 0, 0, Rtm.AF_INET, 24, Ifa.IFA_F_NODAD, 0, 0x01020304, attrs),
                r);
        assertEquals(
                hex(
                        "20 00 00 00 14 00 00 05 03 00 00 00 00 00 00 00",
                        "02 18 02 00 04 03 02 01",
                        "08 00 02 00 c6 12 00 01"),
                encoded(r, 3, 0));
    }

    @Test
    void aCapturedAddressDumpFieldByField() {
        List<NetlinkMessage> out = Vectors.decode("addr-dump");
        assertEquals(3, out.size());
        AddressMessage br0 = assertInstanceOf(AddressMessage.class, out.get(0));
        assertEquals(new Nlmsghdr(Rtm.RTM_NEWADDR, Netlink.NLM_F_MULTI, 2, 5901), Nlmsghdr.of(br0));
        assertEquals(Rtm.AF_INET, br0.family());
        assertEquals(16, br0.prefixLength());
        assertEquals(0x80, br0.addressFlags());
        assertEquals(0, br0.scope());
        assertEquals(2, br0.index());
        assertEquals("198.18.0.1", br0.address().getHostAddress());
        assertEquals("br0", br0.label());
        assertEquals(0x80, br0.allFlags());
        assertNull(br0.broadcast());
        assertArrayEquals(new long[] {0xffffffffL, 0xffffffffL}, br0.lifetimes());
        AddressMessage v1 = assertInstanceOf(AddressMessage.class, out.get(1));
        assertEquals(3, v1.index());
        assertEquals("198.18.5.9", v1.address().getHostAddress());
        assertEquals("v1", v1.label());
    }
}
