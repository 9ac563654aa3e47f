package dev.podnet.dataplane.internal.state;

import dev.podnet.dataplane.NetworkMode;
import java.util.Arrays;
import java.util.List;

/**
 * A network as persisted: enough to re-create its bridge and re-open its IPAM.
 *
 * @param name        the network's name
 * @param mode        bridge or ptp
 * @param bridge      the bridge's interface name (empty for ptp)
 * @param subnet      e.g. 198.18.0.0/16
 * @param gateway     the bridge's address, also the sandboxes' default gateway
 * @param mtu         0 for the default
 * @param ranges      the IPv4 ranges handed out, each {@code start-end} (either side may be empty:
 *                    the subnet's first or last assignable address); empty for the whole subnet
 * @param reserved    addresses (either family) never handed out
 * @param hairpin     bridge ports in hairpin mode
 * @param macFromIp   pod MACs derived from their IPv4 address (0a:58:a.b.c.d) instead of random
 * @param uplink      an interface enslaved to the bridge, or empty
 * @param subnet6     the IPv6 subnet of a dual-stack network, or empty
 * @param gateway6    its gateway, or empty
 * @param ranges6     the IPv6 ranges, as {@code ranges}; empty for the whole subnet
 * @param ipv6FromMac pods' IPv6 addresses are the prefix of {@code subnet6} with the pod's MAC in the
 *                    last 48 bits (libnetwork's rule), instead of IPAM ranges
 * @param pod         default route, routes and DNS given to every pod
 * @param ipMasq      traffic from the network's subnets to destinations outside them leaves
 *                    masqueraded as the host (podnet's nf_tables table)
 * @param linkLocalGateway ptp only: the host ends hold no address; each pod's gateway is the
 *                    link-local 169.254.1.1 (fe80::1), reached through a permanent neighbour entry
 */
public record NetworkRecord(
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
        PodConfig pod,
        boolean ipMasq,
        boolean linkLocalGateway) {
    private static final String VERSION = "9";

    public NetworkRecord {
        subnet = subnet == null ? "" : subnet;
        gateway = gateway == null ? "" : gateway;
        ranges = List.copyOf(ranges == null ? List.of() : ranges);
        reserved = List.copyOf(reserved == null ? List.of() : reserved);
        ranges6 = List.copyOf(ranges6 == null ? List.of() : ranges6);
        uplink = uplink == null ? "" : uplink;
        subnet6 = subnet6 == null ? "" : subnet6;
        gateway6 = gateway6 == null ? "" : gateway6;
        pod = pod == null ? PodConfig.DEFAULT : pod;
    }

    /** True when the network hands out IPv4 addresses (false for an IPv6-only network). */
    public boolean ipv4() {
        return !subnet.isEmpty();
    }

    /** True for a network with IPv6 (dual stack, or IPv6-only). */
    public boolean ipv6() {
        return !subnet6.isEmpty();
    }

    public String encode() {
        return String.join(
                "|",
                VERSION,
                name,
                mode.name(),
                bridge,
                subnet,
                gateway,
                Integer.toString(mtu),
                String.join(",", ranges),
                String.join(",", reserved),
                Boolean.toString(hairpin),
                Boolean.toString(macFromIp),
                uplink,
                subnet6,
                gateway6,
                String.join(",", ranges6),
                Boolean.toString(ipv6FromMac),
                Boolean.toString(pod.defaultRoute()),
                String.join(",", pod.routes()),
                String.join(",", pod.nameservers()),
                pod.domain(),
                String.join(",", pod.search()),
                String.join(",", pod.options()),
                Boolean.toString(ipMasq),
                Boolean.toString(linkLocalGateway));
    }

    private static List<String> list(String s) {
        return s.isEmpty() ? List.of() : Arrays.asList(s.split(","));
    }

    /** Versions before 6 had one optional range as start and end fields. */
    private static List<String> oneRange(String start, String end) {
        return start.isEmpty() && end.isEmpty() ? List.of() : List.of(start + "-" + end);
    }

    /** Field {@code i}, or empty when a record of an older version ends before it. */
    private static String orEmpty(String[] f, int i) {
        return i < f.length ? f[i] : "";
    }

    public static NetworkRecord decode(String text) {
        String[] f = text.split("\\|", -1);
        // version 7 added the pod settings after version 6's fifteen fields, version 8 masquerading,
        // version 9 the link-local gateway
        boolean v9 = f.length == 24 && f[0].equals(VERSION);
        boolean v8 = v9 || f.length == 23 && f[0].equals("8");
        boolean v7 = v8 || f.length == 22 && f[0].equals("7");
        boolean v6 = v7 || (f.length == 16 && f[0].equals("6"));
        // versions 1 to 5 had one optional range as start and end fields where version 6 has its ranges
        // and reserved addresses, and no IPv6 ranges; each added fields at the end, which read as their
        // defaults in a record of a version before
        if (f.length == 8 && f[0].equals("1")) {
            // version 1 had no mode: every network was a bridge
            f = new String[] {f[0], f[1], NetworkMode.BRIDGE.name(), f[2], f[3], f[4], f[5], f[6], f[7]};
        } else if (!v6
                && !(f.length == 9 && f[0].equals("2"))
                && !(f.length == 12 && f[0].equals("3"))
                && !(f.length == 14 && f[0].equals("4"))
                && !(f.length == 15 && f[0].equals("5"))) {
            throw new IllegalStateException("network record is damaged or of an unknown version: '" + text + "'");
        }
        return new NetworkRecord(
                f[1],
                NetworkMode.valueOf(f[2]),
                f[3],
                f[4],
                f[5],
                Integer.parseInt(f[6]),
                v6 ? list(f[7]) : oneRange(f[7], f[8]),
                v6 ? list(f[8]) : List.of(),
                Boolean.parseBoolean(orEmpty(f, 9)),
                Boolean.parseBoolean(orEmpty(f, 10)),
                orEmpty(f, 11),
                orEmpty(f, 12),
                orEmpty(f, 13),
                v6 ? list(f[14]) : List.of(),
                Boolean.parseBoolean(orEmpty(f, v6 ? 15 : 14)),
                v7
                        ? new PodConfig(
                                Boolean.parseBoolean(f[16]), list(f[17]), list(f[18]), f[19], list(f[20]), list(f[21]))
                        : PodConfig.DEFAULT,
                v8 && Boolean.parseBoolean(f[22]),
                v9 && Boolean.parseBoolean(f[23]));
    }
}
