package dev.podnet.api;

import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.internal.state.PodConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A network to create. Start from {@link #bridge(String, String, String)} or {@link #ptp} and refine
 * with the {@code with} methods; a spec is immutable, each {@code with} method returns a new one.
 */
public final class NetworkSpec {
    /** The settings, copied on every change: one place that lists them, the spec immutable. */
    private static final class Fields extends Settings<Fields> {
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
        boolean ipMasq;
        boolean linkLocalGateway;

        /** Every setting, in order: what two equal specs have equal. */
        List<Object> values() {
            return Arrays.asList(
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
                    pod,
                    ipMasq,
                    linkLocalGateway);
        }
    }

    private final Fields f;

    private NetworkSpec(Fields f) {
        f.ranges = List.copyOf(f.ranges == null ? List.of() : f.ranges);
        f.reserved = List.copyOf(f.reserved == null ? List.of() : f.reserved);
        f.ranges6 = List.copyOf(f.ranges6 == null ? List.of() : f.ranges6);
        f.pod = f.pod == null ? PodConfig.DEFAULT : f.pod;
        this.f = f;
    }

    private NetworkSpec with(Consumer<Fields> change) {
        Fields copy = f.copy();
        change.accept(copy);
        return new NetworkSpec(copy);
    }

    private static NetworkSpec of(String name, NetworkMode mode, String bridge, String subnet) {
        Fields x = new Fields();
        x.name = name;
        x.mode = mode;
        x.bridge = bridge;
        x.subnet = subnet;
        return new NetworkSpec(x);
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
        return with(x -> x.gateway = g);
    }

    public NetworkSpec withMtu(int m) {
        return with(x -> x.mtu = m);
    }

    /**
     * Adds a further subnet of either family to the network's range set, handed out whole, with its
     * own gateway ({@code null}: its first address), as host-local's range sets spanning several
     * subnets: a pod given an address of it gets its prefix and its gateway.
     */
    public NetworkSpec withSubnetRange(String cidr, String gw) {
        String entry = blank(gw) ? cidr : cidr + "=" + gw;
        boolean v6 = cidr != null && cidr.contains(":");
        return with(x -> {
            x.ranges = v6 ? x.ranges : plus(x.ranges, entry);
            x.ranges6 = v6 ? plus(x.ranges6, entry) : x.ranges6;
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
        return with(x -> x.ranges = plus(x.ranges, range(start, end)));
    }

    /** Adds an IPv6 range, as {@link #withRange}. */
    public NetworkSpec withRange6(String start, String end) {
        if (blank(start) && blank(end)) {
            return this;
        }
        return with(x -> x.ranges6 = plus(x.ranges6, range(start, end)));
    }

    /** Addresses (either family) that are never handed out, beyond the network, broadcast and gateways. */
    public NetworkSpec withReserved(String... addresses) {
        List<String> all = new ArrayList<>(f.reserved);
        all.addAll(List.of(addresses));
        return with(x -> x.reserved = all);
    }

    public NetworkSpec withHairpin(boolean on) {
        return with(x -> x.hairpin = on);
    }

    /**
     * Masquerade (CNI's {@code ipMasq}): traffic from the network's subnets to anywhere outside them
     * leaves with the host's address, and the host namespace forwards (IPv4, and IPv6 on a dual-stack
     * network). Through podnet's nf_tables table {@code inet podnet}, per network a set element.
     */
    public NetworkSpec withIpMasq(boolean on) {
        return with(x -> x.ipMasq = on);
    }

    /** Whether the network's traffic leaves masqueraded ({@link #withIpMasq}). */
    public boolean ipMasq() {
        return f.ipMasq;
    }

    /**
     * A ptp network whose host ends hold no address (Calico's recipe): each pod's gateway is the
     * link-local 169.254.1.1 (and fe80::1 on a dual-stack network), which the pod reaches through a
     * permanent neighbour entry for its host end's MAC; the host reaches each pod through a /32
     * (/128) route and a permanent neighbour entry. The default ptp recipe (CNI ptp's) gives every
     * host end the gateway's address, and the kernel then files each copy's local route beside all
     * the others: adds slow down as pods accumulate (README, "Ten thousand pods"). The host holds no
     * address in the pods' subnets here, so it talks to them from its own addresses.
     */
    public NetworkSpec withLinkLocalGateway(boolean on) {
        return with(x -> x.linkLocalGateway = on);
    }

    /** Whether pods use a link-local gateway ({@link #withLinkLocalGateway}). */
    public boolean linkLocalGateway() {
        return f.linkLocalGateway;
    }

    public NetworkSpec withMacFromIp(boolean on) {
        return with(x -> x.macFromIp = on);
    }

    /** Makes the network dual stack with {@code ipv6Subnet} (e.g. {@code fd00:18::/64}), gateway at its first address. */
    public NetworkSpec withIpv6(String ipv6Subnet) {
        return with(x -> x.subnet6 = ipv6Subnet);
    }

    /**
     * Makes the network dual stack with addresses derived from each pod's MAC: {@code ipv6Prefix}
     * (at most a /80) followed by the MAC, as libnetwork's bridge driver does without an IPv6 range.
     */
    public NetworkSpec withIpv6FromMac(String ipv6Prefix) {
        return with(x -> {
            x.subnet6 = ipv6Prefix;
            x.ipv6FromMac = true;
        });
    }

    public NetworkSpec withIpv6Gateway(String g) {
        return with(x -> x.gateway6 = g);
    }

    public NetworkSpec withUplink(String ifName) {
        return with(x -> x.uplink = ifName);
    }

    /**
     * Whether pods get their default route (per family) through this network (default: yes). A pod
     * on several networks takes it from one: create the others without.
     */
    public NetworkSpec withDefaultRoute(boolean on) {
        PodConfig p = f.pod;
        return withPod(new PodConfig(on, p.routes(), p.nameservers(), p.domain(), p.search(), p.options()));
    }

    /**
     * Adds a route installed in every pod (host-local's {@code routes}): {@code dst} (a CIDR of either
     * family the network serves) via {@code gateway}, or via the network's gateway of that family
     * when {@code gateway} is null.
     */
    public NetworkSpec withRoute(String dst, String gateway) {
        PodConfig p = f.pod;
        List<String> routes = plus(p.routes(), blank(gateway) ? dst : dst + "=" + gateway);
        return withPod(new PodConfig(p.defaultRoute(), routes, p.nameservers(), p.domain(), p.search(), p.options()));
    }

    /** DNS settings handed to the runtime with every endpoint (CNI's {@code dns}); null or empty for none. */
    public NetworkSpec withDns(List<String> nameservers, String domain, List<String> search, List<String> options) {
        PodConfig p = f.pod;
        return withPod(new PodConfig(p.defaultRoute(), p.routes(), nameservers, domain, search, options));
    }

    private NetworkSpec withPod(PodConfig p) {
        return with(x -> x.pod = p);
    }

    /** The network's name (letters, digits, '-', '_', '.'). */
    public String name() {
        return f.name;
    }

    /** {@link NetworkMode#BRIDGE} or {@link NetworkMode#PTP}. */
    public NetworkMode mode() {
        return f.mode;
    }

    /** The bridge interface's name (bridge mode only). */
    public String bridge() {
        return f.bridge;
    }

    /** The IPv4 subnet, e.g. {@code 198.18.0.0/16}. */
    public String subnet() {
        return f.subnet;
    }

    /** The bridge's address and the pods' default gateway; null for the subnet's first address. */
    public String gateway() {
        return f.gateway;
    }

    /** 0 for the kernel's default (1500). */
    public int mtu() {
        return f.mtu;
    }

    /** IPv4 ranges handed out, each {@code start-end} in the subnet (an empty side: its first or last assignable address); empty for all. */
    public List<String> ranges() {
        return f.ranges;
    }

    /** Addresses (either family) never handed out. */
    public List<String> reserved() {
        return f.reserved;
    }

    /** Bridge ports in hairpin mode (a pod can reach itself through a service address). */
    public boolean hairpin() {
        return f.hairpin;
    }

    /** Pod MACs derived from their IPv4 address ({@code 0a:58:a.b.c.d}) instead of random. */
    public boolean macFromIp() {
        return f.macFromIp;
    }

    /** An existing interface to enslave to the bridge (e.g. the node's NIC), or null. */
    public String uplink() {
        return f.uplink;
    }

    /** An IPv6 subnet to make the network dual stack, or null. */
    public String subnet6() {
        return f.subnet6;
    }

    /** The IPv6 subnet's gateway; null for the subnet's first address. */
    public String gateway6() {
        return f.gateway6;
    }

    /** IPv6 ranges, as {@link #ranges()}. */
    public List<String> ranges6() {
        return f.ranges6;
    }

    /** Pods' IPv6 addresses derived from their MAC (prefix + MAC in the last 48 bits, so at least 48 host bits) instead of IPAM. */
    public boolean ipv6FromMac() {
        return f.ipv6FromMac;
    }

    /** Default route, routes and DNS for every pod ({@link #withDefaultRoute}, {@link #withRoute}, {@link #withDns}). */
    PodConfig pod() {
        return f.pod;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof NetworkSpec s && f.values().equals(s.f.values()));
    }

    @Override
    public int hashCode() {
        return f.values().hashCode();
    }

    @Override
    public String toString() {
        return "NetworkSpec[name=" + f.name + ", mode=" + f.mode + ", bridge=" + f.bridge + ", subnet=" + f.subnet
                + ", gateway=" + f.gateway + ", mtu=" + f.mtu + ", ranges=" + f.ranges + ", reserved=" + f.reserved
                + ", hairpin=" + f.hairpin + ", macFromIp=" + f.macFromIp + ", uplink=" + f.uplink + ", subnet6="
                + f.subnet6 + ", gateway6=" + f.gateway6 + ", ranges6=" + f.ranges6 + ", ipv6FromMac=" + f.ipv6FromMac
                + ", pod=" + f.pod + ", ipMasq=" + f.ipMasq + ", linkLocalGateway=" + f.linkLocalGateway + "]";
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
