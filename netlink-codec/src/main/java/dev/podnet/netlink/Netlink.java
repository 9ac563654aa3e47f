package dev.podnet.netlink;

/** Constants of the netlink protocol itself ({@code linux/netlink.h}). */
public final class Netlink {
    /** {@code NETLINK_ROUTE}: the rtnetlink protocol. */
    public static final int NETLINK_ROUTE = 0;
    /** {@code SOL_NETLINK}: socket option level. */
    public static final int SOL_NETLINK = 270;

    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_DROP_MEMBERSHIP = 2;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    public static final int NETLINK_GET_STRICT_CHK = 12;

    /** {@code NLMSG_HDRLEN}: u32 length, u16 type, u16 flags, u32 seq, u32 port id. */
    public static final int NLMSG_HDRLEN = 16;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP_FILTERED = 0x20;
    /** GET modifiers. */
    public static final int NLM_F_ROOT = 0x100;

    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    /** NEW modifiers. */
    public static final int NLM_F_REPLACE = 0x100;

    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_APPEND = 0x800;
    /** DELETE modifier. */
    public static final int NLM_F_BULK = 0x200;
    /** Flags of an NLMSG_ERROR reply: the request was cut to its header; extended-ack TLVs follow. */
    public static final int NLM_F_CAPPED = 0x100;

    public static final int NLM_F_ACK_TLVS = 0x200;

    /** Extended-ack TLVs ({@code enum nlmsgerr_attrs}). */
    public static final int NLMSGERR_ATTR_MSG = 1;

    public static final int NLMSGERR_ATTR_OFFS = 2;
    public static final int NLMSGERR_ATTR_COOKIE = 3;
    public static final int NLMSGERR_ATTR_POLICY = 4;
    public static final int NLMSGERR_ATTR_MISS_TYPE = 5;
    public static final int NLMSGERR_ATTR_MISS_NEST = 6;

    private Netlink() {}

    /** {@code NLMSG_ALIGN}. */
    public static int align(int n) {
        return (n + 3) & ~3;
    }
}
