package dev.podnet.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.netlink.attr.AttributeList;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The typed views of {@code IFLA_INFO_DATA} / {@code IFLA_INFO_SLAVE_DATA}, from attribute bytes written by hand. */
class LinkKindsTest {
    private static AttributeList attrs(String hex) {
        byte[] b = HexFormat.of().parseHex(hex.replace(" ", ""));
        return AttributeList.wrap(b, 0, b.length);
    }

    @Test
    void bridge() {
        AttributeList data = attrs(
                "08 00 01 00 dc 05 00 00" // IFLA_BR_FORWARD_DELAY 1500
                        + "08 00 02 00 c8 00 00 00" // IFLA_BR_HELLO_TIME 200
                        + "08 00 03 00 d0 07 00 00" // IFLA_BR_MAX_AGE 2000
                        + "08 00 04 00 30 75 00 00" // IFLA_BR_AGEING_TIME 30000
                        + "08 00 05 00 01 00 00 00" // IFLA_BR_STP_STATE 1
                        + "06 00 06 00 00 80 00 00" // IFLA_BR_PRIORITY 0x8000 (u16)
                        + "05 00 07 00 01 00 00 00"); // IFLA_BR_VLAN_FILTERING 1 (u8)
        assertEquals(
                new LinkKinds.Bridge.Info(1500, 200, 2000, 30000, 1, 0x8000, true), LinkKinds.Bridge.Info.of(data));
        assertEquals(
                new LinkKinds.Bridge.Info(0, 0, 0, 0, 0, 0, false),
                LinkKinds.Bridge.Info.of(attrs("05 00 07 00 00 00 00 00")));
    }

    @Test
    void bridgePort() {
        AttributeList hairpin = attrs(
                "05 00 01 00 03 00 00 00" // IFLA_BRPORT_STATE 3
                        + "06 00 02 00 20 00 00 00" // IFLA_BRPORT_PRIORITY 32
                        + "08 00 03 00 64 00 00 00" // IFLA_BRPORT_COST 100
                        + "05 00 04 00 01 00 00 00" // IFLA_BRPORT_MODE 1
                        + "05 00 08 00 01 00 00 00" // IFLA_BRPORT_LEARNING 1
                        + "05 00 09 00 00 00 00 00"); // IFLA_BRPORT_UNICAST_FLOOD 0
        assertEquals(
                new LinkKinds.BridgePort.Info(3, 32, 100, true, true, false), LinkKinds.BridgePort.Info.of(hairpin));
        AttributeList plain = attrs("05 00 04 00 00 00 00 00 05 00 08 00 00 00 00 00 05 00 09 00 01 00 00 00");
        assertEquals(new LinkKinds.BridgePort.Info(0, 0, 0, false, false, true), LinkKinds.BridgePort.Info.of(plain));
    }

    @Test
    void vxlan() {
        AttributeList data = attrs(
                "08 00 01 00 2a 00 00 00" // IFLA_VXLAN_ID 42
                        + "08 00 03 00 03 00 00 00" // IFLA_VXLAN_LINK 3
                        + "06 00 0f 00 12 b5 00 00" // IFLA_VXLAN_PORT 4789, network order
                        + "05 00 07 00 01 00 00 00"); // IFLA_VXLAN_LEARNING 1
        assertEquals(new LinkKinds.Vxlan.Info(42, 3, 4789, true), LinkKinds.Vxlan.Info.of(data));
        assertEquals(
                new LinkKinds.Vxlan.Info(0, 0, 0, false), LinkKinds.Vxlan.Info.of(attrs("05 00 07 00 00 00 00 00")));
    }

    @Test
    void tunAndTap() {
        AttributeList tap = attrs(
                "05 00 03 00 02 00 00 00" // IFLA_TUN_TYPE IFF_TAP
                        + "08 00 01 00 e8 03 00 00" // IFLA_TUN_OWNER 1000
                        + "05 00 06 00 01 00 00 00" // IFLA_TUN_PERSIST 1
                        + "05 00 07 00 00 00 00 00" // IFLA_TUN_MULTI_QUEUE 0
                        + "05 00 05 00 01 00 00 00"); // IFLA_TUN_VNET_HDR 1
        assertEquals(new LinkKinds.Tun.Info(true, 1000, true, false, true), LinkKinds.Tun.Info.of(tap));
        AttributeList tun = attrs(
                "05 00 03 00 01 00 00 00 05 00 06 00 00 00 00 00 05 00 07 00 01 00 00 00 05 00 05 00 00 00 00 00");
        assertEquals(new LinkKinds.Tun.Info(false, -1, false, true, false), LinkKinds.Tun.Info.of(tun), "no owner: -1");
        assertEquals(
                4294967295L,
                LinkKinds.Tun.Info.of(attrs("08 00 01 00 ff ff ff ff")).owner(),
                "the owner is unsigned");
    }

    @Test
    void vlan() {
        assertEquals(
                new LinkKinds.Vlan.Info(10, 0x88a8),
                LinkKinds.Vlan.Info.of(attrs("06 00 01 00 0a 00 00 00 06 00 05 00 88 a8 00 00")));
        assertEquals(
                new LinkKinds.Vlan.Info(4094, 0x8100),
                LinkKinds.Vlan.Info.of(attrs("06 00 01 00 fe 0f 00 00 06 00 05 00 81 00 00 00")));
    }

    @Test
    void macvlanModes() {
        assertEquals("private", LinkKinds.Macvlan.modeName(1));
        assertEquals("vepa", LinkKinds.Macvlan.modeName(2));
        assertEquals("bridge", LinkKinds.Macvlan.modeName(4));
        assertEquals("passthru", LinkKinds.Macvlan.modeName(8));
        assertEquals("source", LinkKinds.Macvlan.modeName(16));
        assertEquals("3", LinkKinds.Macvlan.modeName(3));
    }
}
