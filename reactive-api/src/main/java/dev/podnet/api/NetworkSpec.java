package dev.podnet.api;

import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.internal.state.PodConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A network to create. Start from {@link #bridge(String, String, String)} or {@link #ptp} and refine
 * with the {@code with} methods; a spec is immutable, each {@code with} method returns a new one.
 */
public final class NetworkSpec {
    /** The settings, copied on every change: one place that lists them, the spec immutable. */
    private static final class Fields implements Cloneable {
        String name;
        NetworkMode mode;
        String bridge;
        String subnet;
        String gateway;
        int mtu;
        List<String> ranges = List.of();
        List<String> reserved = List.of();
        boolean hairpin;
        boolean macFromIp;
        String uplink;
        String subnet6;
        String gateway6;
        List<String> ranges6 = List.of();
        boolean ipv6FromMac;
        PodConfig pod = PodConfig.DEFAULT;

        Fields copy() {
            try {
                return (Fields) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

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

    private NetworkSpec(Fields f) {
        this.name = f.name;
        this.mode = f.mode;
        this.bridge = f.bridge;
        this.subnet = f.subnet;
        this.gateway = f.gateway;
        this.mtu = f.mtu;
        this.ranges = List.copyOf(f.ranges == null ? List.of() : f.ranges);
        this.reserved = List.copyOf(f.reserved == null ? List.of() : f.reserved);
        this.hairpin = f.hairpin;
        this.macFromIp = f.macFromIp;
        this.uplink = f.uplink;
        this.subnet6 = f.subnet6;
        this.gateway6 = f.gateway6;
        this.ranges6 = List.copyOf(f.ranges6 == null ? List.of() : f.ranges6);
        this.ipv6FromMac = f.ipv6FromMac;
        this.pod = f.pod == null ? PodConfig.DEFAULT : f.pod;
    }

    private Fields fields() {
        Fields f = new Fields();
        f.name = name;
        f.mode = mode;
        f.bridge = bridge;
        f.subnet = subnet;
        f.gateway = gateway;
        f.mtu = mtu;
        f.ranges = ranges;
        f.reserved = reserved;
        f.hairpin = hairpin;
        f.macFromIp = macFromIp;
        f.uplink = uplink;
        f.subnet6 = subnet6;
        f.gateway6 = gateway6;
        f.ranges6 = ranges6;
        f.ipv6FromMac = ipv6FromMac;
        f.pod = pod;
        return f;
    }

    private NetworkSpec with(Consumer<Fields> change) {
        Fields f = fields();
        change.accept(f);
        return new NetworkSpec(f);
    }

    private static NetworkSpec of(String name, NetworkMode mode, String bridge, String subnet) {
        Fields f = new Fields();
        f.name = name;
        f.mode = mode;
        f.bridge = bridge;
        f.subnet = subnet;
        return new NetworkSpec(f);
    }

    /** A bridge network over IPv4 {@code subnet} (null for an IPv6-only network: then give {@link #withIpv6}), gateway at its first address, default MTU. */
    public static NetworkSpec bridge(String name, String bridge, String subnet) {
        return of(name, NetworkMode.BRIDGE, bridge, subnet);
    }

    /** A point-to-point network over {@code subnet} (CNI ptp), gateway at its first address. */
    public static NetworkSpec ptp(String name, String subnet) {
        return of(name, NetworkMode.PTP, "", subnet);
    }

    public NetworkSpec withGateway(String g) {
        return with(f -> f.gateway = g);
    }

    public NetworkSpec withMtu(int m) {
        return with(f -> f.mtu = m);
    }

    /**
     * Adds a further subnet of either family to the network's range set, handed out whole, with its
     * own gateway ({@code null}: its first address), as host-local's range sets spanning several
     * subnets: a pod given an address of it gets its prefix and its gateway.
     */
    public NetworkSpec withSubnetRange(String cidr, String gw) {
        String entry = blank(gw) ? cidr : cidr + "=" + gw;
        boolean v6 = cidr != null && cidr.contains(":");
        return with(f -> {
            f.ranges = v6 ? ranges : plus(ranges, entry);
            f.ranges6 = v6 ? plus(ranges6, entry) : ranges6;
        });
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
        return with(f -> f.ranges = plus(ranges, range(start, end)));
    }

    /** Adds an IPv6 range, as {@link #withRange}. */
    public NetworkSpec withRange6(String start, String end) {
        if (blank(start) && blank(end)) {
            return this;
        }
        return with(f -> f.ranges6 = plus(ranges6, range(start, end)));
    }

    /** Addresses (either family) that are never handed out, beyond the network, broadcast and gateways. */
    public NetworkSpec withReserved(String... addresses) {
        List<String> all = new ArrayList<>(reserved);
        all.addAll(List.of(addresses));
        return with(f -> f.reserved = all);
    }

    public NetworkSpec withHairpin(boolean on) {
        return with(f -> f.hairpin = on);
    }

    public NetworkSpec withMacFromIp(boolean on) {
        return with(f -> f.macFromIp = on);
    }

    /** Makes the network dual stack with {@code ipv6Subnet} (e.g. {@code fd00:18::/64}), gateway at its first address. */
    public NetworkSpec withIpv6(String ipv6Subnet) {
        return with(f -> f.subnet6 = ipv6Subnet);
    }

    /**
     * Makes the network dual stack with addresses derived from each pod's MAC: {@code ipv6Prefix}
     * (at most a /80) followed by the MAC, as libnetwork's bridge driver does without an IPv6 range.
     */
    public NetworkSpec withIpv6FromMac(String ipv6Prefix) {
        return with(f -> {
            f.subnet6 = ipv6Prefix;
            f.ipv6FromMac = true;
        });
    }

    public NetworkSpec withIpv6Gateway(String g) {
        return with(f -> f.gateway6 = g);
    }

    public NetworkSpec withUplink(String ifName) {
        return with(f -> f.uplink = ifName);
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
        return with(f -> f.pod = p);
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
        return NetworkSpecValidation.validate(this);
    }
}
