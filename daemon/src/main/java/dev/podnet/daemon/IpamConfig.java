package dev.podnet.daemon;

import static dev.podnet.daemon.JsonFields.address;
import static dev.podnet.daemon.JsonFields.cidr;
import static dev.podnet.daemon.JsonFields.invalid;
import static dev.podnet.daemon.JsonFields.list;
import static dev.podnet.daemon.JsonFields.object;
import static dev.podnet.daemon.JsonFields.optList;
import static dev.podnet.daemon.JsonFields.optObject;
import static dev.podnet.daemon.JsonFields.optString;
import static dev.podnet.daemon.JsonFields.requiredString;
import static dev.podnet.daemon.JsonFields.strings;

import dev.podnet.api.NetworkSpec;
import dev.podnet.dataplane.ipam.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The address-management part of a {@link NetworkConfig}: the {@code ipam} section in host-local's format
 * (its range sets, or the older single {@code subnet}, and its routes) and the DNS settings ({@code dns},
 * or {@code ipam.dns}), checked and put on a {@link NetworkSpec}. podnet is its own IPAM, so this reads
 * host-local's format rather than delegating to it; a field that is wrong fails with a {@link CniError}
 * naming it by path, as NetworkConfig documents.
 */
final class IpamConfig {
    private final Map<?, ?> root;
    private final Map<?, ?> ipam;
    private final Families ranges;

    private IpamConfig(Map<?, ?> root, Map<?, ?> ipam, Families ranges) {
        this.root = root;
        this.ipam = ipam;
        this.ranges = ranges;
    }

    /** The {@code ipam} section of the configuration {@code root}, checked: present, host-local's, its range sets. */
    static IpamConfig of(Map<?, ?> root) {
        Map<?, ?> ipam = optObject(root, "ipam", "ipam");
        if (ipam == null) {
            throw invalid("ipam", "is required: host-local's format, with ranges (podnet is its own IPAM)");
        }
        String ipamType = optString(ipam, "type", "ipam.type");
        if (ipamType != null && !ipamType.equals("host-local")) {
            throw invalid(
                    "ipam.type",
                    "'" + ipamType + "' is not host-local (podnet is its own IPAM and reads host-local's format)");
        }
        return new IpamConfig(root, ipam, Families.of(rangeSets(ipam)));
    }

    /** The first subnet of the IPv4 range set as written, or null when there is none. */
    String subnet4() {
        return ranges.v4() == null ? null : ranges.v4().get(0).subnetText();
    }

    /** {@code spec} with the range sets, then the routes, then DNS. */
    NetworkSpec apply(NetworkSpec spec) {
        NetworkSpec s = ranges.apply(spec);
        s = routes(s, ipam, ranges);
        return dns(s, root, ipam);
    }

