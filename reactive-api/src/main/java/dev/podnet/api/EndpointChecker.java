package dev.podnet.api;

import dev.podnet.dataplane.endpoint.AttachedNetwork;
import dev.podnet.dataplane.endpoint.EndpointRecord;
import dev.podnet.dataplane.endpoint.EndpointState;
import dev.podnet.dataplane.endpoint.EndpointSteps;
import dev.podnet.dataplane.endpoint.HostContext;
import dev.podnet.dataplane.endpoint.HostNames;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.Addresses;
import dev.podnet.dataplane.link.Links;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.dataplane.state.NetworkMode;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.route.LinkMessage;
import io.netty.channel.IoEventLoopGroup;
import reactor.core.publisher.Mono;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

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
        return checkHost(r, diffs).then(Mono.defer(() -> checkSandbox(r, diffs)))
                .then(Mono.fromSupplier(() -> new EndpointCheck(r.key(), diffs)));
    }

    private Mono<Void> checkHost(EndpointRecord r, List<String> diffs) {
        AttachedNetwork n = network;
        return host.rtnl().request(Links.getByName(r.hostIfName())).cast(LinkMessage.class)
                .doOnNext(l -> {
                    if (!l.isUp()) {
                        diffs.add("host link " + r.hostIfName() + " is down");
                    }
                    String tag = HostNames.alias(r.containerId(), r.ifName());
                    if (!tag.equals(l.alias())) {
                        diffs.add("host link " + r.hostIfName() + " is tagged '" + l.alias() + "', not '" + tag + "'");
                    }
                    if (n != null && n.mode() == NetworkMode.BRIDGE && l.master() != n.bridgeIndex()) {
                        diffs.add("host link " + r.hostIfName() + " is not a port of bridge " + n.record().bridge());
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
        if (!java.nio.file.Files.exists(ns.path())) {
            diffs.add("netns " + r.netns() + " is missing");
            return Mono.empty();
        }
        String where = r.ifName() + " in " + r.netns();
        return Mono.usingWhen(host.netns().openRouteSocket(ns).flatMap(s -> NetlinkClient.open(loops, s)),
                pod -> pod.request(Links.getByName(r.ifName())).cast(LinkMessage.class)
                        .flatMap(l -> {
                            byte[] hw = l.hardwareAddress();
                            String mac = hw == null || hw.length != 6 ? "" : new MacAddress(hw).toString();
                            if (!mac.equalsIgnoreCase(r.mac())) {
                                diffs.add(where + " has MAC " + mac + ", the record says " + r.mac());
                            }
                            if (!l.isUp()) {
                                diffs.add(where + " is down");
                            }
                            Cidr want = Cidr.parse(r.address());
                            Mono<Void> addr = pod.dump(Addresses.dumpOf(want.family(), l.index())).cast(dev.podnet.netlink.route.AddressMessage.class)
                                    .filter(a -> a.address().equals(want.address()) && a.prefixLength() == want.prefixLength())
                                    .hasElements()
                                    .doOnNext(has -> {
                                        if (!has) {
                                            diffs.add(where + " lacks " + r.address());
                                        }
                                    }).then();
                            InetAddress gw = Cidr.parseAddress(r.gateway(), "gateway");
                            Mono<Void> route = pod.dump(dev.podnet.dataplane.link.Routes.dumpTable(want.family(), 254))
                                    .cast(dev.podnet.netlink.route.RouteMessage.class)
                                    .filter(rt -> rt.dstLength() == 0 && gw.equals(rt.gateway()) && rt.outputInterface() == l.index())
                                    .hasElements()
                                    .doOnNext(has -> {
                                        if (!has) {
                                            diffs.add(where + " has no default route via " + r.gateway());
                                        }
                                    }).then();
                            return addr.then(route);
                        })
                        .onErrorResume(EndpointSteps::isNoDevice, e -> {
                            diffs.add(where + " is missing");
                            return Mono.empty();
                        }),
                NetlinkClient::close);
    }
}
