package dev.podnet.cli;

import dev.podnet.api.Json;
import dev.podnet.dataplane.internal.netns.NetnsThread;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.netlink.events.RouteGroup;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.Ifa;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.IprouteNames;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.Nda;
import dev.podnet.netlink.route.NeighbourMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.Rta;
import dev.podnet.netlink.route.Rtm;
import dev.podnet.stress.Args;
import dev.podnet.stress.UsageException;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code podnet ip link|addr|route|neigh show [--netns NAME] [-6] [--json]}: the kernel's tables read
 * with podnet's own codec. With {@code --json} the objects use iproute2's {@code ip -j} field names
 * and values (links as {@code ip -d -j link} prints them).
 */
final class IpCommand {
    private static final String CMD = "ip";
    private static final Duration T = Duration.ofSeconds(30);

    private final PrintStream out;
    private final String object;
    private final NetNs netns;
    private final boolean json;
    private final boolean ipv6;

    IpCommand(String[] argv, PrintStream out) {
        this.out = out;
        Args a = Args.parse(CMD, argv, 0, Set.of("--netns"), Set.of("--json", "-6", "--ipv6"));
        List<String> pos = a.positional();
        if (pos.isEmpty()) {
            throw new UsageException(CMD + ": say what to show: link, addr, route or neigh");
        }
        object = switch (pos.get(0)) {
            case "link", "l" -> "link";
            case "addr", "address", "a" -> "addr";
            case "route", "r" -> "route";
            case "neigh", "neighbour", "neighbor", "n" -> "neigh";
            default ->
                throw new UsageException(CMD + ": unknown object '" + pos.get(0) + "' (link, addr, route, neigh)");
        };
        if (pos.size() > 2
                || (pos.size() == 2 && !pos.get(1).equals("show") && !pos.get(1).equals("list"))) {
            throw new UsageException(CMD + ": only 'show' is supported: podnet ip " + object + " show");
        }
        String ns = a.get("--netns", null);
        if (ns != null) {
            try {
                NetNs.validateName(ns);
            } catch (IllegalArgumentException e) {
                throw new UsageException(CMD + ": --netns: " + e.getMessage());
            }
        }
        netns = ns == null ? NetNs.ofPath(java.nio.file.Path.of("/proc/self/ns/net")) : NetNs.named(ns);
        json = a.has("--json");
        ipv6 = a.has("-6") || a.has("--ipv6");
    }

