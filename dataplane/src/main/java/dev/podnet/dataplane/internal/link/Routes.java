package dev.podnet.dataplane.internal.link;

import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.RequestWriter;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.NextHop;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.Rta;
import dev.podnet.netlink.route.Rtm;
import java.net.Inet4Address;
import java.net.InetAddress;

/** Builds route requests. */
public final class Routes {
    private Routes() {}

    /** {@code default via <gateway> dev <index>} in the main table. */
    public static RouteMessage defaultVia(InetAddress gateway, int index) {
        return (RouteMessage) RequestWriter.asObject(
                dev.podnet.netlink.route.RouteMessages.INSTANCE, w -> writeDefaultVia(w, gateway, index));
    }

    /** {@link #defaultVia}, written by {@code w} (the object form is this, decoded). */
    public static RequestWriter writeDefaultVia(RequestWriter w, InetAddress gateway, int index) {
        int family = gateway instanceof Inet4Address ? Rtm.AF_INET : Rtm.AF_INET6;
        return w.begin(Rtm.RTM_NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                .rtmsg(family, 0, Rta.RT_TABLE_MAIN, Rta.RTPROT_BOOT, Rta.RT_SCOPE_UNIVERSE, Rta.RTN_UNICAST, 0)
                .address(Rta.RTA_GATEWAY, gateway)
                .u32(Rta.RTA_OIF, index)
                .end();
    }

    /** Removes the default route via {@code gateway} on {@code index}. */
    public static RouteMessage deleteDefaultVia(InetAddress gateway, int index) {
        int family = gateway instanceof Inet4Address ? Rtm.AF_INET : Rtm.AF_INET6;
        return RouteMessage.request(
                Rtm.RTM_DELROUTE,
                0,
                family,
                0,
                Rta.RT_TABLE_MAIN,
                0,
                0,
                0,
                0,
                AttributeList.builder()
                        .address(Rta.RTA_GATEWAY, gateway)
                        .u32(Rta.RTA_OIF, index)
                        .build());
    }

    /** The {@code RTM_DELROUTE} that removes the route {@code add} made. */
    public static RouteMessage delete(RouteMessage add) {
        return RouteMessage.request(
                Rtm.RTM_DELROUTE, 0, add.family(), add.dstLength(), add.table(), 0, 0, 0, 0, add.attributes());
    }

    /** {@code <dst>/32 dev <index> scope link}: a host route straight out of one interface. */
    public static RouteMessage hostRoute(InetAddress dst, int index, InetAddress source) {
        int bits = dst.getAddress().length * 8;
        AttributeList.Builder a =
                AttributeList.builder().address(Rta.RTA_DST, dst).u32(Rta.RTA_OIF, index);
        if (source != null) {
            a.address(Rta.RTA_PREFSRC, source);
        }
        return newRoute(
                dst instanceof Inet4Address ? Rtm.AF_INET : Rtm.AF_INET6,
                bits,
                Rta.RTPROT_BOOT,
                Rta.RT_SCOPE_LINK,
                a.build());
    }

    /** {@code <subnet> via <gateway> dev <index> src <source>}. */
    public static RouteMessage subnetVia(Cidr subnet, InetAddress gateway, int index, InetAddress source) {
        return newRoute(
                subnet.family(),
                subnet.prefixLength(),
                Rta.RTPROT_BOOT,
                Rta.RT_SCOPE_UNIVERSE,
                AttributeList.builder()
                        .address(Rta.RTA_DST, subnet.network().address())
                        .address(Rta.RTA_GATEWAY, gateway)
                        .u32(Rta.RTA_OIF, index)
                        .address(Rta.RTA_PREFSRC, source)
                        .build());
    }

    /**
     * {@code <dst> via <gateway> dev <index>} in the main table, with a metric and the MTU and
     * advertised-MSS metrics when they are positive.
     */
    public static RouteMessage via(Cidr dst, InetAddress gateway, int index, int metric, int mtu, int advmss) {
        AttributeList.Builder a = AttributeList.builder()
                .address(Rta.RTA_DST, dst.network().address())
                .address(Rta.RTA_GATEWAY, gateway)
                .u32(Rta.RTA_OIF, index);
        if (metric > 0) {
            a.u32(Rta.RTA_PRIORITY, metric);
        }
        if (mtu > 0 || advmss > 0) {
            a.nested(Rta.RTA_METRICS, m -> {
                if (mtu > 0) {
                    m.u32(Rta.RTAX_MTU, mtu);
                }
                if (advmss > 0) {
                    m.u32(Rta.RTAX_ADVMSS, advmss);
                }
            });
        }
        return newRoute(dst.family(), dst.prefixLength(), Rta.RTPROT_STATIC, Rta.RT_SCOPE_UNIVERSE, a.build());
    }

    /** An equal-cost (weighted) multipath route to {@code dst} over {@code hops}. */
    public static RouteMessage multipath(Cidr dst, java.util.List<NextHop> hops) {
        if (hops.size() < 2) {
            throw new IllegalArgumentException("a multipath route needs at least two next hops, got " + hops.size());
        }
        return newRoute(
                dst.family(),
                dst.prefixLength(),
                Rta.RTPROT_STATIC,
                Rta.RT_SCOPE_UNIVERSE,
                AttributeList.builder()
                        .address(Rta.RTA_DST, dst.network().address())
                        .bytes(Rta.RTA_MULTIPATH, NextHop.encodeAll(hops))
                        .build());
    }

    /**
     * {@code RTM_NEWROUTE} of a unicast route in the main table, refused when it exists already
     * ({@code ip route add}).
     */
    private static RouteMessage newRoute(int family, int dstLength, int protocol, int scope, AttributeList attributes) {
        return RouteMessage.request(
                Rtm.RTM_NEWROUTE,
                Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                family,
                dstLength,
                Rta.RT_TABLE_MAIN,
                protocol,
                scope,
                Rta.RTN_UNICAST,
                0,
                attributes);
    }

    /** A dump of one routing table's routes, filtered by the kernel. */
    public static RouteMessage dumpTable(int family, int table) {
        return dump(family, AttributeList.builder().u32(Rta.RTA_TABLE, table).build());
    }

    /** A dump of the routes of one family. */
    public static RouteMessage dumpAll(int family) {
        return dump(family, AttributeList.EMPTY);
    }

    private static RouteMessage dump(int family, AttributeList filter) {
        return RouteMessage.request(Rtm.RTM_GETROUTE, 0, family, 0, 0, 0, 0, 0, 0, filter);
    }
}
