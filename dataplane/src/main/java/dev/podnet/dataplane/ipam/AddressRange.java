package dev.podnet.dataplane.ipam;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Set;

/**
 * One IPv4 range of a network, with CNI host-local's rules: addresses between {@code start} and
 * {@code end} inside {@code subnet}, never the network address, the broadcast address, the
 * gateway or a reserved address.
 *
 * @param subnet   the subnet (host bits zero)
 * @param start    first address handed out (default: network + 1)
 * @param end      last address handed out (default: broadcast - 1)
 * @param gateway  never handed out; may be null
 * @param reserved never handed out
 */
public record AddressRange(Cidr subnet, InetAddress start, InetAddress end, InetAddress gateway, Set<InetAddress> reserved) {
    public AddressRange {
        Objects.requireNonNull(subnet, "subnet");
        if (!subnet.isIpv4()) {
            throw new IllegalArgumentException("subnet " + subnet + ": only IPv4 ranges are supported so far");
        }
        if (!subnet.network().equals(subnet)) {
            throw new IllegalArgumentException("subnet " + subnet + " has host bits set; did you mean " + subnet.network() + "?");
        }
        if (subnet.prefixLength() > 30) {
            throw new IllegalArgumentException("subnet " + subnet + " is too small: a /30 or larger is needed for a gateway and a pod");
        }
        long net = toLong(subnet.address());
        long bcast = toLong(subnet.broadcast());
        start = start != null ? start : fromLong(net + 1);
        end = end != null ? end : fromLong(bcast - 1);
        for (var e : new Object[][]{{"rangeStart", start}, {"rangeEnd", end}}) {
            InetAddress a = (InetAddress) e[1];
            if (!(a instanceof Inet4Address) || !subnet.contains(a)) {
                throw new IllegalArgumentException(e[0] + " " + a.getHostAddress() + " is outside subnet " + subnet);
            }
        }
        if (toLong(start) > toLong(end)) {
            throw new IllegalArgumentException("rangeStart " + start.getHostAddress() + " is after rangeEnd " + end.getHostAddress());
        }
        if (gateway != null && !subnet.contains(gateway)) {
            throw new IllegalArgumentException("gateway " + gateway.getHostAddress() + " is outside subnet " + subnet);
        }
        reserved = Set.copyOf(reserved == null ? Set.of() : reserved);
    }

    /** The whole subnet, gateway at network + 1, handing out from network + 2. */
    public static AddressRange of(Cidr subnet, InetAddress gateway) {
        return new AddressRange(subnet, null, null, gateway, Set.of());
    }

    /** A stable identifier for the range, used to keep its round-robin position. */
    public String id() {
        return subnet + "|" + start.getHostAddress() + "-" + end.getHostAddress();
    }

    /** True when {@code a} may be handed out. */
    boolean assignable(long a) {
        return a != toLong(subnet.address()) && a != toLong(subnet.broadcast())
                && (gateway == null || a != toLong(gateway)) && !reserved.contains(fromLong(a));
    }

    static long toLong(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
    }

    static InetAddress fromLong(long v) {
        return Cidr.byAddress(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    @Override
    public String toString() {
        return subnet + " (" + start.getHostAddress() + " - " + end.getHostAddress() + ")";
    }
}
