package dev.podnet.dataplane.internal.engine;

import dev.podnet.dataplane.EndpointOperationException;
import dev.podnet.dataplane.EndpointUpdate;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import dev.podnet.dataplane.internal.endpoint.HostContext;
import dev.podnet.dataplane.internal.endpoint.Step;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.Routes;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.Rtm;
import io.netty.channel.IoEventLoopGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An endpoint update as steps with undo: read both links, set the MTU (undo: the old MTUs), add the
 * routes (undo: remove them; a failure part-way removes the ones added before reporting it).
 */
final class EndpointUpdater {
    private final HostContext host;
    private final IoEventLoopGroup loops;

    EndpointUpdater(HostContext host, IoEventLoopGroup loops) {
        this.host = host;
        this.loops = loops;
    }

    /** What an update's steps share: the pod's socket, both links' indexes and MTUs, the routes added. */
    private static final class UpdateContext {
        NetlinkClient pod;
        int hostIndex;
        int podIndex;
        int hostMtu;
        int podMtu;
        final List<NetlinkMessage> added = new ArrayList<>();
    }

    Mono<EndpointRecord> update(String key, EndpointUpdate change) {
        return Mono.fromCallable(() ->
                        java.util.Optional.ofNullable(host.store().endpoints().get(key)))
                .subscribeOn(host.state())
                .flatMap(stored -> {
                    if (stored.isEmpty()) {
                        return Mono.error(new InvalidSpecException("no endpoint " + key));
                    }
                    EndpointRecord r = EndpointRecord.decode(stored.get());
                    for (EndpointUpdate.Route route : change.addRoutes()) {
                        if (route.dst().isIpv4() != (route.gateway() instanceof java.net.Inet4Address)) {
                            return Mono.error(new InvalidSpecException("route " + route.dst() + " and gateway "
                                    + Cidr.text(route.gateway()) + " are of different families"));
                        }
                    }
                    UpdateContext u = new UpdateContext();
                    List<Step<UpdateContext>> steps = List.of(
                            Step.of("read-links", c -> readLinks(r, c), c -> Mono.empty()),
                            Step.of(
                                    "set-mtu",
                                    c -> setMtu(c, change.mtu(), change.mtu()),
                                    c -> setMtu(c, c.hostMtu, c.podMtu)),
                            Step.of("add-routes", c -> addRoutes(c, change), this::removeAddedRoutes));
                    List<String> routes = new ArrayList<>(r.routes());
                    change.addRoutes().forEach(route -> routes.add(route.text()));
                    EndpointRecord updated = r.withMtuAndRoutes(change.mtu() > 0 ? change.mtu() : r.mtu(), routes);
                    return StepRunner.run(steps, u, StepObserver.NONE, () -> false)
                            .doFinally(s -> {
                                if (u.pod != null) {
                                    u.pod.close().subscribe(null, e -> {});
                                }
                            })
                            // the kernel has it all: the record follows (a crash before this leaves a
                            // record that check reports as differing from the kernel, never the reverse)
                            .then(Mono.fromCallable(() -> {
                                        host.store().endpoints().put(key, updated.encode());
                                        return updated;
                                    })
                                    .subscribeOn(host.state()))
                            .onErrorMap(
                                    e -> !(e instanceof InvalidSpecException),
                                    e -> new EndpointOperationException("update", key, e));
                });
    }

    private Mono<Void> readLinks(EndpointRecord r, UpdateContext c) {
        return host.rtnl()
                .request(Links.getByName(r.hostIfName()))
                .cast(LinkMessage.class)
                .doOnNext(l -> {
                    c.hostIndex = l.index();
                    c.hostMtu = l.mtu();
                })
                .then(host.netns()
                        .openRouteSocket(NetNs.ofPath(Path.of(r.netns())))
                        .flatMap(s -> NetlinkClient.open(loops, s)))
                .doOnNext(p -> c.pod = p)
                .flatMap(p -> p.request(Links.getByName(r.ifName())))
                .cast(LinkMessage.class)
                .doOnNext(l -> {
                    c.podIndex = l.index();
                    c.podMtu = l.mtu();
                })
                .then();
    }

    private Mono<Void> setMtu(UpdateContext c, int hostMtu, int podMtu) {
        if (hostMtu <= 0) {
            return Mono.empty();
        }
        return host.rtnl()
                .execute(Links.setMtu(c.hostIndex, hostMtu))
                .then(c.pod.execute(Links.setMtu(c.podIndex, podMtu)));
    }

    /** Adds the routes one by one; if one fails, the ones added are removed before the error goes on (a step is all or nothing). */
    private Mono<Void> addRoutes(UpdateContext c, EndpointUpdate change) {
        return Flux.fromIterable(change.addRoutes())
                .concatMap(route -> {
                    RouteMessage add = Routes.via(route.dst(), route.gateway(), c.podIndex, 0, 0, 0);
                    return c.pod.execute(add).doOnSuccess(v -> c.added.add(add));
                })
                .then()
                .onErrorResume(e -> removeAddedRoutes(c).then(Mono.error(e)));
    }

    private Mono<Void> removeAddedRoutes(UpdateContext c) {
        return Flux.fromIterable(c.added)
                .concatMap(m -> {
                    RouteMessage r = (RouteMessage) m;
                    return c.pod.execute(RouteMessage.request(
                                    Rtm.RTM_DELROUTE,
                                    0,
                                    r.family(),
                                    r.dstLength(),
                                    r.table(),
                                    0,
                                    0,
                                    0,
                                    0,
                                    r.attributes()))
                            .onErrorResume(e -> Mono.empty());
                })
                .then();
    }
}
