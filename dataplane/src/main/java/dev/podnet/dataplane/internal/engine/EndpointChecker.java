package dev.podnet.dataplane.internal.engine;

import dev.podnet.dataplane.EndpointCheck;
import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.endpoint.AttachedNetwork;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import dev.podnet.dataplane.internal.endpoint.EndpointSteps;
import dev.podnet.dataplane.internal.endpoint.HostContext;
import dev.podnet.dataplane.internal.endpoint.HostNames;
import dev.podnet.dataplane.internal.endpoint.VmWire;
import dev.podnet.dataplane.internal.link.Addresses;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.Routes;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.IprouteNames;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.Rta;
import dev.podnet.netlink.route.Rtm;
import dev.podnet.netlink.route.TcMessage;
import io.netty.channel.IoEventLoopGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Compares one endpoint's record with the kernel and names every difference. Reads only. */
final class EndpointChecker {
    private final HostContext host;
    private final IoEventLoopGroup loops;
    private final AttachedNetwork network;

    /** @param network the endpoint's network as it runs, or null when it no longer exists */
    EndpointChecker(HostContext host, IoEventLoopGroup loops, AttachedNetwork network) {
        this.host = host;
        this.loops = loops;
        this.network = network;
    }

    Mono<EndpointCheck> check(EndpointRecord r) {
        List<String> diffs = new java.util.concurrent.CopyOnWriteArrayList<>();
        if (r.state() != EndpointState.READY) {
            diffs.add("the record is " + r.state() + ", not READY");
        }
        return checkHost(r, diffs)
                .then(Mono.defer(() -> checkSandbox(r, diffs)))
                .then(Mono.fromSupplier(() -> new EndpointCheck(r.key(), diffs)));
    }

    private Mono<Void> checkHost(EndpointRecord r, List<String> diffs) {
        AttachedNetwork n = network;
        return host.rtnl()
                .request(Links.getByName(r.hostIfName()))
                .cast(LinkMessage.class)
                .doOnNext(l -> {
                    if (!l.isUp()) {
                        diffs.add("host link " + r.hostIfName() + " is down");
                    }
                    String tag = HostNames.alias(r.network(), r.containerId(), r.ifName());
                    if (!tag.equals(l.alias())) {
                        diffs.add("host link " + r.hostIfName() + " is tagged '" + l.alias() + "', not '" + tag + "'");
                    }
                    String mac = EndpointSteps.macText(l);
                    if (!r.hostMac().isEmpty() && !r.hostMac().equalsIgnoreCase(mac)) {
                        diffs.add(
                                "host link " + r.hostIfName() + " has MAC " + mac + ", the record says " + r.hostMac());
                    }
                    if (r.mtu() > 0 && l.mtu() != r.mtu()) {
                        diffs.add(
                                "host link " + r.hostIfName() + " has MTU " + l.mtu() + ", the record says " + r.mtu());
                    }
                    if (n != null && n.mode() == NetworkMode.BRIDGE && l.master() != n.bridgeIndex()) {
                        diffs.add("host link " + r.hostIfName() + " is not a port of bridge "
                                + n.record().bridge());
                    }
                })
                .onErrorResume(EndpointSteps::isNoDevice, e -> {
                    diffs.add("host link " + r.hostIfName() + " is missing");
                    return Mono.empty();
                })
                .then(Mono.fromRunnable(() -> {
                    if (n == null) {
                        diffs.add("network " + r.network() + " does not exist");
                    }
                }));
    }

    private Mono<Void> checkSandbox(EndpointRecord r, List<String> diffs) {
        NetNs ns = NetNs.ofPath(Path.of(r.netns()));
        String where = r.ifName() + " in " + r.netns();
        return Mono.usingWhen(
                        host.netns().openRouteSocket(ns).flatMap(s -> NetlinkClient.open(loops, s)),
                        pod -> pod.request(Links.getByName(r.ifName()))
                                .cast(LinkMessage.class)
                                .flatMap(l -> {
                                    byte[] hw = l.hardwareAddress();
                                    String mac = hw == null || hw.length != 6 ? "" : new MacAddress(hw).toString();
                                    if (r.vmTap().isEmpty() && !mac.equalsIgnoreCase(r.mac())) {
                                        diffs.add(where + " has MAC " + mac + ", the record says " + r.mac());
                                    }
                                    if (!l.isUp()) {
                                        diffs.add(where + " is down");
                                    }
                                    if (r.mtu() > 0 && l.mtu() != r.mtu()) {
                                        diffs.add(where + " has MTU " + l.mtu() + ", the record says " + r.mtu());
                                    }
                                    if (!r.vmTap().isEmpty()) {
                                        return checkVm(pod, r, l, diffs);
                                    }
                                    return checkAddress(pod, where, l.index(), r.address(), diffs)
                                            .then(checkAddress(pod, where, l.index(), r.address6(), diffs))
                                            .then(checkRoutes(
                                                    pod,
                                                    where,
                                                    l.index(),
                                                    r,
                                                    network == null
                                                            || network.record()
                                                                    .pod()
                                                                    .defaultRoute(),
                                                    diffs));
                                })
                                .onErrorResume(EndpointSteps::isNoDevice, e -> {
                                    diffs.add(where + " is missing");
                                    return Mono.empty();
                                }),
                        NetlinkClient::close)
                // the sandbox's namespace cannot be entered: it is gone
                .onErrorResume(e -> e instanceof dev.podnet.dataplane.netns.NetnsException, e -> {
                    diffs.add("netns " + r.netns() + " is missing");
                    return Mono.empty();
                });
    }

