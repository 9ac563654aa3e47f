package dev.podnet.netlink.route;

/** Link attributes and flags ({@code linux/if_link.h}, {@code linux/if.h}, {@code linux/veth.h}). */
public final class Ifla {
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_BROADCAST = 2;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_LINK = 5;
    public static final int IFLA_QDISC = 6;
    public static final int IFLA_STATS = 7;
    public static final int IFLA_MASTER = 10;
    public static final int IFLA_PROTINFO = 12;
    public static final int IFLA_TXQLEN = 13;
    public static final int IFLA_OPERSTATE = 16;
    public static final int IFLA_LINKMODE = 17;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_NET_NS_PID = 19;
    public static final int IFLA_IFALIAS = 20;
    public static final int IFLA_STATS64 = 23;
    public static final int IFLA_AF_SPEC = 26;
    public static final int IFLA_GROUP = 27;
    public static final int IFLA_NUM_TX_QUEUES = 31;
    public static final int IFLA_NUM_RX_QUEUES = 32;
    public static final int IFLA_NET_NS_FD = 28;
    public static final int IFLA_EXT_MASK = 29;
    public static final int IFLA_LINK_NETNSID = 37;
    public static final int IFLA_TARGET_NETNSID = 46;

    /** Inside {@code IFLA_LINKINFO}. */
    public static final int IFLA_INFO_KIND = 1;

    public static final int IFLA_INFO_DATA = 2;
    public static final int IFLA_INFO_SLAVE_KIND = 4;
    public static final int IFLA_INFO_SLAVE_DATA = 5;

    /** Inside {@code IFLA_INFO_DATA} of a bridge: multicast snooping on (1) or off (0), u8. */
    public static final int IFLA_BR_MCAST_SNOOPING = 23;

    /** Inside {@code IFLA_INFO_DATA} of a veth. */
    public static final int VETH_INFO_PEER = 1;

    /** Inside {@code IFLA_AF_SPEC} → {@code AF_INET6}. */
    public static final int IFLA_INET6_ADDR_GEN_MODE = 8;

    public static final int IN6_ADDR_GEN_MODE_EUI64 = 0;
    public static final int IN6_ADDR_GEN_MODE_NONE = 1;

    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_POINTOPOINT = 0x10;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_NOARP = 0x80;
    public static final int IFF_PROMISC = 0x100;
    public static final int IFF_MULTICAST = 0x1000;
    public static final int IFF_LOWER_UP = 0x10000;

    /** {@code ARPHRD_ETHER}. */
    public static final int ARPHRD_ETHER = 1;

    /** Maximum interface name length, NUL excluded ({@code IFNAMSIZ - 1}). */
    public static final int IFNAMSIZ_MAX = 15;

    private Ifla() {}
}
