package dev.podnet.netlink.route;

import dev.podnet.netlink.Netlink;

/**
 * The kernel's names of rtnetlink's numbers as its headers spell them ({@code RTM_NEWLINK},
 * {@code IFLA_MTU}), for descriptions and errors: read from the constants of {@link Rtm},
 * {@link Ifla}, {@link Ifa}, {@link Rta} and {@link Nda}, so that a constant added there is named
 * too. (How iproute2 prints values is {@link IprouteNames}.)
 */
public final class RtnlNames {
    private static final ConstantNames MESSAGES = ConstantNames.of(Rtm.class, "RTM_");
    private static final ConstantNames CONTROL = ConstantNames.of(Netlink.class, "NLMSG_", "NLMSG_HDRLEN");
    private static final ConstantNames LINK =
            ConstantNames.of(Ifla.class, "IFLA_", "IFLA_INFO_", "IFLA_BR_", "IFLA_INET6_");
    private static final ConstantNames ADDRESS = ConstantNames.of(Ifa.class, "IFA_", "IFA_F_");
    private static final ConstantNames ROUTE = ConstantNames.of(Rta.class, "RTA_");
    private static final ConstantNames NEIGHBOUR = ConstantNames.of(Nda.class, "NDA_");

    private RtnlNames() {}

    /** A message type: {@code RTM_NEWLINK}..., {@code NLMSG_DONE}..., else {@code type N}. */
    public static String message(int type) {
        String name = MESSAGES.name(type);
        if (name == null) {
            name = CONTROL.name(type);
        }
        return name != null ? name : "type " + type;
    }

    /** A top-level link attribute ({@code IFLA_*}), or null. */
    public static String linkAttribute(int type) {
        return LINK.name(type);
    }

    /** An address attribute ({@code IFA_*}), or null. */
    public static String addressAttribute(int type) {
        return ADDRESS.name(type);
    }

    /** A route attribute ({@code RTA_*}), or null. */
    public static String routeAttribute(int type) {
        return ROUTE.name(type);
    }

    /** A neighbour attribute ({@code NDA_*}), or null. */
    public static String neighbourAttribute(int type) {
        return NEIGHBOUR.name(type);
    }
}
