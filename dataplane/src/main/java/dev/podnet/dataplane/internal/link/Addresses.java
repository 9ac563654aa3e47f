package dev.podnet.dataplane.internal.link;

import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.RequestWriter;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.Ifa;
import dev.podnet.netlink.route.Rta;
import dev.podnet.netlink.route.Rtm;
import java.net.Inet4Address;

/** Builds address requests. */
public final class Addresses {
    private Addresses() {}

    /**
     * Adds {@code address} (with its prefix) to link {@code index}, as {@code ip addr add} does:
     * IFA_LOCAL and IFA_ADDRESS, and for IPv4 the subnet's broadcast address. IPv6 addresses skip
     * duplicate-address detection: a sandbox's address is unique by construction.
     */
    public static AddressMessage add(int index, Cidr address) {
        return (AddressMessage) RequestWriter.asObject(
                dev.podnet.netlink.route.RouteMessages.INSTANCE, w -> writeAdd(w, index, address));
    }

    /** {@link #add}, written by {@code w} (the object form is this, decoded). */
    public static RequestWriter writeAdd(RequestWriter w, int index, Cidr address) {
        int prefix = address.prefixLength();
        if (!(address.address() instanceof Inet4Address)) {
            return w.begin(Rtm.RTM_NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                    .ifaddrmsg(Rtm.AF_INET6, prefix, Ifa.IFA_F_NODAD, Rta.RT_SCOPE_UNIVERSE, index)
                    .address(Ifa.IFA_LOCAL, address.address())
                    .address(Ifa.IFA_ADDRESS, address.address())
                    .end();
        }
        byte[] b = address.address().getAddress();
        int ip = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        w.begin(Rtm.RTM_NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                .ifaddrmsg(Rtm.AF_INET, prefix, 0, Rta.RT_SCOPE_UNIVERSE, index)
                .ipv4(Ifa.IFA_LOCAL, ip)
                .ipv4(Ifa.IFA_ADDRESS, ip);
        if (prefix < 31) {
            w.ipv4(Ifa.IFA_BROADCAST, ip | (int) (0xffffffffL >>> prefix));
        }
        return w.end();
    }

    /** Removes {@code address} from link {@code index}. */
    public static AddressMessage delete(int index, Cidr address) {
        return AddressMessage.request(
                Rtm.RTM_DELADDR,
                0,
                address.family(),
                address.prefixLength(),
                0,
                Rta.RT_SCOPE_UNIVERSE,
                index,
                AttributeList.builder()
                        .address(Ifa.IFA_LOCAL, address.address())
                        .address(Ifa.IFA_ADDRESS, address.address())
                        .build());
    }

    /**
     * Adds {@code address} to link {@code index} without the prefix route the kernel would add for
     * its subnet ({@code IFA_F_NOPREFIXROUTE}): the ptp shape routes the subnet via the gateway instead.
     */
    public static AddressMessage addWithoutPrefixRoute(int index, Cidr address) {
        AttributeList a = AttributeList.builder()
                .address(Ifa.IFA_LOCAL, address.address())
                .address(Ifa.IFA_ADDRESS, address.address())
                .u32(Ifa.IFA_FLAGS, Ifa.IFA_F_NOPREFIXROUTE | (address.isIpv4() ? 0 : Ifa.IFA_F_NODAD))
                .build();
        return AddressMessage.request(
                Rtm.RTM_NEWADDR,
                Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                address.family(),
                address.prefixLength(),
                address.isIpv4() ? 0 : Ifa.IFA_F_NODAD,
                Rta.RT_SCOPE_UNIVERSE,
                index,
                a);
    }

    /**
     * A dump of the addresses of link {@code index} only, filtered by the kernel (needs the socket's
     * strict checking, which {@link dev.podnet.netlink.channel.NetlinkSocket} turns on).
     */
    public static AddressMessage dumpOf(int family, int index) {
        return AddressMessage.request(Rtm.RTM_GETADDR, 0, family, 0, 0, 0, index, AttributeList.EMPTY);
    }

    /** A dump of every address of one family ({@code AF_UNSPEC} for all). */
    public static AddressMessage dumpAll(int family) {
        return AddressMessage.request(Rtm.RTM_GETADDR, 0, family, 0, 0, 0, 0, AttributeList.EMPTY);
    }
}
