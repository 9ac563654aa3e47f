package dev.podnet.netlink.route;

import static dev.podnet.netlink.Hex.bodyOf;
import static dev.podnet.netlink.Hex.bytes;
import static dev.podnet.netlink.Hex.encoded;
import static dev.podnet.netlink.Hex.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.Nlmsghdr;
import dev.podnet.netlink.Vectors;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code struct ifinfomsg} and the {@code IFLA_*} accessors, over bytes written by hand and a captured dump. */
class LinkMessageTest {
    /** An RTM_NEWLINK body: ifinfomsg, then one attribute of each kind the accessors read, and one unknown. */
    private static final String BODY = hex(
            "07 00 04 03 2a 00 00 00 43 10 01 00 ff ff ff ff", // AF_BRIDGE, ARPHRD_LOOPBACK (772), index 42, flags,
            // change -1
            "07 00 03 00 76 30 00 00", // IFLA_IFNAME "v0"
            "08 00 04 00 dc 05 00 00", // IFLA_MTU 1500
            "08 00 0a 00 05 00 00 00", // IFLA_MASTER 5
            "0a 00 01 00 02 00 00 00 00 01 00 00", // IFLA_ADDRESS 02:00:00:00:00:01
            "0a 00 02 00 ff ff ff ff ff ff 00 00", // IFLA_BROADCAST
            "05 00 10 00 06 00 00 00", // IFLA_OPERSTATE 6 (up)
            "08 00 1b 00 03 00 00 00", // IFLA_GROUP 3
            "08 00 0d 00 e8 03 00 00", // IFLA_TXQLEN 1000
            "08 00 05 00 2b 00 00 00", // IFLA_LINK 43
            "08 00 25 00 02 00 00 00", // IFLA_LINK_NETNSID 2
            "0d 00 14 00 70 6f 64 6e 65 74 3a 78 00 00 00 00", // IFLA_IFALIAS "podnet:x"
            "5c 00 12 80", // IFLA_LINKINFO (88 bytes)
            "09 00 01 00 76 65 74 68 00 00 00 00", //   IFLA_INFO_KIND "veth"
            "0c 00 02 80 08 00 01 00 07 00 00 00", //   IFLA_INFO_DATA { 1: 7 }
            "0b 00 04 00 62 72 69 64 67 65 00 00", //   IFLA_INFO_SLAVE_KIND "bridge"
            "34 00 05 80", //   IFLA_INFO_SLAVE_DATA (48 bytes)
            "05 00 01 00 03 00 00 00", //     IFLA_BRPORT_STATE 3 (forwarding)
            "06 00 02 00 20 00 00 00", //     IFLA_BRPORT_PRIORITY 32
            "08 00 03 00 64 00 00 00", //     IFLA_BRPORT_COST 100
            "05 00 04 00 01 00 00 00", //     IFLA_BRPORT_MODE 1 (hairpin)
            "05 00 08 00 01 00 00 00", //     IFLA_BRPORT_LEARNING 1
            "05 00 09 00 00 00 00 00", //     IFLA_BRPORT_UNICAST_FLOOD 0
            "06 00 63 00 ab cd 00 00"); // type 99, unknown: kept as it is

    private static LinkMessage decodeBody(String body) {
        NetlinkMessage m =
                RouteMessages.INSTANCE.decode(Rtm.RTM_NEWLINK, 0x2, 9, 0, Unpooled.wrappedBuffer(bytes(body)));
        return assertInstanceOf(LinkMessage.class, m);
    }

    @Test
    void theFixedHeader() {
        LinkMessage l = decodeBody(BODY);
        assertEquals(new Nlmsghdr(Rtm.RTM_NEWLINK, Netlink.NLM_F_MULTI, 9, 0), Nlmsghdr.of(l));
        assertEquals(Rtm.AF_BRIDGE, l.family());
        assertEquals(772, l.deviceType());
        assertEquals(42, l.index());
        assertEquals(0x11043, l.deviceFlags());
        assertEquals(-1, l.change());
        assertTrue(l.isUp());
        assertEquals(13, l.attributes().size());
        assertEquals(220, l.bodyLength());
    }

