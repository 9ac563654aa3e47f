package dev.podnet.dataplane.internal.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RequestWriter;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.Ifa;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.Rta;
import dev.podnet.netlink.route.Rtm;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The requests of an add, written straight into a buffer ({@link RequestWriter}), are byte for byte
 * the kernel-format messages an independent reference builds with {@link AttributeList.Builder}
 * (the layout the object builders had before they became decoded writer output), whatever the
 * options; and their object forms ({@code Links.up} etc.) encode back to the same bytes.
 */
class RequestWriterEquivalenceTest {
    private static final MacAddress MAC = MacAddress.parse("02:42:c6:12:00:07");

    private static String hex(NetlinkMessage m) {
        ByteBuf b = Unpooled.buffer();
        NetlinkCodec.encode(m, 0, 0, b);
        return ByteBufUtil.hexDump(b);
    }

    private static void same(NetlinkMessage reference, NetlinkMessage objectForm, Consumer<RequestWriter> written) {
        ByteBuf b = Unpooled.buffer();
        RequestWriter w = new RequestWriter().reset(b);
        written.accept(w);
        assertEquals(1, w.count());
        assertEquals(hex(reference), ByteBufUtil.hexDump(b), reference.toString());
        assertEquals(hex(reference), hex(objectForm), "object form of " + reference);
    }

    // ---- the reference: the messages built attribute by attribute --------------------------------

    private static void noLinkLocal(AttributeList.Builder a) {
        a.nested(
                Ifla.IFLA_AF_SPEC,
                spec -> spec.nested(
                        Rtm.AF_INET6, v6 -> v6.u8(Ifla.IFLA_INET6_ADDR_GEN_MODE, Ifla.IN6_ADDR_GEN_MODE_NONE)));
    }

    private static LinkMessage refVeth(VethSpec s) {
        AttributeList.Builder a = AttributeList.builder().string(Ifla.IFLA_IFNAME, s.hostName());
        if (s.mtu() > 0) {
            a.u32(Ifla.IFLA_MTU, s.mtu());
        }
        if (s.masterIndex() > 0) {
            a.u32(Ifla.IFLA_MASTER, s.masterIndex());
        }
        if (s.group() != 0) {
            a.u32(Ifla.IFLA_GROUP, s.group());
        }
        a.u32(Ifla.IFLA_NUM_TX_QUEUES, 1).u32(Ifla.IFLA_NUM_RX_QUEUES, 1);
        int peerUp = s.noIpv6LinkLocal() ? 0 : Ifla.IFF_UP;
        a.nested(
                Ifla.IFLA_LINKINFO,
                li -> li.string(Ifla.IFLA_INFO_KIND, "veth")
                        .nested(
                                Ifla.IFLA_INFO_DATA,
                                data -> data.nestedWithHeader(
                                        Ifla.VETH_INFO_PEER,
                                        LinkMessage.ifinfomsg(Rtm.AF_UNSPEC, 0, peerUp, peerUp),
                                        peer -> {
                                            peer.string(Ifla.IFLA_IFNAME, s.peerName());
                                            peer.u32(Ifla.IFLA_NET_NS_FD, s.peerNetnsFd());
                                            if (s.peerMac() != null) {
                                                peer.bytes(
                                                        Ifla.IFLA_ADDRESS,
                                                        s.peerMac().bytes());
                                            }
                                            if (s.mtu() > 0) {
                                                peer.u32(Ifla.IFLA_MTU, s.mtu());
                                            }
                                            peer.u32(Ifla.IFLA_NUM_TX_QUEUES, 1).u32(Ifla.IFLA_NUM_RX_QUEUES, 1);
                                        })));
        int up = s.hostUp() ? Ifla.IFF_UP : 0;
        return LinkMessage.request(
                Rtm.RTM_NEWLINK, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL | Netlink.NLM_F_ECHO, 0, up, up, a.build());
    }

    private static LinkMessage refNoLinkLocal(int index, String name, String alias) {
        AttributeList.Builder a = AttributeList.builder();
        if (name != null) {
            a.string(Ifla.IFLA_IFNAME, name);
        }
        if (alias != null) {
            a.string(Ifla.IFLA_IFALIAS, alias);
        }
        noLinkLocal(a);
        return LinkMessage.request(Rtm.RTM_SETLINK, 0, index, 0, 0, a.build());
    }

