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
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks behind {@code NetworkSpec.validate()}: every field of a {@link NetworkSpec} checked, in
 * order, the first wrong one named in an {@link InvalidSpecException}; what passes is turned into the
 * {@link NetworkRecord} the engine stores, in canonical form (subnets and addresses as {@link Cidr}
 * writes them, the gateways filled in with each subnet's first host when not given, the ranges with
 * both ends written out, pod routes and DNS nameservers normalised), so a record reads the same
 * whatever the spelling of the spec it came from.
 */
final class NetworkSpecValidation {
    private final NetworkSpec spec;
    private final String name;

    private NetworkSpecValidation(NetworkSpec spec) {
        this.spec = spec;
        this.name = spec.name();
    }

    /** {@code spec} checked and as stored; the exception names the first field that is wrong. */
    static NetworkRecord validate(NetworkSpec spec) {
        return new NetworkSpecValidation(spec).toRecord();
    }

    private NetworkRecord toRecord() {
        try {
            checkNameAndMode();
            if (spec.linkLocalGateway() && spec.mode() != NetworkMode.PTP) {
                throw new InvalidSpecException("network " + name + ": a link-local gateway (linkLocalGateway) is for"
                        + " ptp networks; a bridge network's gateway is the bridge's address");
            }
            Links.validateMtu("network mtu", spec.mtu());
            boolean hasV4 = !blank(spec.subnet());
            if (!hasV4 && blank(spec.subnet6())) {
                throw new InvalidSpecException("network " + name
                        + ": give a subnet: IPv4 (subnet, --subnet), IPv6 (withIpv6, " + "--subnet6), or both");
            }
            Cidr s = hasV4 ? Cidr.parse(spec.subnet()) : null;
            if (s != null && !s.isIpv4()) {
                throw new InvalidSpecException(
                        "network " + name + ": subnet " + s + " must be IPv4; give IPv6 with withIpv6 / --subnet6");
            }
            if (s == null && (spec.gateway() != null || !spec.ranges().isEmpty() || spec.macFromIp())) {
                throw new InvalidSpecException("network " + name + ": "
                        + (spec.gateway() != null
                                ? "an IPv4 gateway"
                                : !spec.ranges().isEmpty() ? "IPv4 ranges" : "MACs from IPv4 addresses")
                        + " need an IPv4 subnet; the network is IPv6-only");
            }
            InetAddress gw = s == null
                    ? null
                    : spec.gateway() == null ? firstHost(s) : Cidr.parseAddress(spec.gateway(), "gateway");
            Set<InetAddress> res = new LinkedHashSet<>();
            for (String r : spec.reserved()) {
                res.add(Cidr.parseAddress(r, "reserved address"));
            }
            List<String> v4 = s == null ? List.of() : normalise(s, ranges(s, gw, spec.ranges(), res));
            String v6 = "";
            String gw6 = "";
            List<String> r6 = List.of();
            if (spec.subnet6() != null && !spec.subnet6().isEmpty()) {
                Cidr s6 = Cidr.parse(spec.subnet6());
                if (s6.isIpv4()) {
                    throw new InvalidSpecException("network " + name + ": subnet6 " + s6 + " is not IPv6");
                }
                if (spec.ipv6FromMac() && s6.prefixLength() > 80) {
                    throw new InvalidSpecException("network " + name + ": cannot derive IPv6 addresses from MACs in "
                            + s6 + ": at least 48 host bits are needed (a /80 or shorter prefix)");
                }
                if (spec.ipv6FromMac() && !spec.ranges6().isEmpty()) {
                    throw new InvalidSpecException(
                            "network " + name + ": IPv6 ranges and IPv6 addresses from MACs exclude each other");
                }
                InetAddress g6 =
                        spec.gateway6() == null ? firstHost(s6) : Cidr.parseAddress(spec.gateway6(), "gateway6");
                r6 = normalise(s6, ranges(s6, g6, spec.ranges6(), res));
                for (InetAddress a : res) {
                    if ((s == null || !s.contains(a)) && !s6.contains(a)) {
                        throw new InvalidSpecException("network " + name + ": reserved address " + Cidr.text(a)
                                + " is outside " + (s == null ? "subnet " + s6 : "subnets " + s + " and " + s6));
                    }
                }
                v6 = s6.toString();
                gw6 = Cidr.text(g6);
            } else if (!spec.ranges6().isEmpty()) {
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
                    spec.mode(),
                    spec.mode() == NetworkMode.BRIDGE ? spec.bridge() : "",
                    s == null ? "" : s.toString(),
                    gw == null ? "" : Cidr.text(gw),
                    spec.mtu(),
                    v4,
                    res.stream().map(Cidr::text).toList(),
                    spec.hairpin(),
                    spec.macFromIp(),
                    spec.uplink(),
                    v6,
                    gw6,
                    r6,
                    spec.ipv6FromMac() && !v6.isEmpty(),
                    pod(s, v6.isEmpty() ? null : Cidr.parse(v6)),
                    spec.ipMasq(),
                    spec.linkLocalGateway());
        } catch (InvalidSpecException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("network " + name + ": " + e.getMessage());
        }
    }

    /** The name's form, a mode, and the mode's own options (a bridge and uplink name; none for ptp). */
    private void checkNameAndMode() {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw new InvalidSpecException("network name '" + name + "' must be 1-63 letters, digits, '_', '.', '-'");
        }
        NetworkMode mode = spec.mode();
        String bridge = spec.bridge();
        String uplink = spec.uplink();
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
        } else if (spec.hairpin() || (uplink != null && !uplink.isEmpty())) {
            throw new InvalidSpecException("network " + name + ": hairpin and uplink are bridge options, not ptp ones");
        }
    }

    /** The pod settings in their stored, canonical form; each entry checked. */
    private PodConfig pod(Cidr subnet4, Cidr subnet6) {
        PodConfig pod = spec.pod();
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
        checkDnsWord("dns domain", pod.domain());
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

    /** The default gateway: the subnet's first host address. */
    private static InetAddress firstHost(Cidr subnet) {
        byte[] b = subnet.network().address().getAddress();
        b[b.length - 1] |= 1;
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }
}
