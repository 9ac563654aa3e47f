package dev.podnet.dataplane.state;

/**
 * A network as persisted: enough to re-create its bridge and re-open its IPAM.
 *
 * @param name       the network's name
 * @param mode       bridge or ptp
 * @param bridge     the bridge's interface name (empty for ptp)
 * @param subnet     e.g. 198.18.0.0/16
 * @param gateway    the bridge's address, also the sandboxes' default gateway
 * @param mtu        0 for the default
 * @param rangeStart first address handed out, or empty for the default
 * @param rangeEnd   last address handed out, or empty for the default
 * @param hairpin    bridge ports in hairpin mode
 * @param macFromIp  pod MACs derived from their IPv4 address (0a:58:a.b.c.d) instead of random
 * @param uplink     an interface enslaved to the bridge, or empty
 * @param subnet6    the IPv6 subnet of a dual-stack network, or empty
 * @param gateway6   its gateway (on the bridge), or empty
 * @param ipv6FromMac pods' IPv6 addresses are the prefix of {@code subnet6} with the pod's MAC in the
 *                   last 48 bits (libnetwork's rule), instead of IPAM ranges
 */
public record NetworkRecord(String name, NetworkMode mode, String bridge, String subnet, String gateway, int mtu,
                            String rangeStart, String rangeEnd, boolean hairpin, boolean macFromIp, String uplink,
                            String subnet6, String gateway6, boolean ipv6FromMac) {
    private static final String VERSION = "5";

    public NetworkRecord {
        rangeStart = rangeStart == null ? "" : rangeStart;
        rangeEnd = rangeEnd == null ? "" : rangeEnd;
        uplink = uplink == null ? "" : uplink;
        subnet6 = subnet6 == null ? "" : subnet6;
        gateway6 = gateway6 == null ? "" : gateway6;
    }

    /** True for a dual-stack network. */
    public boolean ipv6() {
        return !subnet6.isEmpty();
    }

    public String encode() {
        return String.join("|", VERSION, name, mode.name(), bridge, subnet, gateway, Integer.toString(mtu),
                rangeStart, rangeEnd, Boolean.toString(hairpin), Boolean.toString(macFromIp), uplink, subnet6, gateway6,
                Boolean.toString(ipv6FromMac));
    }

    public static NetworkRecord decode(String text) {
        String[] f = text.split("\\|", -1);
        if (f.length == 8 && f[0].equals("1")) {
            // version 1 had no mode: every network was a bridge
            return new NetworkRecord(f[1], NetworkMode.BRIDGE, f[2], f[3], f[4], Integer.parseInt(f[5]), f[6], f[7],
                    false, false, "", "", "", false);
        }
        if (f.length == 9 && f[0].equals("2")) {
            return new NetworkRecord(f[1], NetworkMode.valueOf(f[2]), f[3], f[4], f[5], Integer.parseInt(f[6]), f[7], f[8],
                    false, false, "", "", "", false);
        }
        boolean v3 = f.length == 12 && f[0].equals("3");
        boolean v4 = f.length == 14 && f[0].equals("4");
        if (!v3 && !v4 && (f.length != 15 || !f[0].equals(VERSION))) {
            throw new IllegalStateException("network record is damaged or of an unknown version: '" + text + "'");
        }
        return new NetworkRecord(f[1], NetworkMode.valueOf(f[2]), f[3], f[4], f[5], Integer.parseInt(f[6]), f[7], f[8],
                Boolean.parseBoolean(f[9]), Boolean.parseBoolean(f[10]), f[11], v3 ? "" : f[12], v3 ? "" : f[13],
                !v3 && !v4 && Boolean.parseBoolean(f[14]));
    }
}
