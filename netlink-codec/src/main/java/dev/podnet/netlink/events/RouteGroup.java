package dev.podnet.netlink.events;

import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.NeighbourMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.Rtm;

/**
 * rtnetlink multicast groups ({@code RTNLGRP_*}), each with the dump that re-reads its whole
 * state after messages were lost.
 */
public enum RouteGroup {
    LINK(1),
    NEIGH(3),
    IPV4_IFADDR(5),
    IPV4_ROUTE(7),
    IPV6_IFADDR(9),
    IPV6_ROUTE(11);

    private final int number;

    RouteGroup(int number) {
        this.number = number;
    }

    /** The kernel's group number. */
    public int number() {
        return number;
    }

    /** The dump request that returns everything this group reports on. */
    public NetlinkMessage resyncDump() {
        return switch (this) {
            case LINK -> LinkMessage.request(Rtm.RTM_GETLINK, AttributeList.EMPTY);
            case NEIGH -> NeighbourMessage.request(Rtm.RTM_GETNEIGH, 0, Rtm.AF_UNSPEC, 0, 0, AttributeList.EMPTY);
            case IPV4_IFADDR ->
                AddressMessage.request(Rtm.RTM_GETADDR, 0, Rtm.AF_INET, 0, 0, 0, 0, AttributeList.EMPTY);
            case IPV6_IFADDR ->
                AddressMessage.request(Rtm.RTM_GETADDR, 0, Rtm.AF_INET6, 0, 0, 0, 0, AttributeList.EMPTY);
            case IPV4_ROUTE ->
                RouteMessage.request(Rtm.RTM_GETROUTE, 0, Rtm.AF_INET, 0, 0, 0, 0, 0, 0, AttributeList.EMPTY);
            case IPV6_ROUTE ->
                RouteMessage.request(Rtm.RTM_GETROUTE, 0, Rtm.AF_INET6, 0, 0, 0, 0, 0, 0, AttributeList.EMPTY);
        };
    }
}
