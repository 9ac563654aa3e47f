package dev.podnet.netlink.route;

import java.util.ArrayList;
import java.util.List;

/** The words iproute2 prints for rtnetlink numbers, so podnet's output reads (and parses) like {@code ip}'s. */
public final class IprouteNames {
    private static final int IFF_RUNNING = 0x40;
    /** Flag bits in the order iproute2 prints them, after NO-CARRIER. */
    private static final int[] FLAG_BITS = {
        0x8, 0x2, 0x10, 0x1000, 0x80, 0x200, 0x100, 0x400, 0x800, 0x4, 0x8000, 0x4000, 0x2000, 0x20, 0x1, 0x10000,
        0x20000, 0x40000
    };

    private static final String[] FLAG_NAMES = {
        "LOOPBACK",
        "BROADCAST",
        "POINTOPOINT",
        "MULTICAST",
        "NOARP",
        "ALLMULTI",
        "PROMISC",
        "MASTER",
        "SLAVE",
        "DEBUG",
        "DYNAMIC",
        "AUTOMEDIA",
        "PORTSEL",
        "NOTRAILERS",
        "UP",
        "LOWER_UP",
        "DORMANT",
        "ECHO"
    };

    private IprouteNames() {}

    /** Interface flags as {@code ip -j link} lists them, e.g. {@code [BROADCAST, MULTICAST, UP, LOWER_UP]}. */
    public static List<String> linkFlags(int flags) {
        List<String> out = new ArrayList<>();
        if ((flags & Ifla.IFF_UP) != 0 && (flags & IFF_RUNNING) == 0) {
            out.add("NO-CARRIER");
        }
        int rest = flags & ~IFF_RUNNING;
        for (int i = 0; i < FLAG_BITS.length; i++) {
            if ((rest & FLAG_BITS[i]) != 0) {
                out.add(FLAG_NAMES[i]);
                rest &= ~FLAG_BITS[i];
            }
        }
        if (rest != 0) {
            out.add(Integer.toHexString(rest));
        }
        return out;
    }

    /** {@code IF_OPER_*}. */
    public static String operState(int state) {
        return switch (state) {
            case 0 -> "UNKNOWN";
            case 1 -> "NOTPRESENT";
            case 2 -> "DOWN";
            case 3 -> "LOWERLAYERDOWN";
            case 4 -> "TESTING";
            case 5 -> "DORMANT";
            case 6 -> "UP";
            default -> Integer.toString(state);
        };
    }

    /** {@code ARPHRD_*} as iproute2 names them. */
    public static String linkType(int type) {
        return switch (type) {
            case 1 -> "ether";
            case 772 -> "loopback";
            case 65534 -> "none";
            case 768 -> "ipip";
            case 776 -> "sit";
            case 778 -> "gre";
            case 823 -> "ip6gre";
            case 769 -> "tunnel6";
            default -> "[" + type + "]";
        };
    }

    /** Route and address scopes: {@code global}, {@code link}, {@code host}... */
    public static String scope(int scope) {
        return switch (scope) {
            case 0 -> "global";
            case 200 -> "site";
            case 253 -> "link";
            case 254 -> "host";
            case 255 -> "nowhere";
            default -> Integer.toString(scope);
        };
    }

    /** Route protocols ({@code RTPROT_*}). */
    public static String protocol(int protocol) {
        return switch (protocol) {
            case 0 -> "unspec";
            case 1 -> "redirect";
            case 2 -> "kernel";
            case 3 -> "boot";
            case 4 -> "static";
            case 8 -> "gated";
            case 9 -> "ra";
            case 10 -> "mrt";
            case 11 -> "zebra";
            case 12 -> "bird";
            case 13 -> "dnrouted";
            case 14 -> "xorp";
            case 15 -> "ntk";
            case 16 -> "dhcp";
            case 17 -> "mrouted";
            case 18 -> "keepalived";
            case 42 -> "babel";
            case 99 -> "openr";
            case 186 -> "bgp";
            case 187 -> "isis";
            case 188 -> "ospf";
            case 189 -> "rip";
            case 192 -> "eigrp";
            default -> Integer.toString(protocol);
        };
    }

    /** Route types ({@code RTN_*}). */
    public static String routeType(int type) {
        return switch (type) {
            case 0 -> "none";
            case 1 -> "unicast";
            case 2 -> "local";
            case 3 -> "broadcast";
            case 4 -> "anycast";
            case 5 -> "multicast";
            case 6 -> "blackhole";
            case 7 -> "unreachable";
            case 8 -> "prohibit";
            case 9 -> "throw";
            case 10 -> "nat";
            case 11 -> "xresolve";
            default -> Integer.toString(type);
        };
    }

    /** Routing tables by name where iproute2 has one. */
    public static String table(int table) {
        return switch (table) {
            case 253 -> "default";
            case 254 -> "main";
            case 255 -> "local";
            default -> Integer.toString(table);
        };
    }

    /**
     * An address as iproute2 (and RFC 5952) writes it: dotted quad, or IPv6 in lower case with the
     * longest run of two or more zero groups compressed to {@code ::}.
     */
    public static String address(java.net.InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return a.getHostAddress();
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(g[i]));
        }
        return out.toString();
    }

    /** Address families as iproute2 names them in JSON. */
    public static String family(int family) {
        return switch (family) {
            case Rtm.AF_INET -> "inet";
            case Rtm.AF_INET6 -> "inet6";
            case Rtm.AF_BRIDGE -> "bridge";
            case 17 -> "link";
            default -> Integer.toString(family);
        };
    }
}