    private static AddressMessage refAdd(int index, Cidr address) {
        AttributeList.Builder a = AttributeList.builder()
                .address(Ifa.IFA_LOCAL, address.address())
                .address(Ifa.IFA_ADDRESS, address.address());
        int flags = 0;
        if (address.address() instanceof Inet4Address) {
            if (address.prefixLength() < 31) {
                a.address(Ifa.IFA_BROADCAST, address.broadcast());
            }
        } else {
            flags = Ifa.IFA_F_NODAD;
        }
        return AddressMessage.request(
                Rtm.RTM_NEWADDR,
                Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                address.family(),
                address.prefixLength(),
                flags,
                Rta.RT_SCOPE_UNIVERSE,
                index,
                a.build());
    }

    private static RouteMessage refDefaultVia(InetAddress gateway, int index) {
        int family = gateway instanceof Inet4Address ? Rtm.AF_INET : Rtm.AF_INET6;
        return RouteMessage.request(
                Rtm.RTM_NEWROUTE,
                Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                family,
                0,
                Rta.RT_TABLE_MAIN,
                Rta.RTPROT_BOOT,
                Rta.RT_SCOPE_UNIVERSE,
                Rta.RTN_UNICAST,
                0,
                AttributeList.builder()
                        .address(Rta.RTA_GATEWAY, gateway)
                        .u32(Rta.RTA_OIF, index)
                        .build());
    }

    // ---- the comparisons ------------------------------------------------------------------------

    @Test
    void vethCreatesMatch() {
        for (VethSpec s : new VethSpec[] {
            new VethSpec("pn0123456789ab", 3, 0, 0, "eth0", 42, MAC, true, false),
            new VethSpec("pn0123456789ab", 3, 1400, 7, "eth1", 42, MAC, true, true),
            new VethSpec("p", 0, 9000, 0, "net0123456789a", 5, null, false, true),
            new VethSpec("ab", 0, 0, 0, "eth0", 1, null, true, false)
        }) {
            same(refVeth(s), Links.newVethIntoNamespace(s), w -> Links.writeVethIntoNamespace(w, s));
        }
    }

    @Test
    void setLinksMatch() {
        for (String alias : new String[] {"podnet:pods:c0ffee01/eth0", "a", "abc", "abcd", "pödnet:ü/eth0"}) {
            same(
                    refNoLinkLocal(0, "pn0123", alias),
                    Links.setAliasWithoutLinkLocal("pn0123", alias),
                    w -> Links.writeSetAliasWithoutLinkLocal(w, "pn0123", alias));
            same(
                    refNoLinkLocal(7, null, alias),
                    Links.noIpv6LinkLocal(7, alias),
                    w -> Links.writeNoIpv6LinkLocal(w, 7, alias));
        }
        same(refNoLinkLocal(7, null, null), Links.noIpv6LinkLocal(7), w -> Links.writeNoIpv6LinkLocal(w, 7, null));
        same(
                LinkMessage.request(Rtm.RTM_SETLINK, 0, 12, Ifla.IFF_UP, Ifla.IFF_UP, AttributeList.EMPTY),
                Links.up(12),
                w -> Links.writeUp(w, 12));
    }

    @Test
    void addressesAndRoutesMatch() {
        for (String a : new String[] {
            "198.18.0.7/16",
            "198.18.255.254/16",
            "198.19.0.2/24",
            "198.19.0.2/31",
            "198.19.0.2/32",
            "198.18.0.1/0",
            "fd00:18::7/64",
            "fe80::1/64"
        }) {
            Cidr c = Cidr.parse(a);
            same(refAdd(3, c), Addresses.add(3, c), w -> Addresses.writeAdd(w, 3, c));
        }
        for (String g : new String[] {"198.18.0.1", "fd00:18::1"}) {
            InetAddress gw = Cidr.parseAddress(g, "gateway");
            same(refDefaultVia(gw, 9), Routes.defaultVia(gw, 9), w -> Routes.writeDefaultVia(w, gw, 9));
        }
    }

    @Test
    void objectsAppendedToAWrittenBatchKeepTheirPlace() {
        ByteBuf a = Unpooled.buffer();
        NetlinkCodec.encode(Links.up(1), 0, 0, a);
        NetlinkCodec.encode(Links.hairpinOn("pn0"), 0, 0, a);
        NetlinkCodec.encode(Links.up(2), 0, 0, a);
        ByteBuf b = Unpooled.buffer();
        RequestWriter w = new RequestWriter().reset(b);
        Links.writeUp(w, 1);
        w.message(Links.hairpinOn("pn0"));
        Links.writeUp(w, 2);
        assertEquals(3, w.count());
        assertEquals(ByteBufUtil.hexDump(a), ByteBufUtil.hexDump(b));
    }
}
