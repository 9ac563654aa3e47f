package dev.podnet.dataplane.internal.dhcp;

import dev.podnet.dataplane.link.MacAddress;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link DhcpServer} hands its one client: the pod's eth0 configuration, taken off eth0 and
 * served to the VM instead.
 *
 * <p>The lists are copied and immutable; a {@code null} list is taken as empty.
 *
 * @param clientMac    the VM's MAC; the only client answered. {@link MacAddress} holds exactly 6 bytes
 * @param address      the VM's address (yiaddr)
 * @param prefixLength its prefix length, sent as the subnet mask (option 1)
 * @param gateway      the default gateway (option 3, and the default route in option 121); null for none
 * @param mtu          the interface MTU (option 26), 68..65535; 0 to leave the VM's own
 * @param routes       routes beyond the subnet and the default, sent as option 121 (RFC 3442)
 * @param dnsServers   name servers (option 6), in order of preference
 * @param domain       the domain name (option 15); null or empty for none
 * @param search       the search list (option 119, RFC 3397)
 * @param leaseSeconds the lease time (option 51); T1 (58) is half of it, T2 (59) seven eighths
 * @param serverId     the server identifier (option 54): the address the responder answers from
 */
public record DhcpLease(
        MacAddress clientMac,
        Inet4Address address,
        int prefixLength,
        Inet4Address gateway,
        int mtu,
        List<Route> routes,
        List<Inet4Address> dnsServers,
        String domain,
        List<String> search,
        int leaseSeconds,
        Inet4Address serverId) {
    public DhcpLease {
        Objects.requireNonNull(clientMac, "clientMac");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(serverId, "serverId");
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefixLength " + prefixLength + " is outside 0..32");
        }
        if (mtu != 0 && (mtu < 68 || mtu > 0xffff)) {
            throw new IllegalArgumentException(
                    "mtu " + mtu + " is neither 0 (not sent) nor within 68..65535 (RFC 2132 5.1)");
        }
        if (leaseSeconds <= 0) {
            throw new IllegalArgumentException("leaseSeconds must be positive, got " + leaseSeconds);
        }
        routes = copy("routes", routes);
        dnsServers = copy("dnsServers", dnsServers);
        search = copy("search", search);
        if (domain != null && !domain.isEmpty()) {
            LeaseOptions.dnsName("domain", domain);
        }
        for (String name : search) {
            LeaseOptions.dnsName("search", name);
        }
    }

    /** Whether a domain name (option 15) is sent. */
    public boolean hasDomain() {
        return domain != null && !domain.isEmpty();
    }

    private static <T> List<T> copy(String field, List<T> list) {
        if (list == null) {
            return List.of();
        }
        List<T> out = new ArrayList<>(list.size());
        for (T element : list) {
            out.add(Objects.requireNonNull(element, () -> field + " has a null element"));
        }
        return List.copyOf(out);
    }

    /**
     * One classless static route (RFC 3442).
     *
     * @param destination  the network, with no bits set beyond the prefix
     * @param prefixLength 0..32
     * @param gateway      the router; 0.0.0.0 means on-link, which common clients (systemd-networkd,
     *                     dhcpcd) install as a link-scope route
     */
    public record Route(Inet4Address destination, int prefixLength, Inet4Address gateway) {
        public Route {
            Objects.requireNonNull(destination, "route destination");
            Objects.requireNonNull(gateway, "route gateway");
            if (prefixLength < 0 || prefixLength > 32) {
                throw new IllegalArgumentException("route prefixLength " + prefixLength + " is outside 0..32");
            }
            // RFC 3442 sends only the significant octets, so set host bits would be silently lost
            if ((ByteBuffer.wrap(destination.getAddress()).getInt() & ~LeaseOptions.mask(prefixLength)) != 0) {
                throw new IllegalArgumentException("route destination " + destination.getHostAddress() + "/"
                        + prefixLength + " has bits set beyond the prefix");
            }
        }

        /** The default route 0.0.0.0/0 via {@code gateway}. */
        public static Route defaultVia(Inet4Address gateway) {
            return new Route(DhcpMessage.ANY, 0, gateway);
        }
    }
}
