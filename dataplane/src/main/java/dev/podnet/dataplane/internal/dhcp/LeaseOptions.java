package dev.podnet.dataplane.internal.dhcp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link DhcpLease} as option values: computed once per server, the same for every reply. */
final class LeaseOptions {
    private LeaseOptions() {}

    /** The configuration options the lease asks for, code to value, in ascending code order. */
    static Map<Integer, byte[]> configured(DhcpLease lease) {
        Map<Integer, byte[]> o = new LinkedHashMap<>();
        o.put(DhcpOptions.SUBNET_MASK, u32(mask(lease.prefixLength())));
        if (lease.gateway() != null) {
            // sent even with option 121, for clients that do not know 121
            o.put(DhcpOptions.ROUTERS, lease.gateway().getAddress());
        }
        if (!lease.dnsServers().isEmpty()) {
            ByteBuffer servers = ByteBuffer.allocate(4 * lease.dnsServers().size());
            lease.dnsServers().forEach(a -> servers.put(a.getAddress()));
            o.put(DhcpOptions.DOMAIN_NAME_SERVERS, servers.array());
        }
        if (lease.hasDomain()) {
            o.put(DhcpOptions.DOMAIN_NAME, lease.domain().getBytes(StandardCharsets.US_ASCII));
        }
        if (lease.mtu() > 0) {
            o.put(DhcpOptions.INTERFACE_MTU, new byte[] {(byte) (lease.mtu() >>> 8), (byte) lease.mtu()});
        }
        if (!lease.search().isEmpty()) {
            o.put(DhcpOptions.DOMAIN_SEARCH, domainSearch(lease.search()));
        }
        if (!lease.routes().isEmpty()) {
            o.put(DhcpOptions.CLASSLESS_STATIC_ROUTE, classlessRoutes(routesSent(lease)));
        }
        return Collections.unmodifiableMap(o);
    }

    /** Options 51, 58 and 59: the lease time, T1 at half of it and T2 at seven eighths (RFC 2131 4.4.5). */
    static Map<Integer, byte[]> leaseTimes(int leaseSeconds) {
        Map<Integer, byte[]> o = new LinkedHashMap<>();
        o.put(DhcpOptions.DHCP_LEASE_TIME, u32(leaseSeconds));
        o.put(DhcpOptions.DHCP_RENEWAL_TIME, u32(leaseSeconds / 2));
        o.put(DhcpOptions.DHCP_REBINDING_TIME, u32((int) ((long) leaseSeconds * 7 / 8)));
        return Collections.unmodifiableMap(o);
    }

    /**
     * The lease's routes plus, when there is a gateway and no default among them, 0.0.0.0/0 via the
     * gateway: a client that gets option 121 ignores option 3 (RFC 3442), so without it the VM
     * would have no default route. It goes last so that a route to the gateway itself, listed
     * before it, is in place when the client adds the default.
     */
    static List<DhcpLease.Route> routesSent(DhcpLease lease) {
        List<DhcpLease.Route> routes = new ArrayList<>(lease.routes());
        boolean hasDefault = routes.stream().anyMatch(r -> r.prefixLength() == 0);
        if (lease.gateway() != null && !hasDefault) {
            routes.add(DhcpLease.Route.defaultVia(lease.gateway()));
        }
        return routes;
    }

    /**
     * RFC 3442 encoding: per route the prefix length, the destination's significant octets
     * (prefix length / 8, rounded up), then the router's 4 octets.
     */
    static byte[] classlessRoutes(List<DhcpLease.Route> routes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (DhcpLease.Route r : routes) {
            out.write(r.prefixLength());
            out.write(r.destination().getAddress(), 0, (r.prefixLength() + 7) / 8);
            out.write(r.gateway().getAddress(), 0, 4);
        }
        return out.toByteArray();
    }

    /** RFC 3397: the names one after another, each DNS-encoded; no compression, which is allowed. */
    static byte[] domainSearch(List<String> names) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String name : names) {
            byte[] encoded = dnsName("search", name);
            out.write(encoded, 0, encoded.length);
        }
        return out.toByteArray();
    }

    /**
     * {@code name} in DNS wire form (RFC 1035 3.1): length-prefixed labels and a zero byte. A
     * trailing dot is accepted.
     *
     * @param field names the value in the error
     * @throws IllegalArgumentException when the name is empty, not printable ASCII (an IDN must be
     *                                  given as its xn-- form), has a label outside 1..63 bytes, or
     *                                  encodes to more than 255 bytes
     */
    static byte[] dnsName(String field, String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty()) {
            throw new IllegalArgumentException(field + " '" + name + "' is not a domain name");
        }
        if (!n.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException(
                    field + " '" + name + "' is not printable ASCII (give an IDN as its xn-- form)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : n.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                throw new IllegalArgumentException(field + " '" + name + "' has a label of " + label.length()
                        + " characters; a label has 1..63 (RFC 1035 2.3.4)");
            }
            out.write(label.length());
            out.write(label.getBytes(StandardCharsets.US_ASCII), 0, label.length());
        }
        out.write(0);
        if (out.size() > 255) {
            throw new IllegalArgumentException(
                    field + " '" + name + "' is " + out.size() + " bytes in DNS form, more than 255 (RFC 1035 2.3.4)");
        }
        return out.toByteArray();
    }

    /** The netmask of a prefix length, as an int; 0 for /0 (a shift by 32 would be a shift by 0). */
    static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    static byte[] u32(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }
}
