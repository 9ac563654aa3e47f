package dev.podnet.api;

import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.ipam.AddressAllocator;
import dev.podnet.dataplane.internal.ipam.AddressRange;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.internal.state.PodConfig;
import dev.podnet.dataplane.ipam.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A network to create. Start from {@link #bridge(String, String, String)} or {@link #ptp} and refine
 * with the {@code with} methods; a spec is immutable, each {@code with} method returns a new one.
 */
public final class NetworkSpec {
    private final String name;
    private final NetworkMode mode;
    private final String bridge;
    private final String subnet;
    private final String gateway;
    private final int mtu;
    private final List<String> ranges;
    private final List<String> reserved;
    private final boolean hairpin;
    private final boolean macFromIp;
    private final String uplink;
    private final String subnet6;
    private final String gateway6;
    private final List<String> ranges6;
    private final boolean ipv6FromMac;
    private final PodConfig pod;

    private NetworkSpec(
            String name,
            NetworkMode mode,
            String bridge,
            String subnet,
            String gateway,
            int mtu,
            List<String> ranges,
            List<String> reserved,
            boolean hairpin,
            boolean macFromIp,
            String uplink,
            String subnet6,
            String gateway6,
            List<String> ranges6,
            boolean ipv6FromMac,
            PodConfig pod) {
        this.name = name;
        this.mode = mode;
        this.bridge = bridge;
        this.subnet = subnet;
        this.gateway = gateway;
        this.mtu = mtu;
        this.ranges = List.copyOf(ranges == null ? List.of() : ranges);
        this.reserved = List.copyOf(reserved == null ? List.of() : reserved);
        this.hairpin = hairpin;
        this.macFromIp = macFromIp;
        this.uplink = uplink;
        this.subnet6 = subnet6;
        this.gateway6 = gateway6;
        this.ranges6 = List.copyOf(ranges6 == null ? List.of() : ranges6);
        this.ipv6FromMac = ipv6FromMac;
        this.pod = pod == null ? PodConfig.DEFAULT : pod;
    }

    /** A bridge network over IPv4 {@code subnet} (null for an IPv6-only network: then give {@link #withIpv6}), gateway at its first address, default MTU. */
    public static NetworkSpec bridge(String name, String bridge, String subnet) {
        return new NetworkSpec(
                name,
                NetworkMode.BRIDGE,
                bridge,
                subnet,
                null,
                0,
                null,
                null,
                false,
                false,
                null,
                null,
                null,
                null,
                false,
                PodConfig.DEFAULT);
    }

    /** A point-to-point network over {@code subnet} (CNI ptp), gateway at its first address. */
    public static NetworkSpec ptp(String name, String subnet) {
        return new NetworkSpec(
                name,
                NetworkMode.PTP,
                "",
                subnet,
                null,
                0,
                null,
                null,
                false,
                false,
                null,
                null,
                null,
                null,
                false,
                PodConfig.DEFAULT);
    }

    public NetworkSpec withGateway(String g) {
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                g,
                mtu,
                ranges,
                reserved,
                hairpin,
                macFromIp,
                uplink,
                subnet6,
                gateway6,
                ranges6,
                ipv6FromMac,
                pod);
    }

    public NetworkSpec withMtu(int m) {
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                m,
                ranges,
                reserved,
                hairpin,
                macFromIp,
                uplink,
                subnet6,
                gateway6,
                ranges6,
                ipv6FromMac,
                pod);
    }

    /**
     * Adds a further subnet of either family to the network's range set, handed out whole, with its
     * own gateway ({@code null}: its first address), as host-local's range sets spanning several
     * subnets: a pod given an address of it gets its prefix and its gateway.
     */
    public NetworkSpec withSubnetRange(String cidr, String gw) {
        String entry = blank(gw) ? cidr : cidr + "=" + gw;
        boolean v6 = cidr != null && cidr.contains(":");
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                v6 ? ranges : plus(ranges, entry),
                reserved,
                hairpin,
                macFromIp,
                uplink,
                subnet6,
                gateway6,
                v6 ? plus(ranges6, entry) : ranges6,
                ipv6FromMac,
                pod);
    }

    /**
     * Adds an IPv4 range from {@code start} to {@code end} (null: the subnet's first or last
     * assignable address); both null adds nothing. Addresses are handed out round-robin across
     * the ranges, in the order they were added.
     */
    public NetworkSpec withRange(String start, String end) {
        if (blank(start) && blank(end)) {
            return this;
        }
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                plus(ranges, range(start, end)),
                reserved,
                hairpin,
                macFromIp,
                uplink,
                subnet6,
                gateway6,
                ranges6,
                ipv6FromMac,
                pod);
    }

    /** Adds an IPv6 range, as {@link #withRange}. */
    public NetworkSpec withRange6(String start, String end) {
        if (blank(start) && blank(end)) {
            return this;
        }
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                ranges,
                reserved,
                hairpin,
                macFromIp,
                uplink,
                subnet6,
                gateway6,
                plus(ranges6, range(start, end)),
                ipv6FromMac,
                pod);
    }

    /** Addresses (either family) that are never handed out, beyond the network, broadcast and gateways. */
    public NetworkSpec withReserved(String... addresses) {
        List<String> all = new ArrayList<>(reserved);
        all.addAll(List.of(addresses));
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                ranges,
                all,
                hairpin,
                macFromIp,
                uplink,
                subnet6,
                gateway6,
                ranges6,
                ipv6FromMac,
                pod);
    }

    public NetworkSpec withHairpin(boolean on) {
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                ranges,
                reserved,
                on,
                macFromIp,
                uplink,
                subnet6,
                gateway6,
                ranges6,
                ipv6FromMac,
                pod);
    }

    public NetworkSpec withMacFromIp(boolean on) {
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                ranges,
                reserved,
                hairpin,
                on,
                uplink,
                subnet6,
                gateway6,
                ranges6,
                ipv6FromMac,
                pod);
    }

    /** Makes the network dual stack with {@code ipv6Subnet} (e.g. {@code fd00:18::/64}), gateway at its first address. */
    public NetworkSpec withIpv6(String ipv6Subnet) {
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                ranges,
                reserved,
                hairpin,
                macFromIp,
                uplink,
                ipv6Subnet,
                gateway6,
                ranges6,
                ipv6FromMac,
                pod);
    }

    /**
     * Makes the network dual stack with addresses derived from each pod's MAC: {@code ipv6Prefix}
     * (at most a /80) followed by the MAC, as libnetwork's bridge driver does without an IPv6 range.
     */
    public NetworkSpec withIpv6FromMac(String ipv6Prefix) {
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                ranges,
                reserved,
                hairpin,
                macFromIp,
                uplink,
                ipv6Prefix,
                gateway6,
                ranges6,
                true,
                pod);
    }

    public NetworkSpec withIpv6Gateway(String g) {
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                ranges,
                reserved,
                hairpin,
                macFromIp,
                uplink,
                subnet6,
                g,
                ranges6,
                ipv6FromMac,
                pod);
    }

    public NetworkSpec withUplink(String ifName) {
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                ranges,
                reserved,
                hairpin,
                macFromIp,
                ifName,
                subnet6,
                gateway6,
                ranges6,
                ipv6FromMac,
                pod);
    }

    /**
     * Whether pods get their default route (per family) through this network (default: yes). A pod
     * on several networks takes it from one: create the others without.
     */
    public NetworkSpec withDefaultRoute(boolean on) {
        return withPod(new PodConfig(on, pod.routes(), pod.nameservers(), pod.domain(), pod.search(), pod.options()));
    }

    /**
     * Adds a route installed in every pod (host-local's {@code routes}): {@code dst} (a CIDR of either
     * family the network serves) via {@code gateway}, or via the network's gateway of that family
     * when {@code gateway} is null.
     */
    public NetworkSpec withRoute(String dst, String gateway) {
        List<String> routes = plus(pod.routes(), blank(gateway) ? dst : dst + "=" + gateway);
        return withPod(new PodConfig(
                pod.defaultRoute(), routes, pod.nameservers(), pod.domain(), pod.search(), pod.options()));
    }

    /** DNS settings handed to the runtime with every endpoint (CNI's {@code dns}); null or empty for none. */
    public NetworkSpec withDns(List<String> nameservers, String domain, List<String> search, List<String> options) {
        return withPod(new PodConfig(pod.defaultRoute(), pod.routes(), nameservers, domain, search, options));
    }

    private NetworkSpec withPod(PodConfig p) {
        return new NetworkSpec(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                ranges,
                reserved,
                hairpin,
                macFromIp,
                uplink,
                subnet6,
                gateway6,
                ranges6,
                ipv6FromMac,
                p);
    }

    /** The network's name (letters, digits, '-', '_', '.'). */
    public String name() {
        return name;
    }

    /** {@link NetworkMode#BRIDGE} or {@link NetworkMode#PTP}. */
    public NetworkMode mode() {
        return mode;
    }

    /** The bridge interface's name (bridge mode only). */
    public String bridge() {
        return bridge;
    }

    /** The IPv4 subnet, e.g. {@code 198.18.0.0/16}. */
    public String subnet() {
        return subnet;
    }

    /** The bridge's address and the pods' default gateway; null for the subnet's first address. */
    public String gateway() {
        return gateway;
    }

    /** 0 for the kernel's default (1500). */
    public int mtu() {
        return mtu;
    }

    /** IPv4 ranges handed out, each {@code start-end} in the subnet (an empty side: its first or last assignable address); empty for all. */
    public List<String> ranges() {
        return ranges;
    }

    /** Addresses (either family) never handed out. */
    public List<String> reserved() {
        return reserved;
    }

    /** Bridge ports in hairpin mode (a pod can reach itself through a service address). */
    public boolean hairpin() {
        return hairpin;
    }

    /** Pod MACs derived from their IPv4 address ({@code 0a:58:a.b.c.d}) instead of random. */
    public boolean macFromIp() {
        return macFromIp;
    }

    /** An existing interface to enslave to the bridge (e.g. the node's NIC), or null. */
    public String uplink() {
        return uplink;
    }

    /** An IPv6 subnet to make the network dual stack, or null. */
    public String subnet6() {
        return subnet6;
    }

    /** The IPv6 subnet's gateway; null for the subnet's first address. */
    public String gateway6() {
        return gateway6;
    }

    /** IPv6 ranges, as {@link #ranges()}. */
    public List<String> ranges6() {
        return ranges6;
    }

    /** Pods' IPv6 addresses derived from their MAC (prefix + MAC in the last 48 bits, so at least 48 host bits) instead of IPAM. */
    public boolean ipv6FromMac() {
        return ipv6FromMac;
    }

    /** Default route, routes and DNS for every pod ({@link #withDefaultRoute}, {@link #withRoute}, {@link #withDns}). */
    PodConfig pod() {
        return pod;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof NetworkSpec s
                && Objects.equals(name, s.name)
                && Objects.equals(mode, s.mode)
                && Objects.equals(bridge, s.bridge)
                && Objects.equals(subnet, s.subnet)
                && Objects.equals(gateway, s.gateway)
                && mtu == s.mtu
                && ranges.equals(s.ranges)
                && reserved.equals(s.reserved)
                && hairpin == s.hairpin
                && macFromIp == s.macFromIp
                && Objects.equals(uplink, s.uplink)
                && Objects.equals(subnet6, s.subnet6)
                && Objects.equals(gateway6, s.gateway6)
                && ranges6.equals(s.ranges6)
                && ipv6FromMac == s.ipv6FromMac
                && pod.equals(s.pod);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                ranges,
                reserved,
                hairpin,
                macFromIp,
                uplink,
                subnet6,
                gateway6,
                ranges6,
                ipv6FromMac,
                pod);
    }

    @Override
    public String toString() {
        return "NetworkSpec[name=" + name + ", mode=" + mode + ", bridge=" + bridge + ", subnet=" + subnet
                + ", gateway="
                + gateway + ", mtu=" + mtu + ", ranges=" + ranges + ", reserved=" + reserved + ", hairpin=" + hairpin
                + ", macFromIp=" + macFromIp + ", uplink=" + uplink + ", subnet6=" + subnet6 + ", gateway6=" + gateway6
                + ", ranges6=" + ranges6 + ", ipv6FromMac=" + ipv6FromMac + ", pod=" + pod + "]";
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }

    private static String range(String start, String end) {
        return (start == null ? "" : start) + "-" + (end == null ? "" : end);
    }

    private static List<String> plus(List<String> list, String item) {
        List<String> all = new ArrayList<>(list);
        all.add(item);
        return all;
    }

    /** Checks every field; the exception names the first one that is wrong. */
    NetworkRecord validate() {
        try {
            if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
                throw new InvalidSpecException(
                        "network name '" + name + "' must be 1-63 letters, digits, '_', '.', '-'");
            }
            if (mode == null) {
                throw new InvalidSpecException("network " + name + ": mode must be given (bridge or ptp)");
            }
            if (mode == NetworkMode.BRIDGE) {
                Links.validateName("bridge", bridge);
                if (uplink != null && !uplink.isEmpty()) {
                    Links.validateName("uplink", uplink);
                }
            } else if (bridge != null && !bridge.isEmpty()) {
                throw new InvalidSpecException(
                        "network " + name + ": a ptp network has no bridge, got bridge '" + bridge + "'");
            } else if (hairpin || (uplink != null && !uplink.isEmpty())) {
                throw new InvalidSpecException(
                        "network " + name + ": hairpin and uplink are bridge options, not ptp ones");
            }
            Links.validateMtu("network mtu", mtu);
            boolean hasV4 = !blank(subnet);
            if (!hasV4 && blank(subnet6)) {
                throw new InvalidSpecException("network " + name
                        + ": give a subnet: IPv4 (subnet, --subnet), IPv6 (withIpv6, " + "--subnet6), or both");
            }
            Cidr s = hasV4 ? Cidr.parse(subnet) : null;
            if (s != null && !s.isIpv4()) {
                throw new InvalidSpecException(
                        "network " + name + ": subnet " + s + " must be IPv4; give IPv6 with withIpv6 / --subnet6");
            }
            if (s == null && (gateway != null || !ranges.isEmpty() || macFromIp)) {
                throw new InvalidSpecException("network " + name + ": "
                        + (gateway != null
                                ? "an IPv4 gateway"
                                : !ranges.isEmpty() ? "IPv4 ranges" : "MACs from IPv4 addresses")
                        + " need an IPv4 subnet; the network is IPv6-only");
            }
            InetAddress gw = s == null
                    ? null
                    : gateway == null ? AddressRangeDefaults.firstHost(s) : Cidr.parseAddress(gateway, "gateway");
            Set<InetAddress> res = new LinkedHashSet<>();
            for (String r : reserved) {
                res.add(Cidr.parseAddress(r, "reserved address"));
            }
            List<String> v4 = s == null ? List.of() : normalise(s, ranges(s, gw, ranges, res));
            String v6 = "";
            String gw6 = "";
            List<String> r6 = List.of();
            if (subnet6 != null && !subnet6.isEmpty()) {
                Cidr s6 = Cidr.parse(subnet6);
                if (s6.isIpv4()) {
                    throw new InvalidSpecException("network " + name + ": subnet6 " + s6 + " is not IPv6");
                }
                if (ipv6FromMac && s6.prefixLength() > 80) {
                    throw new InvalidSpecException("network " + name + ": cannot derive IPv6 addresses from MACs in "
                            + s6 + ": at least 48 host bits are needed (a /80 or shorter prefix)");
                }
                if (ipv6FromMac && !ranges6.isEmpty()) {
                    throw new InvalidSpecException(
                            "network " + name + ": IPv6 ranges and IPv6 addresses from MACs exclude each other");
                }
                InetAddress g6 =
                        gateway6 == null ? AddressRangeDefaults.firstHost(s6) : Cidr.parseAddress(gateway6, "gateway6");
                r6 = normalise(s6, ranges(s6, g6, ranges6, res));
                for (InetAddress a : res) {
                    if ((s == null || !s.contains(a)) && !s6.contains(a)) {
                        throw new InvalidSpecException("network " + name + ": reserved address " + Cidr.text(a)
                                + " is outside " + (s == null ? "subnet " + s6 : "subnets " + s + " and " + s6));
                    }
                }
                v6 = s6.toString();
                gw6 = Cidr.text(g6);
            } else if (!ranges6.isEmpty()) {
                throw new InvalidSpecException(
                        "network " + name + ": IPv6 ranges need an IPv6 subnet (withIpv6 / --subnet6)");
            } else {
                for (InetAddress a : res) {
                    if (!s.contains(a)) {
                        throw new InvalidSpecException(
                                "network " + name + ": reserved address " + Cidr.text(a) + " is outside subnet " + s);
                    }
                }
            }
            return new NetworkRecord(
                    name,
                    mode,
                    mode == NetworkMode.BRIDGE ? bridge : "",
                    s == null ? "" : s.toString(),
                    gw == null ? "" : Cidr.text(gw),
                    mtu,
                    v4,
                    res.stream().map(Cidr::text).toList(),
                    hairpin,
                    macFromIp,
                    uplink,
                    v6,
                    gw6,
                    r6,
                    ipv6FromMac && !v6.isEmpty(),
                    validatePod(s, v6.isEmpty() ? null : Cidr.parse(v6)));
        } catch (InvalidSpecException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("network " + name + ": " + e.getMessage());
        }
    }

    /** The pod settings in their stored, canonical form; each entry checked. */
    private PodConfig validatePod(Cidr subnet4, Cidr subnet6) {
        List<String> routes = new ArrayList<>();
        for (String r : pod.routes()) {
            Cidr dst = Cidr.parse(PodConfig.destination(r)).network();
            Cidr served = dst.isIpv4() ? subnet4 : subnet6;
            if (served == null) {
                throw new InvalidSpecException("network " + name + ": route " + dst + " is IPv" + (dst.isIpv4() ? 4 : 6)
                        + ", which the network does not serve");
            }
            String gw = PodConfig.gateway(r);
            if (gw != null) {
                InetAddress g = Cidr.parseAddress(gw, "route gateway");
                if ((g.getAddress().length == 4) != dst.isIpv4()) {
                    throw new InvalidSpecException(
                            "network " + name + ": route " + dst + " has a gateway " + gw + " of the other family");
                }
                if (!served.contains(g)) {
                    throw new InvalidSpecException("network " + name + ": route " + dst + " via " + gw
                            + ": the gateway is outside " + served + ", so a pod could not reach it");
                }
                routes.add(dst + "=" + Cidr.text(g));
            } else {
                routes.add(dst.toString());
            }
        }
        List<String> servers = pod.nameservers().stream()
                .map(a -> Cidr.text(Cidr.parseAddress(a, "dns nameserver")))
                .toList();
        for (String[] f : new String[][] {{"dns domain", pod.domain()}}) {
            checkDnsWord(f[0], f[1]);
        }
        pod.search().forEach(w -> checkDnsWord("dns search domain", w));
        pod.options().forEach(w -> checkDnsWord("dns option", w));
        return new PodConfig(pod.defaultRoute(), routes, servers, pod.domain(), pod.search(), pod.options());
    }

    private void checkDnsWord(String field, String word) {
        if (word != null && !word.isEmpty() && !word.matches("[A-Za-z0-9_.:=-]{1,253}")) {
            throw new InvalidSpecException("network " + name + ": " + field + " '" + word
                    + "' may hold only letters, digits, '.', '-', '_', ':', '='");
        }
    }

    /** {@link AddressRange#of}, and no two ranges overlapping. */
    private static List<AddressRange> ranges(
            Cidr subnet, InetAddress gw, List<String> entries, Set<InetAddress> reserved) {
        List<AddressRange> out = AddressRange.of(subnet, gw, entries, reserved);
        AddressAllocator.checkDisjoint(out);
        return out;
    }

    /** The ranges as stored: both ends written out, so a record reads the same whatever the spelling. */
    private static List<String> normalise(Cidr subnet, List<AddressRange> ranges) {
        if (ranges.size() == 1
                && ranges.get(0).subnet().equals(subnet)
                && ranges.get(0).wholeSubnet()) {
            return List.of();
        }
        boolean ownPart = ranges.stream().anyMatch(r -> r.subnet().equals(subnet) && !r.wholeSubnet());
        List<String> out = new ArrayList<>();
        for (AddressRange r : ranges) {
            if (!r.subnet().equals(subnet)) {
                out.add(r.subnet() + "=" + Cidr.text(r.gateway()));
            } else if (ownPart) {
                out.add(Cidr.text(r.start()) + "-" + Cidr.text(r.end()));
            }
        }
        return out;
    }

    /** Default gateway: the subnet's first host address. */
    static final class AddressRangeDefaults {
        private AddressRangeDefaults() {}

        static InetAddress firstHost(Cidr subnet) {
            byte[] b = subnet.network().address().getAddress();
            b[b.length - 1] |= 1;
            try {
                return InetAddress.getByAddress(b);
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }
}
