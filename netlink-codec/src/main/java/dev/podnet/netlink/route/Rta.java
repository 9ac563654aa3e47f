package dev.podnet.netlink.route;

/** Route attributes and header values ({@code linux/rtnetlink.h}). */
public final class Rta {
    public static final int RTA_DST = 1;
    public static final int RTA_SRC = 2;
    public static final int RTA_IIF = 3;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_PRIORITY = 6;
    public static final int RTA_PREFSRC = 7;
    public static final int RTA_METRICS = 8;
    public static final int RTA_MULTIPATH = 9;
    public static final int RTA_TABLE = 15;

    /** Inside {@code RTA_METRICS} ({@code RTAX_*}). */
    public static final int RTAX_MTU = 2;

    public static final int RTAX_WINDOW = 3;
    public static final int RTAX_ADVMSS = 8;
    public static final int RTAX_HOPLIMIT = 10;

    public static final int RT_TABLE_UNSPEC = 0;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RT_TABLE_LOCAL = 255;

    public static final int RTPROT_UNSPEC = 0;
    public static final int RTPROT_KERNEL = 2;
    public static final int RTPROT_BOOT = 3;
    public static final int RTPROT_STATIC = 4;

    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;

    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;
    public static final int RTN_BROADCAST = 3;
    public static final int RTN_MULTICAST = 5;

    /** rtm_flags: the gateway is on-link even if no prefix covers it. */
    public static final int RTNH_F_ONLINK = 4;

    private Rta() {}
}