    @Test
    void everyAccessor() {
        LinkMessage l = decodeBody(BODY);
        assertEquals("v0", l.name());
        assertEquals(1500, l.mtu());
        assertEquals(5, l.master());
        assertArrayEquals(bytes("02 00 00 00 00 01"), l.hardwareAddress());
        assertArrayEquals(bytes("ff ff ff ff ff ff"), l.broadcastAddress());
        assertEquals(6, l.operState());
        assertEquals(3, l.group());
        assertEquals(1000, l.txQueueLength());
        assertEquals(43, l.link());
        assertEquals(2, l.linkNetnsId());
        assertEquals("podnet:x", l.alias());
        assertEquals("veth", l.kind());
        assertEquals(7, l.kindData().u32(1, -1));
        assertEquals(1, l.kindData().size());
        assertEquals("bridge", l.portKind());
        assertEquals(new LinkKinds.BridgePort.Info(3, 32, 100, true, true, false), l.bridgePort());
        assertNull(l.stats());
        assertArrayEquals(bytes("ab cd"), l.attributes().bytes(99));
    }

    @Test
    void absentAttributesHaveTheirDefaults() {
        LinkMessage l = decodeBody("00 00 01 00 07 00 00 00 02 10 00 00 00 00 00 00");
        assertEquals(1, l.deviceType());
        assertEquals(7, l.index());
        assertFalse(l.isUp(), "BROADCAST | MULTICAST, not UP");
        assertSame(AttributeList.EMPTY, l.attributes());
        assertNull(l.name());
        assertEquals(0, l.mtu());
        assertEquals(0, l.master());
        assertNull(l.kind());
        assertNull(l.hardwareAddress());
        assertNull(l.alias());
        assertNull(l.broadcastAddress());
        assertEquals(0, l.operState());
        assertEquals(0, l.group());
        assertEquals(-1, l.txQueueLength());
        assertEquals(0, l.link());
        assertEquals(-1, l.linkNetnsId());
        assertNull(l.stats());
        assertSame(AttributeList.EMPTY, l.kindData());
        assertNull(l.portKind());
        assertNull(l.bridgePort());
        assertEquals("RTM_NEWLINK[seq=9, index=7, name=null, flags=0x1002, attrs=[]]", l.toString());
    }

    @Test
    void toStringNamesTheAttributes() {
        assertEquals(
                "RTM_NEWLINK[seq=9, index=42, name=v0, flags=0x11043, attrs=[IFLA_IFNAME(3B), IFLA_MTU(4B), IFLA_MASTER(4B),"
                        + " IFLA_ADDRESS(6B), IFLA_BROADCAST(6B), IFLA_OPERSTATE(1B), IFLA_GROUP(4B), IFLA_TXQLEN(4B), IFLA_LINK(4B),"
                        + " IFLA_LINK_NETNSID(4B), IFLA_IFALIAS(9B), IFLA_LINKINFO(88B), 99(2B)]]",
                decodeBody(BODY).toString());
    }

    @Test
    void reEncodesToTheSameBytes() {
        LinkMessage l = decodeBody(BODY);
        assertEquals(hex("ec 00 00 00 10 00 02 00 09 00 00 00 00 00 00 00") + BODY, encoded(l, 9, 0));
    }

    @Test
    void aRequestHasNoFamilyTypeSequenceOrPort() {
        LinkMessage r = LinkMessage.request(
                Rtm.RTM_SETLINK,
                0x4,
                0x01020304,
                0x1,
                0x1,
                AttributeList.builder().u32(Ifla.IFLA_MTU, 9000).build());
        assertEquals(
                new LinkMessage(
                        Rtm.RTM_SETLINK,
                        0x4,
                        0,
                        0,
                        Rtm.AF_UNSPEC,
                        0,
                        0x01020304,
                        0x1,
                        0x1,
                        AttributeList.builder().u32(Ifla.IFLA_MTU, 9000).build()),
                r);
        assertEquals(hex("00 00 00 00 04 03 02 01 01 00 00 00 01 00 00 00", "08 00 04 00 28 23 00 00"), bodyOf(r));
    }