    int run(PrintStream err) {
        MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("podnet-ip", true), EpollIoHandler.newFactory());
        try (NetnsThread thread = NetnsThread.start()) {
            NetlinkSocket socket = thread.openRouteSocket(netns).block(T);
            NetlinkClient rtnl = NetlinkClient.open(loops, socket).block(T);
            try {
                Map<Integer, LinkMessage> links = new TreeMap<>();
                for (NetlinkMessage m : dump(rtnl, RouteGroup.LINK.resyncDump())) {
                    LinkMessage l = (LinkMessage) m;
                    links.put(l.index(), l);
                }
                List<Map<String, Object>> rows = switch (object) {
                    case "link" ->
                        links.values().stream().map(l -> link(l, links, true)).toList();
                    case "addr" -> addresses(rtnl, links);
                    case "route" -> routes(rtnl, links);
                    default -> neighbours(rtnl, links);
                };
                out.println(json ? Json.write(rows) : text(rows));
                return 0;
            } finally {
                rtnl.close().block(T);
            }
        } catch (RuntimeException | java.io.IOException e) {
            err.println("podnet: ip " + object + " show: " + e.getMessage());
            return 1;
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static List<NetlinkMessage> dump(NetlinkClient rtnl, NetlinkMessage request) {
        return rtnl.dump(request).collectList().block(T);
    }

    static String mac(byte[] b) {
        return b == null ? null : HexFormat.ofDelimiter(":").formatHex(b);
    }

    /**
     * A link as {@code ip -d -j link show} prints the fields podnet knows; without {@code details}, as
     * {@code ip -j addr show} prints it (no linkmode, linkinfo or ifalias).
     */
    static Map<String, Object> link(LinkMessage l, Map<Integer, LinkMessage> links, boolean details) {
        AttributeList a = l.attributes();
        Map<String, Object> o = Json.object();
        o.put("ifindex", l.index());
        if (a.has(Ifla.IFLA_LINK)) {
            // iproute2: 0 is "link": null; a link in another namespace is an index (the kernel sends it even
            // when it equals this link's own index); else the name, or "ifN" when no link has that index
            int iflink = a.u32(Ifla.IFLA_LINK, 0);
            if (iflink == 0) {
                o.put("link", null);
            } else if (a.has(Ifla.IFLA_LINK_NETNSID)) {
                o.put("link_index", iflink);
            } else {
                o.put("link", name(links, iflink));
            }
        }
        o.put("ifname", l.name());
        o.put("flags", IprouteNames.linkFlags(l.deviceFlags()));
        o.put("mtu", l.mtu());
        if (a.has(Ifla.IFLA_QDISC)) {
            o.put("qdisc", a.string(Ifla.IFLA_QDISC));
        }
        if (l.master() != 0) {
            o.put("master", name(links, l.master()));
        }
        o.put("operstate", IprouteNames.operState(a.u8(Ifla.IFLA_OPERSTATE, 0)));
        if (details && a.has(Ifla.IFLA_LINKMODE)) {
            // iproute2 names DEFAULT and DORMANT only; any other mode is a number under another key
            int mode = a.u8(Ifla.IFLA_LINKMODE, 0);
            if (mode == 0 || mode == 1) {
                o.put("linkmode", mode == 0 ? "DEFAULT" : "DORMANT");
            } else {
                o.put("linkmode_index", mode);
            }
        }
        int group = a.u32(Ifla.IFLA_GROUP, 0);
        o.put("group", group == 0 ? "default" : Integer.toString(group));
        if (a.has(Ifla.IFLA_TXQLEN)) {
            o.put("txqlen", a.u32(Ifla.IFLA_TXQLEN, 0));
        }
        o.put("link_type", IprouteNames.linkType(l.deviceType()));
        if (a.has(Ifla.IFLA_ADDRESS)) {
            o.put("address", mac(a.bytes(Ifla.IFLA_ADDRESS)));
        }
        if (a.has(Ifla.IFLA_BROADCAST)) {
            o.put("broadcast", mac(a.bytes(Ifla.IFLA_BROADCAST)));
        }
        if (a.has(Ifla.IFLA_LINK_NETNSID)) {
            o.put("link_netnsid", a.u32(Ifla.IFLA_LINK_NETNSID, 0));
        }
        AttributeList info = a.nested(Ifla.IFLA_LINKINFO);
        if (details && !info.isEmpty()) {
            Map<String, Object> li = Json.object();
            if (info.has(Ifla.IFLA_INFO_KIND)) {
                li.put("info_kind", info.string(Ifla.IFLA_INFO_KIND));
            }
            if (info.has(Ifla.IFLA_INFO_SLAVE_KIND)) {
                li.put("info_slave_kind", info.string(Ifla.IFLA_INFO_SLAVE_KIND));
            }
            o.put("linkinfo", li);
        }
        if (details && a.has(Ifla.IFLA_IFALIAS)) {
            o.put("ifalias", a.string(Ifla.IFLA_IFALIAS)); // `ip addr show` prints it only with -d
        }
        return o;
    }

    /** A link's name as iproute2 resolves an index: {@code ifN} when no link has it. */
    private static String name(Map<Integer, LinkMessage> links, int index) {
        LinkMessage l = links.get(index);
        return l == null ? "if" + Integer.toUnsignedString(index) : l.name();
    }

    private List<Map<String, Object>> addresses(NetlinkClient rtnl, Map<Integer, LinkMessage> links) {
        Map<Integer, List<Map<String, Object>>> byLink = new TreeMap<>();
        for (NetlinkMessage m : dump(
                rtnl, AddressMessage.request(Rtm.RTM_GETADDR, 0, Rtm.AF_UNSPEC, 0, 0, 0, 0, AttributeList.EMPTY))) {
            AddressMessage am = (AddressMessage) m;
            byLink.computeIfAbsent(am.index(), k -> new ArrayList<>()).add(address(am));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (LinkMessage l : links.values()) {
            Map<String, Object> o = link(l, links, false);
            o.put("addr_info", byLink.getOrDefault(l.index(), List.of()));
            rows.add(o);
        }
        return rows;
    }

    static Map<String, Object> address(AddressMessage am) {
        AttributeList a = am.attributes();
        Map<String, Object> o = Json.object();
        o.put("family", IprouteNames.family(am.family()));
        InetAddress local = a.address(Ifa.IFA_LOCAL);
        InetAddress address = a.address(Ifa.IFA_ADDRESS);
        o.put("local", IprouteNames.address(local != null ? local : address));
        if (local != null && address != null && !local.equals(address)) {
            o.put("address", IprouteNames.address(address));
        }
        o.put("prefixlen", am.prefixLength());
        if (a.has(Ifa.IFA_BROADCAST)) {
            o.put("broadcast", IprouteNames.address(a.address(Ifa.IFA_BROADCAST)));
        }
        o.put("scope", IprouteNames.scope(am.scope()));
        if (a.has(Ifa.IFA_LABEL)) {
            o.put("label", a.string(Ifa.IFA_LABEL));
        }
        return o;
    }

    private List<Map<String, Object>> routes(NetlinkClient rtnl, Map<Integer, LinkMessage> links) {
        int family = ipv6 ? Rtm.AF_INET6 : Rtm.AF_INET;
        List<Map<String, Object>> rows = new ArrayList<>();
        for (NetlinkMessage m :
                dump(rtnl, RouteMessage.request(Rtm.RTM_GETROUTE, 0, family, 0, 0, 0, 0, 0, 0, AttributeList.EMPTY))) {
            RouteMessage r = (RouteMessage) m;
            if (r.effectiveTable() != Rta.RT_TABLE_MAIN) {
                continue; // like `ip route show`: the main table
            }
            rows.add(route(r, links));
        }
        return rows;
    }

    static Map<String, Object> route(RouteMessage r, Map<Integer, LinkMessage> links) {
        AttributeList a = r.attributes();
        int maxLen = r.family() == Rtm.AF_INET6 ? 128 : 32;
        Map<String, Object> o = Json.object();
        if (r.routeType() != Rta.RTN_UNICAST) {
            o.put("type", IprouteNames.routeType(r.routeType()));
        }
        InetAddress dst = r.destination();
        o.put(
                "dst",
                dst == null
                        ? "default"
                        : IprouteNames.address(dst) + (r.dstLength() == maxLen ? "" : "/" + r.dstLength()));
        if (r.gateway() != null) {
            o.put("gateway", IprouteNames.address(r.gateway()));
        }
        if (r.outputInterface() != 0) {
            LinkMessage dev = links.get(r.outputInterface());
            o.put("dev", dev == null ? Integer.toString(r.outputInterface()) : dev.name());
        }
        if (r.effectiveTable() != Rta.RT_TABLE_MAIN) {
            o.put("table", IprouteNames.table(r.effectiveTable()));
        }
        if (r.protocol() != Rta.RTPROT_BOOT) {
            o.put("protocol", IprouteNames.protocol(r.protocol()));
        }
        if (r.scope() != Rta.RT_SCOPE_UNIVERSE) {
            o.put("scope", IprouteNames.scope(r.scope()));
        }
        if (a.has(Rta.RTA_PREFSRC)) {
            o.put("prefsrc", IprouteNames.address(a.address(Rta.RTA_PREFSRC)));
        }
        if (a.has(Rta.RTA_PRIORITY)) {
            o.put("metric", a.u32(Rta.RTA_PRIORITY, 0) & 0xffffffffL);
        }
        o.put("flags", routeFlags(r.routeFlags()));
        return o;
    }

    /** {@code RTNH_F_*} and {@code RTM_F_*} words, in iproute2's order. */
    static List<String> routeFlags(int flags) {
        List<String> f = new ArrayList<>();
        int[] bits = {1, 4, 2, 8, 64, 0x100, 16, 32};
        String[] names = {"dead", "onlink", "pervasive", "offload", "trap", "notify", "linkdown", "unresolved"};
        for (int i = 0; i < bits.length; i++) {
            if ((flags & bits[i]) != 0) {
                f.add(names[i]);
            }
        }
        return f;
    }

    private List<Map<String, Object>> neighbours(NetlinkClient rtnl, Map<Integer, LinkMessage> links) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (NetlinkMessage m : dump(rtnl, RouteGroup.NEIGH.resyncDump())) {
            NeighbourMessage n = (NeighbourMessage) m;
            // like `ip neigh show`: IPv4 and IPv6 entries, not the NOARP ones
            if ((n.family() != Rtm.AF_INET && n.family() != Rtm.AF_INET6)
                    || (n.state() & Nda.NUD_NOARP) != 0
                    || n.destination() == null) {
                continue;
            }
            Map<String, Object> o = Json.object();
            o.put("dst", IprouteNames.address(n.destination()));
            LinkMessage dev = links.get(n.index());
            o.put("dev", dev == null ? Integer.toString(n.index()) : dev.name());
            if (n.linkLayerAddress() != null) {
                o.put("lladdr", mac(n.linkLayerAddress()));
            }
            List<String> state = new ArrayList<>();
            for (int bit = 1; bit <= 0x80; bit <<= 1) {
                if ((n.state() & bit) != 0) {
                    state.add(Nda.stateName(bit));
                }
            }
            o.put("state", state);
            rows.add(o);
        }
        return rows;
    }

    /** A readable table: one line per object, its fields as {@code key value}. */
    private String text(List<Map<String, Object>> rows) {
        StringBuilder b = new StringBuilder();
        for (Map<String, Object> row : rows) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, Object> e : row.entrySet()) {
                Object v = e.getValue();
                if (v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map) {
                    for (Object sub : l) {
                        parts.add("\n    "
                                + ((Map<?, ?>) sub)
                                        .values().stream()
                                                .map(String::valueOf)
                                                .reduce((x, y) -> x + " " + y)
                                                .orElse(""));
                    }
                } else if (v instanceof List<?> l) {
                    parts.add(e.getKey() + " <"
                            + String.join(",", l.stream().map(String::valueOf).toList()) + ">");
                } else if (v instanceof Map<?, ?> m) {
                    parts.add(e.getKey() + " " + m.values());
                } else {
                    parts.add(e.getKey() + " " + v);
                }
            }
            b.append(String.join("  ", parts).replace("  \n", "\n")).append('\n');
        }
        return b.toString().stripTrailing();
    }
}
