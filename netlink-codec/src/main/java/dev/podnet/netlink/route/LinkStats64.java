package dev.podnet.netlink.route;

/**
 * {@code IFLA_STATS64} ({@code struct rtnl_link_stats64}): the first ten counters, which every
 * kernel that has the attribute fills in.
 */
public record LinkStats64(
        long rxPackets,
        long txPackets,
        long rxBytes,
        long txBytes,
        long rxErrors,
        long txErrors,
        long rxDropped,
        long txDropped,
        long multicast,
        long collisions) {
    /** From the attribute's bytes (host byte order), or null when they are too short. */
    public static LinkStats64 decode(byte[] b) {
        if (b == null || b.length < 80) {
            return null;
        }
        long[] v = new long[10];
        for (int i = 0; i < 10; i++) {
            long x = 0;
            for (int k = 7; k >= 0; k--) {
                x = (x << 8) | (b[i * 8 + k] & 0xff);
            }
            v[i] = x;
        }
        return new LinkStats64(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    }
}
