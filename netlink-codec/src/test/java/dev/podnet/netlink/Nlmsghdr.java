package dev.podnet.netlink;

/**
 * The {@code nlmsghdr} fields a message carries, as one value: a test compares all four at once and a
 * failure shows all four.
 */
public record Nlmsghdr(int type, int flags, int sequence, int portId) {
    public static Nlmsghdr of(NetlinkMessage m) {
        return new Nlmsghdr(m.type(), m.flags(), m.sequence(), m.portId());
    }
}
