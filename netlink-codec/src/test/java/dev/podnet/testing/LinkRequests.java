package dev.podnet.testing;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.RequestWriter;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.Rtm;

/** The link requests kernel tests send: links made and deleted by name, links listed, the loopback asked for. */
public final class LinkRequests {
    private LinkRequests() {}

    /** {@code ip link add <name> type <kind>}, failing when the link exists. */
    public static LinkMessage newLink(String name, String kind) {
        return LinkMessage.request(
                Rtm.RTM_NEWLINK,
                Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                0,
                0,
                0,
                AttributeList.builder()
                        .string(Ifla.IFLA_IFNAME, name)
                        .nested(Ifla.IFLA_LINKINFO, li -> li.string(Ifla.IFLA_INFO_KIND, kind))
                        .build());
    }

    public static LinkMessage newBridge(String name) {
        return newLink(name, "bridge");
    }

    /** {@code newBridge(name)} written by a {@link RequestWriter}, as the add path writes its requests. */
    public static void writeBridge(RequestWriter w, String name) {
        w.begin(Rtm.RTM_NEWLINK, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                .ifinfomsg(Rtm.AF_UNSPEC, 0, 0, 0)
                .string(Ifla.IFLA_IFNAME, name)
                .nest(Ifla.IFLA_LINKINFO)
                .string(Ifla.IFLA_INFO_KIND, "bridge")
                .endNest()
                .end();
    }

    /** {@code ip link show <name>}: answered with the link. */
    public static LinkMessage getLink(String name) {
        return byName(Rtm.RTM_GETLINK, name);
    }

    /** {@code ip link del <name>}. */
    public static LinkMessage deleteLink(String name) {
        return byName(Rtm.RTM_DELLINK, name);
    }

    /** A dump of every link. */
    public static LinkMessage getLinks() {
        return LinkMessage.request(Rtm.RTM_GETLINK, 0, 0, 0, 0, AttributeList.EMPTY);
    }

    /** A GET of the loopback link (index 1): answered with the link, stamped with the request's sequence number. */
    public static LinkMessage getLoopback() {
        return LinkMessage.request(Rtm.RTM_GETLINK, 0, 1, 0, 0, AttributeList.EMPTY);
    }

    private static LinkMessage byName(int type, String name) {
        return LinkMessage.request(
                type,
                0,
                0,
                0,
                0,
                AttributeList.builder().string(Ifla.IFLA_IFNAME, name).build());
    }
}