    /** {@code ipam.ranges} (or host-local's older single {@code ipam.subnet}) as range sets. */
    private static List<List<RangeItem>> rangeSets(Map<?, ?> ipam) {
        List<?> ranges = optList(ipam, "ranges", "ipam.ranges");
        String legacy = optString(ipam, "subnet", "ipam.subnet");
        if (ranges != null && legacy != null) {
            throw invalid("ipam", "give ranges or subnet, not both");
        }
        if (ranges == null) {
            if (legacy == null) {
                throw invalid(
                        "ipam.ranges",
                        "is required (range sets, each a list of {subnet, rangeStart, rangeEnd," + " gateway})");
            }
            return List.of(List.of(RangeItem.of(ipam, "ipam")));
        }
        if (ranges.isEmpty()) {
            throw invalid("ipam.ranges", "must hold at least one range set");
        }
        List<List<RangeItem>> sets = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            String setPath = "ipam.ranges[" + i + "]";
            List<?> set = list(ranges.get(i), setPath);
            if (set.isEmpty()) {
                throw invalid(setPath, "must hold at least one range");
            }
            List<RangeItem> items = new ArrayList<>();
            for (int j = 0; j < set.size(); j++) {
                String itemPath = setPath + "[" + j + "]";
                items.add(RangeItem.of(object(set.get(j), itemPath), itemPath));
            }
            sets.add(items);
        }
        return sets;
    }

    /**
     * {@code ipam.routes}: a default route (dst {@code 0.0.0.0/0} or {@code ::/0}) is the network's own
     * via its gateway; the others go to every pod. Routes given without a default one mean no default
     * route, as host-local gives only the routes listed.
     */
    private static NetworkSpec routes(NetworkSpec spec, Map<?, ?> ipam, Families ranges) {
        List<?> routes = optList(ipam, "routes", "ipam.routes");
        if (routes == null) {
            return spec;
        }
        boolean anyDefault = false;
        for (int i = 0; i < routes.size(); i++) {
            String p = "ipam.routes[" + i + "]";
            Map<?, ?> r = object(routes.get(i), p);
            String dstText = requiredString(r, "dst", p + ".dst");
            Cidr dst = cidr(dstText, p + ".dst");
            String gw = optString(r, "gw", p + ".gw");
            InetAddress via = gw == null ? null : address(gw, p + ".gw");
            if (via != null && via.getAddress().length != dst.address().getAddress().length) {
                throw invalid(p + ".gw", gw + " is not of the family of " + dst);
            }
            if (dst.prefixLength() == 0) {
                ranges.checkDefaultRoute(dst, via, p);
                anyDefault = true;
            } else {
                spec = spec.withRoute(dstText, gw);
            }
        }
        return anyDefault ? spec : spec.withDefaultRoute(false);
    }

    /** CNI's {@code dns} (or, in host-local's place, {@code ipam.dns}). */
    private static NetworkSpec dns(NetworkSpec spec, Map<?, ?> root, Map<?, ?> ipam) {
        String base = root.get("dns") != null ? "dns" : "ipam.dns";
        Map<?, ?> dns = optObject(base.equals("dns") ? root : ipam, "dns", base);
        if (dns == null) {
            return spec;
        }
        List<String> servers = strings(dns, "nameservers", base + ".nameservers");
        for (int i = 0; i < servers.size(); i++) {
            address(servers.get(i), base + ".nameservers[" + i + "]");
        }
        return spec.withDns(
                servers,
                optString(dns, "domain", base + ".domain"),
                strings(dns, "search", base + ".search"),
                strings(dns, "options", base + ".options"));
    }

    /** One item of a host-local range set: {@code {subnet, rangeStart?, rangeEnd?, gateway?}}, checked. */
    private record RangeItem(String path, Cidr subnet, String subnetText, String start, String end, String gateway) {
        static RangeItem of(Map<?, ?> o, String path) {
            String text = requiredString(o, "subnet", path + ".subnet");
            Cidr subnet = cidr(text, path + ".subnet");
            return new RangeItem(
                    path,
                    subnet,
                    text,
                    inside(o, "rangeStart", path, subnet),
                    inside(o, "rangeEnd", path, subnet),
                    inside(o, "gateway", path, subnet));
        }

        /** {@code o[key]}: an address inside {@code subnet}, or null. */
        private static String inside(Map<?, ?> o, String key, String path, Cidr subnet) {
            String p = path + "." + key;
            String text = optString(o, key, p);
            if (text == null) {
                return null;
            }
            InetAddress a = address(text, p);
            if (!subnet.contains(a)) {
                throw invalid(p, Cidr.text(a) + " is outside " + subnet.network());
            }
            return text;
        }

        /** The gateway: given, or the subnet's first address (NetworkSpec's default). */
        InetAddress gatewayAddress() {
            if (gateway != null) {
                return Cidr.parseAddress(gateway, path + ".gateway");
            }
            byte[] b = subnet.network().address().getAddress();
            b[b.length - 1] |= 1;
            return Cidr.byAddress(b);
        }
    }

    /** The range sets by family: podnet takes at most one of each. */
    private record Families(List<RangeItem> v4, List<RangeItem> v6) {
        static Families of(List<List<RangeItem>> sets) {
            List<RangeItem> v4 = null;
            List<RangeItem> v6 = null;
            for (int i = 0; i < sets.size(); i++) {
                List<RangeItem> set = sets.get(i);
                boolean ipv4 = set.get(0).subnet().isIpv4();
                for (RangeItem item : set) {
                    if (item.subnet().isIpv4() != ipv4) {
                        throw invalid(
                                item.path() + ".subnet",
                                item.subnet() + " is not of the family of the set's first subnet, "
                                        + set.get(0).subnet());
                    }
                }
                if (ipv4 ? v4 != null : v6 != null) {
                    throw invalid(
                            "ipam.ranges[" + i + "]",
                            "a second IPv" + (ipv4 ? 4 : 6) + " range set; podnet takes at most one per family");
                }
                if (ipv4) {
                    v4 = set;
                } else {
                    v6 = set;
                }
            }
            return new Families(v4, v6);
        }

        /** The sets on {@code spec}: each first item as the family's subnet, further items as subnet ranges. */
        NetworkSpec apply(NetworkSpec spec) {
            NetworkSpec s = spec;
            if (v4 != null) {
                RangeItem first = v4.get(0);
                s = s.withGateway(first.gateway()).withRange(first.start(), first.end());
                for (RangeItem more : v4.subList(1, v4.size())) {
                    s = further(s, more);
                }
            }
            if (v6 != null) {
                RangeItem first = v6.get(0);
                s = s.withIpv6(first.subnetText())
                        .withIpv6Gateway(first.gateway())
                        .withRange6(first.start(), first.end());
                for (RangeItem more : v6.subList(1, v6.size())) {
                    s = further(s, more);
                }
            }
            return s;
        }

        /** A further subnet of a set is handed out whole (NetworkSpec.withSubnetRange), with its gateway. */
        private static NetworkSpec further(NetworkSpec spec, RangeItem item) {
            if (item.start() != null || item.end() != null) {
                String key = item.start() != null ? "rangeStart" : "rangeEnd";
                String value = item.start() != null ? item.start() : item.end();
                throw new CniError(
                        CniError.UNSUPPORTED_FIELD,
                        item.path() + "." + key + ": '" + value + "': a range inside a set's further subnet is not"
                                + " supported (podnet hands such a subnet out whole; give the range on the set's first"
                                + " subnet)");
            }
            return spec.withSubnetRange(item.subnetText(), item.gateway());
        }

        /** A default route goes via the network's gateway of its family; another gateway is not supported. */
        void checkDefaultRoute(Cidr dst, InetAddress via, String path) {
            List<RangeItem> set = dst.isIpv4() ? v4 : v6;
            if (set == null) {
                throw invalid(
                        path + ".dst",
                        dst + ": the network has no IPv" + (dst.isIpv4() ? 4 : 6) + " range set to route through");
            }
            InetAddress gw = set.get(0).gatewayAddress();
            if (via != null && !via.equals(gw)) {
                throw new CniError(
                        CniError.UNSUPPORTED_FIELD,
                        path + ".gw: '" + Cidr.text(via) + "': a default route goes via the network's gateway "
                                + Cidr.text(gw) + " (give that, or none)");
            }
        }
    }
}
