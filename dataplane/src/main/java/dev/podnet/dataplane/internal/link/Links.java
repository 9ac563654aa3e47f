package dev.podnet.dataplane.internal.link;

import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.RequestWriter;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.Rtm;
import java.nio.charset.StandardCharsets;

/**
 * Builds link requests: bridges, veth pairs whose peer is created straight inside another
 * namespace, deletes and lookups. Every setting the kernel accepts at creation goes into the
 * creating message, so a link is made in one round trip.
 */
public final class Links {
    private Links() {}

    /** Checks an interface name as the kernel will ({@code dev_valid_name}), so the error comes before any request. */
    public static void validateName(String field, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > Ifla.IFNAMSIZ_MAX) {
            throw new IllegalArgumentException(field + " '" + name + "' is longer than 15 bytes (IFNAMSIZ)");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException(field + " '" + name + "' is not a valid interface name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c == 0) {
                throw new IllegalArgumentException(field + " '" + name + "' contains '"
                        + (c == 0 ? "\\0" : String.valueOf(c)) + "', which interface names cannot hold");
            }
        }
    }

    /**
     * Checks an MTU (0: the kernel's default) before anything is made. The lower bound is IPv6's
     * minimum, 1280, for IPv4-only networks too: podnet turns IPv6 link-local generation off on every
     * interface it makes ({@code IFLA_AF_SPEC}), and below 1280 the kernel has no IPv6 state on the
     * device to set, failing deep inside an add with {@code EAFNOSUPPORT}.
     */
    public static void validateMtu(String field, int mtu) {
        if (mtu != 0 && (mtu < MIN_MTU || mtu > 65535)) {
            throw new IllegalArgumentException(
                    field + " " + mtu + " is outside " + MIN_MTU + "..65535 (podnet configures IPv6 "
                            + "on every interface it makes, and IPv6 needs at least 1280)");
        }
    }

    /** The smallest MTU podnet accepts: IPv6's minimum (see {@link #validateMtu}). */
    public static final int MIN_MTU = 1280;

    /**
     * A new bridge, left down so that {@link #up} can turn IPv6 link-local generation off before
     * the kernel would make one (the kernel refuses {@code IFLA_AF_SPEC} in a creating message).
     *
     * @param mtu 0 for the kernel's default
     */
    public static LinkMessage newBridge(String name, int mtu) {
        return newBridge(name, mtu, null, true);
    }

    /**
     * {@link #newBridge(String, int)} with a MAC set at creation. A bridge whose MAC was never set
     * takes the lowest MAC of its ports, and so changes it as ports come and go: every neighbour
     * cache entry for the bridge's address then points at a MAC it no longer has, and pods lose
     * their gateway until the entries expire. A set MAC ({@code NET_ADDR_SET}) stays.
     *
     * <p>Without multicast snooping, a port that comes up costs the bridge no walk over every other
     * port's multicast timers (which, on a bridge of a thousand pods, took 15% of an add). Snooping
     * only narrows delivery when a multicast querier is present; a pod bridge has none (the kernel's
     * querier is off by default), so its multicast is flooded to every port either way.
     *
     * @param mac               the bridge's MAC, or null to leave it to the kernel
     * @param multicastSnooping the kernel's default (on), or off
     */
    public static LinkMessage newBridge(String name, int mtu, MacAddress mac, boolean multicastSnooping) {
        AttributeList.Builder a = AttributeList.builder().string(Ifla.IFLA_IFNAME, name);
        if (mtu > 0) {
            a.u32(Ifla.IFLA_MTU, mtu);
        }
        if (mac != null) {
            a.bytes(Ifla.IFLA_ADDRESS, mac.bytes());
        }
        a.nested(Ifla.IFLA_LINKINFO, li -> {
            li.string(Ifla.IFLA_INFO_KIND, "bridge");
            if (!multicastSnooping) {
                li.nested(Ifla.IFLA_INFO_DATA, data -> data.u8(Ifla.IFLA_BR_MCAST_SNOOPING, 0));
            }
        });
        return LinkMessage.request(
                Rtm.RTM_NEWLINK, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL | Netlink.NLM_F_ECHO, 0, 0, 0, a.build());
    }

    /**
     * Turns IPv6 address generation off on link {@code index}, so that when it comes up it gets no
     * link-local address and sends no DAD, MLD or router solicitations (which a bridge floods to
     * every port). Must precede {@link #up}: within one message the kernel applies the up flag
     * before {@code IFLA_AF_SPEC}.
     */
    public static LinkMessage noIpv6LinkLocal(int index) {
        return written(w -> writeNoIpv6LinkLocal(w, index, null));
    }

    /** {@link #noIpv6LinkLocal(int)}, setting the link's alias in the same message. */
    public static LinkMessage noIpv6LinkLocal(int index, String alias) {
        return written(w -> writeNoIpv6LinkLocal(w, index, alias));
    }

    /** {@link #noIpv6LinkLocal(int)} for the link named {@code name}. */
    public static LinkMessage noIpv6LinkLocal(String name) {
        AttributeList.Builder a = AttributeList.builder().string(Ifla.IFLA_IFNAME, name);
        noLinkLocal(a);
        return LinkMessage.request(Rtm.RTM_SETLINK, a.build());
    }

    /**
     * Sets the alias ({@code IFLA_IFALIAS}) of the link named {@code name}. The kernel ignores an
     * alias in a creating message, so this follows the create, in the same datagram.
     */
    public static LinkMessage setAlias(String name, String alias) {
        return setAlias(name, alias, false);
    }

    /** {@link #setAlias(String, String)}, bringing the link up in the same message when {@code up}. */
    public static LinkMessage setAlias(String name, String alias, boolean up) {
        int flags = up ? Ifla.IFF_UP : 0;
        return LinkMessage.request(
                Rtm.RTM_SETLINK,
                0,
                0,
                flags,
                flags,
                AttributeList.builder()
                        .string(Ifla.IFLA_IFNAME, name)
                        .string(Ifla.IFLA_IFALIAS, alias)
                        .build());
    }

    /**
     * Sets the alias of the link named {@code name} and turns its IPv6 link-local generation off,
     * in one message: what follows the create of a host veth end (made down, or up but without a
     * carrier: either way IPv6 has configured nothing on it yet).
     */
    public static LinkMessage setAliasWithoutLinkLocal(String name, String alias) {
        return written(w -> writeSetAliasWithoutLinkLocal(w, name, alias));
    }

    /**
     * Turns hairpin mode on for the bridge port named {@code name} ({@code IFLA_BRPORT_MODE}):
     * frames may leave by the port they arrived on, so a pod reaches itself through a service
     * address. An {@code RTM_NEWLINK} without create flags, as bridge-port data is only changed there.
     */
    public static LinkMessage hairpinOn(String name) {
        return LinkMessage.request(
                Rtm.RTM_NEWLINK,
                AttributeList.builder()
                        .string(Ifla.IFLA_IFNAME, name)
                        .nested(
                                Ifla.IFLA_LINKINFO,
                                li -> li.string(Ifla.IFLA_INFO_SLAVE_KIND, "bridge")
                                        .nested(Ifla.IFLA_INFO_SLAVE_DATA, d -> d.u8(4 /* IFLA_BRPORT_MODE */, 1)))
                        .build());
    }

    /** Enslaves the link named {@code name} to {@code masterIndex} (0 releases it) and brings it up. */
    public static LinkMessage setMaster(String name, int masterIndex) {
        return LinkMessage.request(
                Rtm.RTM_SETLINK,
                0,
                0,
                masterIndex > 0 ? Ifla.IFF_UP : 0,
                masterIndex > 0 ? Ifla.IFF_UP : 0,
                AttributeList.builder()
                        .string(Ifla.IFLA_IFNAME, name)
                        .u32(Ifla.IFLA_MASTER, masterIndex)
                        .build());
    }

    /** Sets link {@code index}'s MTU. */
    public static LinkMessage setMtu(int index, int mtu) {
        return LinkMessage.request(
                Rtm.RTM_SETLINK,
                0,
                index,
                0,
                0,
                AttributeList.builder().u32(Ifla.IFLA_MTU, mtu).build());
    }

    /** Sets link {@code index}'s MAC. */
    public static LinkMessage setMac(int index, MacAddress mac) {
        return LinkMessage.request(
                Rtm.RTM_SETLINK,
                0,
                index,
                0,
                0,
                AttributeList.builder().bytes(Ifla.IFLA_ADDRESS, mac.bytes()).build());
    }

    /** Enslaves link {@code index} to {@code masterIndex} and brings it up. */
    public static LinkMessage setMaster(int index, int masterIndex) {
        return LinkMessage.request(
                Rtm.RTM_SETLINK,
                0,
                index,
                Ifla.IFF_UP,
                Ifla.IFF_UP,
                AttributeList.builder().u32(Ifla.IFLA_MASTER, masterIndex).build());
    }

    /** Brings link {@code index} up. */
    public static LinkMessage up(int index) {
        return written(w -> writeUp(w, index));
    }

    /** {@code IFLA_AF_SPEC → AF_INET6 → IFLA_INET6_ADDR_GEN_MODE = none}: no link-local address, no DAD/MLD/RS. */
    private static void noLinkLocal(AttributeList.Builder a) {
        a.nested(
                Ifla.IFLA_AF_SPEC,
                spec -> spec.nested(
                        Rtm.AF_INET6, v6 -> v6.u8(Ifla.IFLA_INET6_ADDR_GEN_MODE, Ifla.IN6_ADDR_GEN_MODE_NONE)));
    }

    /**
     * A veth pair in one message: the host end here, enslaved to {@code masterIndex}, up when
     * {@code hostUp}; the peer created directly inside the namespace behind {@code peerNetnsFd},
     * named, with its MAC and MTU, and up unless {@code noIpv6LinkLocal}. A host end made up has no
     * carrier while its peer is down, and IPv6 configures nothing on a link without one, so a
     * {@link #noIpv6LinkLocal} (or {@link #setAliasWithoutLinkLocal}) for it sent in the same
     * datagram is still in time.
     *
     * <p>A bridge port is better made down and brought up once its peer is up: a port that comes
     * up in its create looks operational to the bridge (the kernel settles the real state later),
     * so the bridge enables it, disables it when the missing carrier is noticed, and enables it
     * again when the peer comes up; and each of those runs over every port of the bridge.
     * Sent with {@code NLM_F_ECHO}: the echo of the host end carries the peer's ifindex in
     * {@code IFLA_LINK}, so no lookup is needed in the pod.
     */
    public static LinkMessage newVethIntoNamespace(VethSpec s) {
        return written(w -> writeVethIntoNamespace(w, s));
    }

    // ---- requests written straight into a datagram (the hot path of an add); their object forms
    // above are these, decoded, so that each has one definition ------------------------------------

    private static LinkMessage written(java.util.function.Consumer<RequestWriter> write) {
        return (LinkMessage) RequestWriter.asObject(dev.podnet.netlink.route.RouteMessages.INSTANCE, write);
    }

    /** {@link #newVethIntoNamespace}, written by {@code w}  */
    public static RequestWriter writeVethIntoNamespace(RequestWriter w, VethSpec s) {
        int up = s.hostUp() ? Ifla.IFF_UP : 0;
        w.begin(Rtm.RTM_NEWLINK, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL | Netlink.NLM_F_ECHO)
                .ifinfomsg(Rtm.AF_UNSPEC, 0, up, up)
                .string(Ifla.IFLA_IFNAME, s.hostName());
        if (s.mtu() > 0) {
            w.u32(Ifla.IFLA_MTU, s.mtu());
        }
        if (s.masterIndex() > 0) {
            w.u32(Ifla.IFLA_MASTER, s.masterIndex());
        }
        if (s.group() != 0) {
            w.u32(Ifla.IFLA_GROUP, s.group());
        }
        singleQueue(w);
        int peerUp = s.noIpv6LinkLocal() ? 0 : Ifla.IFF_UP;
        w.nest(Ifla.IFLA_LINKINFO)
                .string(Ifla.IFLA_INFO_KIND, "veth")
                .nest(Ifla.IFLA_INFO_DATA)
                .nest(Ifla.VETH_INFO_PEER)
                .ifinfomsg(Rtm.AF_UNSPEC, 0, peerUp, peerUp)
                .string(Ifla.IFLA_IFNAME, s.peerName())
                .u32(Ifla.IFLA_NET_NS_FD, s.peerNetnsFd());
        if (s.peerMac() != null) {
            w.bytes(Ifla.IFLA_ADDRESS, s.peerMac().bytes());
        }
        if (s.mtu() > 0) {
            w.u32(Ifla.IFLA_MTU, s.mtu());
        }
        return singleQueue(w).endNest().endNest().endNest().end();
    }

    /** {@link #setAliasWithoutLinkLocal}, written by {@code w}  */
    public static RequestWriter writeSetAliasWithoutLinkLocal(RequestWriter w, String name, String alias) {
        w.begin(Rtm.RTM_SETLINK, 0)
                .ifinfomsg(Rtm.AF_UNSPEC, 0, 0, 0)
                .string(Ifla.IFLA_IFNAME, name)
                .string(Ifla.IFLA_IFALIAS, alias);
        return writeNoLinkLocal(w).end();
    }

    /** {@link #noIpv6LinkLocal(int)}, or with an alias {@link #noIpv6LinkLocal(int, String)}, written by {@code w}. */
    public static RequestWriter writeNoIpv6LinkLocal(RequestWriter w, int index, String aliasOrNull) {
        w.begin(Rtm.RTM_SETLINK, 0).ifinfomsg(Rtm.AF_UNSPEC, index, 0, 0);
        if (aliasOrNull != null) {
            w.string(Ifla.IFLA_IFALIAS, aliasOrNull);
        }
        return writeNoLinkLocal(w).end();
    }

    /** {@link #up}, written by {@code w}  */
    public static RequestWriter writeUp(RequestWriter w, int index) {
        return w.begin(Rtm.RTM_SETLINK, 0)
                .ifinfomsg(Rtm.AF_UNSPEC, index, Ifla.IFF_UP, Ifla.IFF_UP)
                .end();
    }

    private static RequestWriter writeNoLinkLocal(RequestWriter w) {
        return w.nest(Ifla.IFLA_AF_SPEC)
                .nest(Rtm.AF_INET6)
                .u8(Ifla.IFLA_INET6_ADDR_GEN_MODE, Ifla.IN6_ADDR_GEN_MODE_NONE)
                .endNest()
                .endNest();
    }

    /**
     * One TX and one RX queue, asked for at creation. Left to itself, veth allocates a queue per
     * CPU and then cuts the real TX count down to one on the registered device, which makes the
     * kernel wait out an expedited RCU grace period inside the create (under the RTNL lock, so
     * every other link operation waits too).
     */
    private static RequestWriter singleQueue(RequestWriter w) {
        return w.u32(Ifla.IFLA_NUM_TX_QUEUES, 1).u32(Ifla.IFLA_NUM_RX_QUEUES, 1);
    }

    /** Deletes a link by name (deleting either end of a veth deletes both). */
    public static LinkMessage deleteByName(String name) {
        return LinkMessage.request(
                Rtm.RTM_DELLINK,
                AttributeList.builder().string(Ifla.IFLA_IFNAME, name).build());
    }

    /** Deletes the link with interface index {@code index} (deleting either end of a veth deletes both). */
    public static LinkMessage deleteByIndex(int index) {
        return LinkMessage.request(Rtm.RTM_DELLINK, 0, index, 0, 0, AttributeList.EMPTY);
    }

    /** Puts the link named {@code name} into link group {@code group} ({@code IFLA_GROUP}). */
    public static LinkMessage setGroup(String name, int group) {
        return LinkMessage.request(
                Rtm.RTM_SETLINK,
                AttributeList.builder()
                        .string(Ifla.IFLA_IFNAME, name)
                        .u32(Ifla.IFLA_GROUP, group)
                        .build());
    }

    /**
     * Deletes every link of group {@code group} in one request: the kernel unregisters them together,
     * paying its RCU grace periods once for all of them instead of once per link.
     */
    public static LinkMessage deleteGroup(int group) {
        return LinkMessage.request(
                Rtm.RTM_DELLINK,
                AttributeList.builder().u32(Ifla.IFLA_GROUP, group).build());
    }

    /** Looks a link up by name: the kernel answers with that one link, or ENODEV. */
    public static LinkMessage getByName(String name) {
        return LinkMessage.request(
                Rtm.RTM_GETLINK,
                AttributeList.builder().string(Ifla.IFLA_IFNAME, name).build());
    }

    /** A dump of the ports of bridge {@code masterIndex} only, filtered by the kernel. */
    public static LinkMessage dumpPortsOf(int masterIndex) {
        return LinkMessage.request(
                Rtm.RTM_GETLINK,
                AttributeList.builder().u32(Ifla.IFLA_MASTER, masterIndex).build());
    }

    /** A dump of the links of one kind ("veth", "bridge"...), filtered by the kernel. */
    public static LinkMessage dumpKind(String kind) {
        return LinkMessage.request(
                Rtm.RTM_GETLINK,
                AttributeList.builder()
                        .nested(Ifla.IFLA_LINKINFO, li -> li.string(Ifla.IFLA_INFO_KIND, kind))
                        .build());
    }

    /** A dump of every link. */
    public static LinkMessage dumpAll() {
        return LinkMessage.request(Rtm.RTM_GETLINK, AttributeList.EMPTY);
    }
}