    @Test
    void aBareIfinfomsg() {
        assertEquals(
                hex("07 00 00 00 04 03 02 01 81 82 83 84 fe ff ff ff"),
                HexFormat.of().formatHex(LinkMessage.ifinfomsg(Rtm.AF_BRIDGE, 0x01020304, 0x84838281, -2)));
        assertEquals(
                hex("00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
                HexFormat.of().formatHex(LinkMessage.ifinfomsg(0, 0, 0, 0)));
    }

    /** An RTM_NEWLINK request for link 3 with {@code attributes}. */
    private static LinkMessage linkOfIndex3(AttributeList attributes) {
        return LinkMessage.request(Rtm.RTM_NEWLINK, 0, 3, 0, 0, attributes);
    }

    @Test
    void bridgePortSettingsFromSlaveDataOrProtinfo() {
        AttributeList protinfo = AttributeList.builder()
                .u8(LinkKinds.BridgePort.IFLA_BRPORT_STATE, 2)
                .u32(LinkKinds.BridgePort.IFLA_BRPORT_COST, 7)
                .u8(LinkKinds.BridgePort.IFLA_BRPORT_UNICAST_FLOOD, 1)
                .build();
        LinkKinds.BridgePort.Info fromProtinfo = new LinkKinds.BridgePort.Info(2, 0, 7, false, false, true);

        // a bond's port: its slave data is not a bridge port's
        LinkMessage bondPort = linkOfIndex3(AttributeList.builder()
                .nested(
                        Ifla.IFLA_LINKINFO,
                        li -> li.string(Ifla.IFLA_INFO_SLAVE_KIND, "bond")
                                .nested(
                                        Ifla.IFLA_INFO_SLAVE_DATA,
                                        d -> d.u8(LinkKinds.BridgePort.IFLA_BRPORT_STATE, 3)))
                .nested(Ifla.IFLA_PROTINFO, p -> p.all(protinfo))
                .build());
        assertEquals(fromProtinfo, bondPort.bridgePort());

        // a bridge port without slave data, as an AF_BRIDGE dump reports it
        LinkMessage afBridge = linkOfIndex3(AttributeList.builder()
                .nested(Ifla.IFLA_LINKINFO, li -> li.string(Ifla.IFLA_INFO_SLAVE_KIND, "bridge"))
                .nested(Ifla.IFLA_PROTINFO, p -> p.all(protinfo))
                .build());
        assertEquals(fromProtinfo, afBridge.bridgePort());

        LinkMessage none = linkOfIndex3(AttributeList.builder()
                .nested(Ifla.IFLA_LINKINFO, li -> li.string(Ifla.IFLA_INFO_KIND, "veth"))
                .build());
        assertNull(none.bridgePort());
    }

    @Test
    void aCapturedLinkDumpFieldByField() {
        Map<String, LinkMessage> links = Vectors.links("link-dump");

        LinkMessage lo = links.get("lo");
        assertEquals(1, lo.index());
        assertEquals(772, lo.deviceType());
        assertEquals(0x8, lo.deviceFlags());
        assertFalse(lo.isUp());
        assertEquals(2, lo.operState());
        assertEquals(65536, lo.mtu());
        assertNull(lo.kind());
        assertEquals(new LinkStats64(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), lo.stats());

        LinkMessage br0 = links.get("br0");
        assertEquals(2, br0.index());
        assertEquals("bridge", br0.kind());
        assertNull(br0.bridgePort());
        assertEquals(new LinkStats64(1, 3, 76, 250, 0, 0, 0, 0, 1, 0), br0.stats());

        LinkMessage v0 = links.get("v0");
        assertEquals(new Nlmsghdr(Rtm.RTM_NEWLINK, Netlink.NLM_F_MULTI, 1, 5901), Nlmsghdr.of(v0));
        assertEquals(0, v0.family());
        assertEquals(1, v0.deviceType());
        assertEquals(4, v0.index());
        assertEquals(0x11043, v0.deviceFlags());
        assertEquals(0, v0.change());
        assertEquals(1500, v0.mtu());
        assertEquals(2, v0.master());
        assertEquals(3, v0.link());
        assertEquals(-1, v0.linkNetnsId());
        assertEquals(1000, v0.txQueueLength());
        assertEquals(6, v0.operState());
        assertEquals(0, v0.group());
        assertEquals("podnet:abc/eth0", v0.alias());
        assertArrayEquals(bytes("72 24 38 3c 66 63"), v0.hardwareAddress());
        assertEquals("veth", v0.kind());
        assertEquals("bridge", v0.portKind());
        assertEquals(new LinkKinds.BridgePort.Info(3, 32, 2, false, true, true), v0.bridgePort());
        assertEquals(new LinkStats64(1, 4, 90, 340, 0, 0, 0, 0, 0, 0), v0.stats());
    }
}
