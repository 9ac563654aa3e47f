package dev.podnet.dataplane.internal.ipam;

import dev.podnet.dataplane.ipam.Cidr;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One range of a network (IPv4 or IPv6), with CNI host-local's rules: addresses between
 * {@code start} and {@code end} inside {@code subnet}, never the network address, the last address
 * of the subnet (IPv4's broadcast), the gateway or a reserved address.
 *
 * @param subnet   the subnet (host bits zero)
 * @param start    first address handed out (default: network + 1)
 * @param end      last address handed out (default: broadcast - 1)
 * @param gateway  never handed out; may be null
 * @param reserved never handed out
 */
public record AddressRange(
        Cidr subnet, InetAddress start, InetAddress end, InetAddress gateway, Set<InetAddress> reserved) {
    public AddressRange {
        Objects.requireNonNull(subnet, "subnet");
        if (!subnet.network().equals(subnet)) {
            throw new IllegalArgumentException(
                    "subnet " + subnet + " has host bits set; did you mean " + subnet.network() + "?");
        }
        int bits = subnet.address().getAddress().length * 8;
        if (subnet.prefixLength() > bits - 2) {
            throw new IllegalArgumentException("subnet " + subnet + " is too small: a /" + (bits - 2)
                    + " or larger is needed for a gateway and a pod");
        }
        BigInteger net = toBig(subnet.address());
        BigInteger last = toBig(subnet.broadcast());
        start = start != null ? start : fromBig(net.add(BigInteger.ONE), bits);
        end = end != null ? end : fromBig(last.subtract(BigInteger.ONE), bits);
        for (var e : new Object[][] {{"rangeStart", start}, {"rangeEnd", end}}) {
            InetAddress a = (InetAddress) e[1];
            if (a.getAddress().length * 8 != bits || !subnet.contains(a)) {
                throw new IllegalArgumentException(e[0] + " " + Cidr.text(a) + " is outside subnet " + subnet);
            }
        }
        if (toBig(start).compareTo(toBig(end)) > 0) {
            throw new IllegalArgumentException(
                    "rangeStart " + Cidr.text(start) + " is after rangeEnd " + Cidr.text(end));
        }
        if (gateway != null && !subnet.contains(gateway)) {
            throw new IllegalArgumentException("gateway " + Cidr.text(gateway) + " is outside subnet " + subnet);
        }
        reserved = Set.copyOf(reserved == null ? Set.of() : reserved);
    }

    /** The whole subnet, gateway at network + 1, handing out from network + 2. */
    public static AddressRange of(Cidr subnet, InetAddress gateway) {
        return new AddressRange(subnet, null, null, gateway, Set.of());
    }

    /** The first address a range of this subnet hands out by default: network + 1. */
    public InetAddress defaultStart() {
        return fromBig(toBig(subnet.address()).add(BigInteger.ONE), bits());
    }

    /** The last address a range of this subnet hands out by default: the last one but one. */
    public InetAddress defaultEnd() {
        return fromBig(toBig(subnet.broadcast()).subtract(BigInteger.ONE), bits());
    }

    /**
     * The ranges that {@code entries} describe in {@code subnet}, each {@code start-end} (either side
     * empty: the subnet's first or last assignable address); no entries: the whole subnet. An entry
     * may also be a further subnet of the same family, {@code CIDR} or {@code CIDR=GATEWAY} (host-local's
     * range set across several subnets, each with its own gateway, its first address by default),
     * handed out whole. Entries of {@code subnet} itself and no further subnet: as before; only further
     * subnets: {@code subnet} is handed out whole as well, first.
     *
     * @throws IllegalArgumentException naming the entry that is malformed or does not fit the subnet
     */
    public static List<AddressRange> of(
            Cidr subnet, InetAddress gateway, List<String> entries, Set<InetAddress> reserved) {
        List<String> own = entries.stream().filter(e -> !e.contains("/")).toList();
        List<AddressRange> out = new ArrayList<>(entries.size() + 1);
        if (own.isEmpty()) {
            out.add(new AddressRange(subnet, null, null, gateway, reserved));
        }
        for (String e : entries) {
            if (e.contains("/")) {
                int eq = e.indexOf('=');
                Cidr other = Cidr.parse(eq < 0 ? e : e.substring(0, eq));
                if (other.family() != subnet.family()) {
                    throw new IllegalArgumentException("range subnet " + other + " is not of " + subnet + "'s family");
                }
                InetAddress gw = eq < 0 ? firstHost(other) : Cidr.parseAddress(e.substring(eq + 1), "range gateway");
                out.add(new AddressRange(other, null, null, gw, reserved));
                continue;
            }
            int dash = e.indexOf('-');
            if (dash < 0) {
                throw new IllegalArgumentException("range '" + e + "' must be start-end");
            }
            String a = e.substring(0, dash);
            String b = e.substring(dash + 1);
            out.add(new AddressRange(
                    subnet,
                    a.isEmpty() ? null : Cidr.parseAddress(a, "rangeStart"),
                    b.isEmpty() ? null : Cidr.parseAddress(b, "rangeEnd"),
                    gateway,
                    reserved));
        }
        return List.copyOf(out);
    }

    /** The subnet's first host address, a gateway's default. */
    public static InetAddress firstHost(Cidr subnet) {
        return fromBig(
                toBig(subnet.network().address()).add(BigInteger.ONE),
                subnet.address().getAddress().length * 8);
    }

    /** True when this range is a whole further subnet ({@code CIDR=GATEWAY} entry) rather than a part of the network's own. */
    public boolean wholeSubnet() {
        return start.equals(defaultStart()) && end.equals(defaultEnd());
    }

    /** A stable identifier for the range, used to keep its round-robin position. */
    public String id() {
        return subnet + "|" + Cidr.text(start) + "-" + Cidr.text(end);
    }

    /** True when {@code a} may be handed out. */
    boolean assignable(BigInteger a) {
        return !a.equals(toBig(subnet.address()))
                && !a.equals(toBig(subnet.broadcast()))
                && (gateway == null || !a.equals(toBig(gateway)))
                && !reserved.contains(fromBig(a, bits()));
    }

    /** Address width in bits: 32 or 128. */
    int bits() {
        return subnet.address().getAddress().length * 8;
    }

    BigInteger first() {
        return toBig(start);
    }

    BigInteger last() {
        return toBig(end);
    }

    boolean contains(BigInteger a) {
        return a.compareTo(first()) >= 0 && a.compareTo(last()) <= 0;
    }

    static BigInteger toBig(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    static InetAddress fromBig(BigInteger v, int bits) {
        byte[] raw = v.toByteArray();
        byte[] b = new byte[bits / 8];
        int n = Math.min(raw.length, b.length);
        System.arraycopy(raw, raw.length - n, b, b.length - n, n);
        return Cidr.byAddress(b);
    }

    @Override
    public String toString() {
        return subnet + " (" + Cidr.text(start) + " - " + Cidr.text(end) + ")";
    }
}
