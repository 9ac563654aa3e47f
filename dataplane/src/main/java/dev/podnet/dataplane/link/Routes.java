package dev.podnet.dataplane.link;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.Rta;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.Rtm;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Builds route requests. */
public final class Routes {
    private Routes() {
    }

    /** {@code default via <gateway> dev <index>} in the main table. */
    public static RouteMessage defaultVia(InetAddress gateway, int index) {
        int family = gateway instanceof Inet4Address ? Rtm.AF_INET : Rtm.AF_INET6;
        return RouteMessage.request(Rtm.RTM_NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, family, 0,
                Rta.RT_TABLE_MAIN, Rta.RTPROT_BOOT, Rta.RT_SCOPE_UNIVERSE, Rta.RTN_UNICAST, 0,
                AttributeList.builder().address(Rta.RTA_GATEWAY, gateway).u32(Rta.RTA_OIF, index).build());
    }

    /** A dump of one routing table's routes, filtered by the kernel. */
    public static RouteMessage dumpTable(int family, int table) {
        return RouteMessage.request(Rtm.RTM_GETROUTE, 0, family, 0, 0, 0, 0, 0, 0,
                AttributeList.builder().u32(Rta.RTA_TABLE, table).build());
    }

    /** A dump of the routes of one family. */
    public static RouteMessage dumpAll(int family) {
        return RouteMessage.request(Rtm.RTM_GETROUTE, 0, family, 0, 0, 0, 0, 0, 0, AttributeList.EMPTY);
    }
}
