package dev.podnet.netlink.route;

import dev.podnet.netlink.attr.AttributeList;

/**
 * The kind-specific attributes inside {@code IFLA_LINKINFO → IFLA_INFO_DATA} (and a bridge port's
 * {@code IFLA_INFO_SLAVE_DATA} / {@code IFLA_PROTINFO}), with typed views of what they hold.
 */
public final class LinkKinds {
    private LinkKinds() {}

    /** {@code IFLA_BR_*}. */
    public static final class Bridge {
        public static final int IFLA_BR_FORWARD_DELAY = 1;
        public static final int IFLA_BR_HELLO_TIME = 2;
        public static final int IFLA_BR_MAX_AGE = 3;
        public static final int IFLA_BR_AGEING_TIME = 4;
        public static final int IFLA_BR_STP_STATE = 5;
        public static final int IFLA_BR_PRIORITY = 6;
        public static final int IFLA_BR_VLAN_FILTERING = 7;

        private Bridge() {}

        /** A bridge's settings; times in centiseconds (USER_HZ) as the kernel reports them. */
        public record Info(
                int forwardDelay,
                int helloTime,
                int maxAge,
                int ageingTime,
                int stpState,
                int priority,
                boolean vlanFiltering) {
            public static Info of(AttributeList data) {
                return new Info(
                        data.u32(IFLA_BR_FORWARD_DELAY, 0),
                        data.u32(IFLA_BR_HELLO_TIME, 0),
                        data.u32(IFLA_BR_MAX_AGE, 0),
                        data.u32(IFLA_BR_AGEING_TIME, 0),
                        data.u32(IFLA_BR_STP_STATE, 0),
                        data.u16(IFLA_BR_PRIORITY, 0),
                        data.u8(IFLA_BR_VLAN_FILTERING, 0) != 0);
            }
        }
    }

    /** {@code IFLA_BRPORT_*}: a port of a bridge. */
    public static final class BridgePort {
        public static final int IFLA_BRPORT_STATE = 1;
        public static final int IFLA_BRPORT_PRIORITY = 2;
        public static final int IFLA_BRPORT_COST = 3;
        /** Hairpin mode: frames may leave by the port they came in on. */
        public static final int IFLA_BRPORT_MODE = 4;

        public static final int IFLA_BRPORT_GUARD = 5;
        public static final int IFLA_BRPORT_PROTECT = 6;
        public static final int IFLA_BRPORT_FAST_LEAVE = 7;
        public static final int IFLA_BRPORT_LEARNING = 8;
        public static final int IFLA_BRPORT_UNICAST_FLOOD = 9;

        private BridgePort() {}

        /** A bridge port's settings. {@code state}: 0 disabled, 1 listening, 2 learning, 3 forwarding, 4 blocking. */
        public record Info(int state, int priority, int cost, boolean hairpin, boolean learning, boolean flood) {
            public static Info of(AttributeList data) {
                return new Info(
                        data.u8(IFLA_BRPORT_STATE, 0),
                        data.u16(IFLA_BRPORT_PRIORITY, 0),
                        data.u32(IFLA_BRPORT_COST, 0),
                        data.u8(IFLA_BRPORT_MODE, 0) != 0,
                        data.u8(IFLA_BRPORT_LEARNING, 0) != 0,
                        data.u8(IFLA_BRPORT_UNICAST_FLOOD, 0) != 0);
            }
        }
    }

    /** {@code IFLA_MACVLAN_*}. */
    public static final class Macvlan {
        public static final int IFLA_MACVLAN_MODE = 1;
        public static final int MACVLAN_MODE_PRIVATE = 1;
        public static final int MACVLAN_MODE_VEPA = 2;
        public static final int MACVLAN_MODE_BRIDGE = 4;
        public static final int MACVLAN_MODE_PASSTHRU = 8;
        public static final int MACVLAN_MODE_SOURCE = 16;

        private Macvlan() {}

        public static String modeName(int mode) {
            return switch (mode) {
                case MACVLAN_MODE_PRIVATE -> "private";
                case MACVLAN_MODE_VEPA -> "vepa";
                case MACVLAN_MODE_BRIDGE -> "bridge";
                case MACVLAN_MODE_PASSTHRU -> "passthru";
                case MACVLAN_MODE_SOURCE -> "source";
                default -> Integer.toString(mode);
            };
        }
    }

    /** {@code IFLA_VXLAN_*}. */
    public static final class Vxlan {
        public static final int IFLA_VXLAN_ID = 1;
        public static final int IFLA_VXLAN_GROUP = 2;
        public static final int IFLA_VXLAN_LINK = 3;
        public static final int IFLA_VXLAN_LOCAL = 4;
        public static final int IFLA_VXLAN_TTL = 5;
        public static final int IFLA_VXLAN_TOS = 6;
        public static final int IFLA_VXLAN_LEARNING = 7;
        /** Destination UDP port, network byte order. */
        public static final int IFLA_VXLAN_PORT = 15;

        private Vxlan() {}

        /** A VXLAN device: VNI, underlay link, destination port, learning. */
        public record Info(int vni, int link, int port, boolean learning) {
            public static Info of(AttributeList data) {
                int be = data.u16(IFLA_VXLAN_PORT, 0);
                return new Info(
                        data.u32(IFLA_VXLAN_ID, 0),
                        data.u32(IFLA_VXLAN_LINK, 0),
                        ((be & 0xff) << 8) | (be >>> 8),
                        data.u8(IFLA_VXLAN_LEARNING, 0) != 0);
            }
        }
    }

    /** {@code IFLA_TUN_*}: tun and tap devices (made with ioctl(TUNSETIFF); reported over netlink). */
    public static final class Tun {
        public static final int IFLA_TUN_OWNER = 1;
        public static final int IFLA_TUN_GROUP = 2;
        public static final int IFLA_TUN_TYPE = 3;
        public static final int IFLA_TUN_PI = 4;
        public static final int IFLA_TUN_VNET_HDR = 5;
        public static final int IFLA_TUN_PERSIST = 6;
        public static final int IFLA_TUN_MULTI_QUEUE = 7;
        public static final int IFF_TUN = 1;
        public static final int IFF_TAP = 2;

        private Tun() {}

        /** {@code tap}: layer-2 frames (VMs), or layer-3 {@code tun}. Owner -1: none. */
        public record Info(boolean tap, long owner, boolean persist, boolean multiQueue, boolean vnetHeader) {
            public static Info of(AttributeList data) {
                return new Info(
                        data.u8(IFLA_TUN_TYPE, 0) == IFF_TAP,
                        data.has(IFLA_TUN_OWNER) ? data.u32(IFLA_TUN_OWNER, 0) & 0xffffffffL : -1,
                        data.u8(IFLA_TUN_PERSIST, 0) != 0,
                        data.u8(IFLA_TUN_MULTI_QUEUE, 0) != 0,
                        data.u8(IFLA_TUN_VNET_HDR, 0) != 0);
            }
        }
    }

    /** {@code IFLA_VLAN_*}. */
    public static final class Vlan {
        public static final int IFLA_VLAN_ID = 1;
        public static final int IFLA_VLAN_FLAGS = 2;
        /** Network byte order: 0x8100 for 802.1Q, 0x88a8 for 802.1ad. */
        public static final int IFLA_VLAN_PROTOCOL = 5;

        private Vlan() {}

        public record Info(int id, int protocol) {
            public static Info of(AttributeList data) {
                int be = data.u16(IFLA_VLAN_PROTOCOL, 0);
                return new Info(data.u16(IFLA_VLAN_ID, 0), ((be & 0xff) << 8) | (be >>> 8));
            }
        }
    }
}
