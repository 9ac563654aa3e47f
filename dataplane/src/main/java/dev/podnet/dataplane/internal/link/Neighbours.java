package dev.podnet.dataplane.internal.link;

import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.Nda;
import dev.podnet.netlink.route.NeighbourMessage;
import dev.podnet.netlink.route.Rtm;
import java.net.Inet4Address;
import java.net.InetAddress;

/** Neighbour-table requests. */
public final class Neighbours {
    private Neighbours() {}

    /**
     * {@code ip neigh replace <ip> lladdr <mac> dev <index> nud permanent}: the kernel sends traffic
     * for {@code ip} on that link to {@code mac} without asking (no ARP or neighbour solicitation).
     */
    public static NeighbourMessage permanent(int index, InetAddress ip, MacAddress mac) {
        return NeighbourMessage.request(
                Rtm.RTM_NEWNEIGH,
                Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE,
                ip instanceof Inet4Address ? Rtm.AF_INET : Rtm.AF_INET6,
                index,
                Nda.NUD_PERMANENT,
                AttributeList.builder()
                        .address(Nda.NDA_DST, ip)
                        .bytes(Nda.NDA_LLADDR, mac.bytes())
                        .build());
    }
}