    private static Mono<Void> checkAddress(
            NetlinkClient pod, String where, int index, String address, List<String> diffs) {
        if (address.isEmpty()) {
            return Mono.empty();
        }
        Cidr want = Cidr.parse(address);
        return pod.dump(Addresses.dumpOf(want.family(), index))
                .cast(AddressMessage.class)
                .filter(a -> a.address().equals(want.address()) && a.prefixLength() == want.prefixLength())
                .hasElements()
                .doOnNext(has -> {
                    if (!has) {
                        diffs.add(where + " lacks " + address);
                    }
                })
                .then();
    }

    /** The default route per family, and every extra route the record lists, in the main table. */
    private static Mono<Void> checkRoutes(
            NetlinkClient pod, String where, int index, EndpointRecord r, boolean defaultRoute, List<String> diffs) {
        List<String[]> wanted = new ArrayList<>(); // {dst, gateway}
        if (defaultRoute && !r.address().isEmpty()) {
            wanted.add(new String[] {"0.0.0.0/0", r.gateway()});
            if (!r.address6().isEmpty()) {
                wanted.add(new String[] {"::/0", r.gateway6()});
            }
        }
        for (String extra : r.routes()) {
            String[] p = extra.split(" via ", 2);
            wanted.add(new String[] {p[0], p[1]});
        }
        return Flux.just(Rtm.AF_INET, Rtm.AF_INET6)
                // a family without a single route has no main table yet (ENOENT): nothing to find there
                .concatMap(family -> pod.dump(Routes.dumpTable(family, Rta.RT_TABLE_MAIN))
                        .cast(RouteMessage.class)
                        .onErrorResume(
                                e -> dev.podnet.netlink.NetlinkException.hasErrno(e, dev.podnet.netlink.Errno.ENOENT),
                                e -> Flux.empty()))
                .filter(rt -> rt.outputInterface() == index && rt.gateway() != null)
                .map(rt -> (rt.dstLength() == 0
                                ? (rt.family() == Rtm.AF_INET ? "0.0.0.0/0" : "::/0")
                                : new Cidr(rt.destination(), rt.dstLength()).toString())
                        + " via " + IprouteNames.address(rt.gateway()))
                .collect(java.util.stream.Collectors.toSet())
                .doOnNext(present -> {
                    for (String[] w : wanted) {
                        String route = w[0] + " via " + IprouteNames.address(Cidr.parseAddress(w[1], "gateway"));
                        if (!present.contains(route)) {
                            diffs.add(where
                                    + (w[0].endsWith("/0")
                                            ? " has no default route via " + w[1]
                                            : " lacks route " + route));
                        }
                    }
                })
                .then();
    }

    /**
     * A VM endpoint: its tap is there, up and tagged with what the VM was handed, and the interface
     * and the tap are wired (each passes every frame that arrives on it to the other, and the tap
     * keeps the VM's DHCP for the responder), as {@link VmWire} defines.
     */
    private static Mono<Void> checkVm(NetlinkClient pod, EndpointRecord r, LinkMessage eth, List<String> diffs) {
        String where = " in " + r.netns();
        return pod.request(Links.getByName(r.vmTap()))
                .cast(LinkMessage.class)
                .flatMap(tap -> {
                    if (!tap.isUp()) {
                        diffs.add("tap " + r.vmTap() + where + " is down");
                    }
                    if (tap.alias() == null || !tap.alias().startsWith(EndpointSteps.VM_TAG)) {
                        diffs.add("tap " + r.vmTap() + where + " lacks its " + EndpointSteps.VM_TAG + " tag");
                    }
                    // one dump at a time on a socket
                    return filters(pod, eth.index())
                            .doOnNext(f -> {
                                if (!VmWire.passes(f, eth.index(), tap.index())) {
                                    diffs.add(r.ifName() + where + " does not pass its frames to tap " + r.vmTap());
                                }
                            })
                            .then(filters(pod, tap.index()))
                            .doOnNext(f -> {
                                if (!VmWire.passes(f, tap.index(), eth.index())) {
                                    diffs.add(
                                            "tap " + r.vmTap() + where + " does not pass its frames to " + r.ifName());
                                }
                                if (!VmWire.keepsDhcp(f)) {
                                    diffs.add("tap " + r.vmTap() + where + " does not keep the VM's DHCP for"
                                            + " its responder");
                                }
                            });
                })
                .onErrorResume(EndpointSteps::isNoDevice, e -> {
                    diffs.add("tap " + r.vmTap() + where + " is missing");
                    return Mono.empty();
                })
                .then();
    }

    /** Device {@code index}'s ingress filters (none when it has no ingress qdisc). */
    private static Mono<List<TcMessage>> filters(NetlinkClient pod, int index) {
        return pod.dump(TcMessage.dumpIngressFilters(index))
                .cast(TcMessage.class)
                .collectList();
    }
}
