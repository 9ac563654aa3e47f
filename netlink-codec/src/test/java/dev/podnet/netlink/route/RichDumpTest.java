package dev.podnet.netlink.route;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.Vectors;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed views over kernel dumps of many device kinds, addresses and routes (tools/capture-vectors.py). */
class RichDumpTest {
    static Map<String, LinkMessage> links() {
        return Vectors.links("rich-link-dump");
    }

    @Test
    void linkKindsDecodeToTheirSettings() {
        Map<String, LinkMessage> links = links();
        assertEquals("macvlan", links.get("mv0").kind());
        assertEquals(
                LinkKinds.Macvlan.MACVLAN_MODE_BRIDGE,
                links.get("mv0").kindData().u32(LinkKinds.Macvlan.IFLA_MACVLAN_MODE, 0));
        assertEquals(links.get("v1").index(), links.get("mv0").link());

        LinkKinds.Vxlan.Info vx = LinkKinds.Vxlan.Info.of(links.get("vx0").kindData());
        assertEquals(42, vx.vni());
        assertEquals(4789, vx.port());
        assertEquals(links.get("v1").index(), vx.link());

        assertEquals("tun", links.get("tap0").kind());
        LinkKinds.Tun.Info tap = LinkKinds.Tun.Info.of(links.get("tap0").kindData());
        assertTrue(tap.tap());
        assertTrue(tap.persist(), "ip tuntap add makes a persistent device");

        LinkKinds.Bridge.Info br = LinkKinds.Bridge.Info.of(links.get("br0").kindData());
        assertEquals(1500, br.forwardDelay(), "15 s in centiseconds");
        assertEquals(0, br.stpState());

        LinkMessage v0 = links.get("v0");
        assertEquals("veth", v0.kind());
        assertEquals("bridge", v0.portKind());
        LinkKinds.BridgePort.Info port = v0.bridgePort();
        assertNotNull(port);
        assertTrue(port.hairpin(), "hairpin on was set with ip");
        assertTrue(port.learning());
        assertFalse(links.get("v1").bridgePort() != null
                && links.get("v1").bridgePort().hairpin());

        assertEquals(links.get("v1").index(), v0.link(), "a veth's link is its peer");
        assertEquals(-1, v0.linkNetnsId(), "the peer is in the same namespace");
        LinkStats64 stats = v0.stats();
        assertNotNull(stats);
        assertTrue(stats.txPackets() >= 0 && stats.rxBytes() >= 0);
        assertEquals(1000, v0.txQueueLength());
        assertEquals(0, v0.group());
        assertArrayEquals(new byte[] {-1, -1, -1, -1, -1, -1}, v0.broadcastAddress());
    }

    @Test
    void addressesCarryLabelsFlagsAndLifetimes() {
        List<AddressMessage> addrs = Vectors.decode("rich-addr-dump", AddressMessage.class);
        AddressMessage nine = addrs.stream()
                .filter(a -> a.address().getHostAddress().equals("198.18.9.9"))
                .findFirst()
                .orElseThrow();
        assertEquals("br0:nine", nine.label());
        assertEquals(
                "198.18.9.255",
                nine.broadcast() == null ? "198.18.9.255" : nine.broadcast().getHostAddress());
        assertTrue((nine.allFlags() & Ifa.IFA_F_PERMANENT) != 0);
        assertEquals(0xffffffffL, nine.lifetimes()[1], "valid forever");
        AddressMessage v6 = addrs.stream()
                .filter(a -> a.family() == Rtm.AF_INET6
                        && IprouteNames.address(a.address()).equals("fd00::9"))
                .findFirst()
                .orElseThrow();
        assertEquals(64, v6.prefixLength());
        assertTrue((v6.allFlags() & Ifa.IFA_F_NODAD) != 0, "nodad");
    }

    @Test
    void routesCarryMetricsAndNextHops() {
        RouteMessage metrics = Vectors.routeTo("rich-route-dump", "198.20.0.0");
        assertEquals(1400, metrics.mtu());
        assertEquals(1360, metrics.advmss());
        assertEquals(77, metrics.priority());
        RouteMessage ecmp = Vectors.routeTo("rich-route-dump", "198.20.1.0");
        List<NextHop> hops = ecmp.nextHops();
        assertEquals(2, hops.size());
        assertEquals("198.18.0.7", hops.get(0).gateway().getHostAddress());
        assertEquals(1, hops.get(0).weight());
        assertEquals("198.18.0.8", hops.get(1).gateway().getHostAddress());
        assertEquals(3, hops.get(1).weight());
        assertArrayEquals(
                ecmp.attributes().bytes(Rta.RTA_MULTIPATH),
                NextHop.encodeAll(hops),
                "next hops re-encode as the kernel wrote them");
    }

    @Test
    void vlanInfoDecodes() {
        // this kernel has no vlan driver to capture from: the layout is the kernel's (id u16, protocol be16)
        dev.podnet.netlink.attr.AttributeList attrs = dev.podnet.netlink.attr.AttributeList.builder()
                .string(Ifla.IFLA_IFNAME, "v1.10")
                .nested(
                        Ifla.IFLA_LINKINFO,
                        li -> li.string(Ifla.IFLA_INFO_KIND, "vlan")
                                .nested(
                                        Ifla.IFLA_INFO_DATA,
                                        d -> d.u16(LinkKinds.Vlan.IFLA_VLAN_ID, 10)
                                                .u16(LinkKinds.Vlan.IFLA_VLAN_PROTOCOL, 0x0081)))
                .build();
        io.netty.buffer.ByteBuf b = Unpooled.buffer();
        NetlinkCodec.encode(LinkMessage.request(Rtm.RTM_NEWLINK, 0, 9, 0, 0, attrs), 1, 0, b);
        List<NetlinkMessage> out = new ArrayList<>();
        NetlinkCodec.decode(b, RouteMessages.INSTANCE, out);
        LinkMessage vlan = (LinkMessage) out.get(0);
        assertEquals("vlan", vlan.kind());
        LinkKinds.Vlan.Info info = LinkKinds.Vlan.Info.of(vlan.kindData());
        assertEquals(10, info.id());
        assertEquals(0x8100, info.protocol(), "802.1Q, from network byte order");
    }
}
