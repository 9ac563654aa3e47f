package dev.podnet.dataplane.internal.engine;

import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.ReconcileReport;
import dev.podnet.dataplane.internal.endpoint.AddContext;
import dev.podnet.dataplane.internal.endpoint.AttachedNetwork;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import dev.podnet.dataplane.internal.endpoint.EndpointSteps;
import dev.podnet.dataplane.internal.endpoint.HostContext;
import dev.podnet.dataplane.internal.endpoint.HostNames;
import dev.podnet.dataplane.internal.ipam.AddressAllocator;
import dev.podnet.dataplane.internal.link.Addresses;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.Routes;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.internal.sys.LibC;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.NsidMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.Rta;
import dev.podnet.netlink.route.Rtm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Brings the records, the IPAM and the kernel back into agreement after a crash, a lost store or a
 * restart without one:
 * <ul>
 * <li>a record that cannot be read is dropped (the kernel's tag brings the endpoint back below);</li>
 * <li>a record still CREATING or DELETING (an add or remove cut short) is rolled back: its host
 * link deleted, its addresses released, the record dropped;</li>
 * <li>a READY record whose host link has vanished is reported and released;</li>
 * <li>a host link tagged {@code podnet:<network>:<key>} with no record is adopted when it is
 * complete (its sandbox namespace found by its namespace id, the sandbox interface holding an
 * address of the network): its addresses are reserved again and its record rebuilt, READY. An
 * incomplete one, or one whose address another endpoint holds, is deleted. One tagged for a
 * network not attached here is left alone (stateless mode: its network may be declared later);</li>
 * <li>a reservation whose owner has no record is released.</li>
 * </ul>
 * In a dry run nothing is changed and the report says what would be done.
 */
final class StateReconciler {
    private final HostContext host;
    private final Map<String, AttachedNetwork> networks;
    private final Predicate<String> inFlight;
    private final List<Path> netnsDirs;

    /**
     * @param inFlight  endpoints with an operation running: their CREATING state is no leftover, leave them be
     * @param netnsDirs where to look for the namespace of an endpoint to adopt
     */
    StateReconciler(
            HostContext host, Map<String, AttachedNetwork> networks, Predicate<String> inFlight, List<Path> netnsDirs) {
        this.host = host;
        this.networks = networks;
        this.inFlight = inFlight;
        this.netnsDirs = netnsDirs;
    }

    Mono<ReconcileReport> run(boolean dryRun) {
        List<String> actions = new CopyOnWriteArrayList<>();
        List<String> notes = new CopyOnWriteArrayList<>();
        return Mono.zip(
                        readRecords(actions, dryRun),
                        host.rtnl()
                                .dump(Links.dumpAll())
                                .cast(LinkMessage.class)
                                .filter(l -> HostNames.parse(l.alias()) != null)
                                .collectMap(l -> HostNames.parse(l.alias()).key(), l -> l))
                .flatMap(t -> {
                    Map<String, EndpointRecord> records = t.getT1();
                    Map<String, LinkMessage> tagged = t.getT2();
                    List<Mono<Void>> work = new ArrayList<>();
                    for (EndpointRecord r : records.values()) {
                        if (inFlight.test(r.key())) {
                            continue;
                        }
                        LinkMessage link = tagged.get(r.key());
                        if (r.state() != EndpointState.READY) {
                            actions.add("rolled back " + r.key() + " (" + r.state() + ")"
                                    + (link != null ? ": deleted link " + link.name() : "") + released(r));
                            work.add(deleteLink(link, dryRun).then(forget(r, dryRun)));
                        } else if (link == null) {
                            actions.add("released " + r.key() + ": its host link " + r.hostIfName() + " has vanished"
                                    + released(r));
                            work.add(forget(r, dryRun));
                        }
                    }
                    List<LinkMessage> orphans = tagged.entrySet().stream()
                            .filter(e -> !records.containsKey(e.getKey()) && !inFlight.test(e.getKey()))
                            .map(Map.Entry::getValue)
                            .toList();
                    Mono<Map<Integer, Path>> namespaces = orphans.isEmpty()
                            ? Mono.just(Map.of())
                            : namespacesById().cache();
                    for (LinkMessage orphan : orphans) {
                        work.add(adoptOrDelete(orphan, namespaces, actions, notes, dryRun));
                    }
                    work.add(releaseUnowned(actions, dryRun));
                    return Flux.concat(work)
                            .then(Mono.fromSupplier(() -> new ReconcileReport(dryRun, records.size(), actions, notes)));
                });
    }

    /** Every record; one that cannot be decoded is reported and (unless a dry run) dropped. */
    private Mono<Map<String, EndpointRecord>> readRecords(List<String> actions, boolean dryRun) {
        return Mono.fromCallable(() -> {
                    Map<String, EndpointRecord> records = new HashMap<>();
                    List<String> damaged = new ArrayList<>();
                    host.store().endpoints().forEach((k, v) -> {
                        try {
                            records.put(k, EndpointRecord.decode(v));
                        } catch (RuntimeException e) {
                            damaged.add(k);
                        }
                    });
                    for (String k : damaged) {
                        actions.add("dropped the damaged record of " + k);
                        if (!dryRun) {
                            host.store().endpoints().remove(k);
                        }
                    }
                    return records;
                })
                .subscribeOn(host.state());
    }

    private static String released(EndpointRecord r) {
        return r.address().isEmpty()
                ? ""
                : ", released " + r.address() + (r.address6().isEmpty() ? "" : " and " + r.address6());
    }

    private Mono<Void> deleteLink(LinkMessage link, boolean dryRun) {
        if (link == null || dryRun) {
            return Mono.empty();
        }
        return host.rtnl()
                .execute(Links.deleteByName(link.name()))
                .onErrorResume(EndpointSteps::isNoDevice, e -> Mono.empty());
    }

    /** Releases the record's addresses and drops the record. */
    private Mono<Void> forget(EndpointRecord r, boolean dryRun) {
        if (dryRun) {
            return Mono.empty();
        }
        return Mono.<Void>fromRunnable(() -> {
                    AttachedNetwork n = networks.get(r.network());
                    if (n != null) {
                        n.releaseAll(r.containerId(), r.ifName());
                    }
                    host.store().endpoints().remove(r.key());
                })
                .subscribeOn(host.state());
    }

    /** Reservations whose owner has no record now (after adoption) are released. */
    private Mono<Void> releaseUnowned(List<String> actions, boolean dryRun) {
        return Mono.<Void>fromRunnable(() -> {
                    Set<String> owners = host.store().endpoints().keySet();
                    for (AttachedNetwork n : networks.values()) {
                        for (var allocator : n.allocators()) {
                            allocator.reservations().forEach((owner, address) -> {
                                if (!owners.contains(owner) && !inFlight.test(owner)) {
                                    actions.add("released " + address + " on " + n.name() + ": reserved for " + owner
                                            + ", which has no record");
                                    if (!dryRun) {
                                        int slash = owner.lastIndexOf('/');
                                        allocator.release(owner.substring(0, slash), owner.substring(slash + 1));
                                    }
                                }
                            });
                        }
                    }
                })
                .subscribeOn(host.state());
    }

    // ---- adoption: a tagged link without a record -------------------------------------------

    /**
     * The namespaces pinned under {@link #netnsDirs}, by the id they have as seen from the host
     * namespace ({@code RTM_GETNSID} on an open descriptor of each): the id a host veth end's
     * {@code IFLA_LINK_NETNSID} names its peer's namespace by.
     */
    private Mono<Map<Integer, Path>> namespacesById() {
        return Mono.fromCallable(this::pinnedNamespaces)
                .subscribeOn(Schedulers.boundedElastic())
                .flatMapMany(Flux::fromIterable)
                .flatMap(
                        path -> Mono.using(
                                () -> openOrNull(path),
                                fd -> fd < 0
                                        ? Mono.empty()
                                        : host.rtnl()
                                                .request(NsidMessage.getByFd(fd))
                                                .cast(NsidMessage.class)
                                                .filter(m -> m.nsid() >= 0)
                                                .map(m -> Map.entry(m.nsid(), path))
                                                .onErrorResume(e -> Mono.empty()),
                                StateReconciler::closeQuietly),
                        32)
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private List<Path> pinnedNamespaces() throws IOException {
        Set<Path> seen = new LinkedHashSet<>();
        List<Path> out = new ArrayList<>();
        for (Path dir : netnsDirs) {
            if (!Files.isDirectory(dir) || !seen.add(dir.toRealPath())) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(Files::isRegularFile).sorted().forEach(out::add);
            }
        }
        return out;
    }

    private static int openOrNull(Path path) {
        try {
            return LibC.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            return -1;
        }
    }

    private static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                LibC.close(fd);
            } catch (ErrnoException ignored) {
                // nothing to do
            }
        }
    }

    private Mono<Void> adoptOrDelete(
            LinkMessage link,
            Mono<Map<Integer, Path>> namespaces,
            List<String> actions,
            List<String> notes,
            boolean dryRun) {
        HostNames.Tag tag = HostNames.parse(link.alias());
        AttachedNetwork n = tag.network() == null ? null : networks.get(tag.network());
        String what = "link " + link.name() + " (tagged " + link.alias() + ", no record)";
        if (n == null) {
            notes.add("left " + what + " alone: its network "
                    + (tag.network() == null ? "is not named" : tag.network() + " is not attached here"));
            return Mono.empty();
        }
        return namespaces.flatMap(byId -> {
            Path netns = byId.get(link.linkNetnsId());
            if (netns == null) {
                actions.add("deleted orphan " + what + ": its sandbox namespace is not pinned under " + netnsDirs);
                return deleteLink(link, dryRun);
            }
            return Mono.usingWhen(
                            host.netns()
                                    .openRouteSocket(NetNs.ofPath(netns))
                                    .flatMap(s -> NetlinkClient.open(host.loops(), s)),
                            pod -> readSandbox(pod, link, tag, n, netns),
                            NetlinkClient::close)
                    .map(java.util.Optional::of)
                    // a sandbox that cannot be read now is no proof the endpoint is broken: leave it be
                    .onErrorResume(e -> {
                        notes.add("left " + what + " alone: its sandbox " + netns + " could not be read: "
                                + e.getMessage());
                        return Mono.just(java.util.Optional.empty());
                    })
                    .flatMap(o -> o.isEmpty()
                            ? Mono.<Void>empty()
                            : o.map(found -> found.record == null
                                            ? Mono.fromRunnable(() ->
                                                            actions.add("deleted orphan " + what + ": " + found.why))
                                                    .then(deleteLink(link, dryRun))
                                            : adopt(found.record, n, what, link, actions, dryRun))
                                    .get());
        });
    }

    /** A rebuilt record, or why there is none. */
    private record Found(EndpointRecord record, String why) {}

    private Mono<Found> readSandbox(
            NetlinkClient pod, LinkMessage link, HostNames.Tag tag, AttachedNetwork n, Path netns) {
        return pod.dump(Links.dumpAll()).cast(LinkMessage.class).collectList().flatMap(links -> {
            LinkMessage peer = links.stream()
                    .filter(l -> l.index() == link.link())
                    .findFirst()
                    .orElse(null);
            if (peer == null || !tag.ifName().equals(peer.name())) {
                return Mono.just(new Found(null, "no " + tag.ifName() + " as its peer in " + netns));
            }
            String vmTap = AddContext.vmTapName(tag.ifName());
            LinkMessage vmBridge = links.stream()
                    .filter(l -> AddContext.vmBridgeName(tag.ifName()).equals(l.name()))
                    .findFirst()
                    .orElse(null);
            boolean vm = vmBridge != null && links.stream().anyMatch(l -> vmTap.equals(l.name()));
            Mono<List<AddressMessage>> addrs = pod.dump(Addresses.dumpOf(Rtm.AF_UNSPEC, peer.index()))
                    .cast(AddressMessage.class)
                    .collectList();
            Mono<List<RouteMessage>> routes = Flux.just(Rtm.AF_INET, Rtm.AF_INET6)
                    // a family without a single route has no main table yet (ENOENT)
                    .concatMap(f -> pod.dump(Routes.dumpTable(f, Rta.RT_TABLE_MAIN))
                            .cast(RouteMessage.class)
                            .onErrorResume(
                                    e -> dev.podnet.netlink.NetlinkException.hasErrno(
                                            e, dev.podnet.netlink.Errno.ENOENT),
                                    e -> Flux.empty()))
                    .filter(r -> r.outputInterface() == peer.index() && r.gateway() != null && r.dstLength() > 0)
                    .collectList();
            // one dump at a time on a socket (the kernel answers a second with EBUSY)
            return addrs.zipWhen(a -> routes)
                    .map(t -> rebuild(link, tag, n, netns, peer, vm ? vmTap : "", vmBridge, t.getT1(), t.getT2()));
        });
    }

    private Found rebuild(
            LinkMessage link,
            HostNames.Tag tag,
            AttachedNetwork n,
            Path netns,
            LinkMessage peer,
            String vmTap,
            LinkMessage vmBridge,
            List<AddressMessage> addrs,
            List<RouteMessage> routes) {
        String address = "";
        String address6 = "";
        String mac = peer.hardwareAddress() == null ? "" : new MacAddress(peer.hardwareAddress()).toString();
        if (!vmTap.isEmpty()) {
            // a VM endpoint's interface gave its address and MAC to the VM; the sandbox bridge's alias keeps them
            String alias = vmBridge.alias();
            if (alias == null || !alias.startsWith(EndpointSteps.VM_TAG)) {
                return new Found(null, "its VM bridge carries no " + EndpointSteps.VM_TAG + " tag");
            }
            String[] f = alias.substring(EndpointSteps.VM_TAG.length()).split("\\|", -1);
            address = f[0];
            address6 = f.length > 1 ? f[1] : "";
            mac = f.length > 2 ? f[2] : mac;
        } else {
            for (AddressMessage a : addrs) {
                if (a.address() == null) {
                    continue;
                }
                Cidr c = new Cidr(a.address(), a.prefixLength());
                if (a.family() == Rtm.AF_INET && n.ipv4() && n.rangeOf(a.address()) != null) {
                    address = c.toString();
                } else if (a.family() == Rtm.AF_INET6
                        && n.subnet6() != null
                        && n.subnet6().contains(a.address())) {
                    address6 = c.toString();
                }
            }
        }
        if (n.ipv4() && address.isEmpty()) {
            return new Found(
                    null, tag.ifName() + " in " + netns + " holds no address of " + n.subnet() + " (an add cut short)");
        }
        if (n.subnet6() != null && address6.isEmpty()) {
            return new Found(
                    null,
                    tag.ifName() + " in " + netns + " holds no address of " + n.subnet6() + " (an add cut short)");
        }
        String podName = "";
        String podNamespace = "";
        if (peer.alias() != null && peer.alias().startsWith(EndpointSteps.POD_TAG)) {
            String p = peer.alias().substring(EndpointSteps.POD_TAG.length());
            int slash = p.indexOf('/');
            if (slash >= 0) {
                podNamespace = p.substring(0, slash);
                podName = p.substring(slash + 1);
            }
        }
        List<String> extra = new ArrayList<>();
        for (RouteMessage r : routes) {
            Cidr dst = new Cidr(r.destination(), r.dstLength());
            boolean shapeOwn =
                    n.mode() == NetworkMode.PTP && n.rangeOf(dst.address()) != null && dst.equals(n.subnetOf(dst));
            if (!shapeOwn) {
                extra.add(dst + " via " + Cidr.text(r.gateway()));
            }
        }
        // the network's MTU (0: the kernel's 1500) unless the endpoint was given its own
        int mtu = peer.mtu() == (n.mtu() == 0 ? 1500 : n.mtu()) ? n.mtu() : peer.mtu();
        EndpointRecord record = new EndpointRecord(
                tag.containerId(),
                tag.ifName(),
                n.name(),
                netns.toString(),
                link.name(),
                mac,
                address,
                address.isEmpty() ? "" : Cidr.text(n.gatewayOf(Cidr.parse(address))),
                EndpointState.READY,
                System.currentTimeMillis(),
                podName,
                podNamespace,
                vmTap,
                address6,
                n.gateway6() == null ? "" : Cidr.text(n.gateway6()),
                "",
                mtu,
                extra,
                EndpointSteps.macText(link));
        return new Found(record, null);
    }

    /** Reserves the rebuilt record's addresses (or deletes the link when they cannot be had) and stores it. */
    private Mono<Void> adopt(
            EndpointRecord r, AttachedNetwork n, String what, LinkMessage link, List<String> actions, boolean dryRun) {
        return Mono.fromCallable(() -> {
                    String clash = n.allocator() == null ? null : holder(n.allocator(), r.address(), r.key());
                    if (clash == null && n.allocator6() != null) {
                        clash = holder(n.allocator6(), r.address6(), r.key());
                    }
                    if (clash != null) {
                        actions.add("deleted orphan " + what + ": its address is held by " + clash);
                        return false;
                    }
                    if (!dryRun) {
                        try {
                            if (n.allocator() != null) {
                                n.allocator()
                                        .allocateStatic(
                                                r.containerId(),
                                                r.ifName(),
                                                Cidr.parse(r.address()).address());
                            }
                            if (n.allocator6() != null) {
                                n.allocator6()
                                        .allocateStatic(
                                                r.containerId(),
                                                r.ifName(),
                                                Cidr.parse(r.address6()).address());
                            }
                        } catch (RuntimeException e) {
                            n.releaseAll(r.containerId(), r.ifName());
                            actions.add("deleted orphan " + what + ": " + e.getMessage());
                            return false;
                        }
                        host.store().endpoints().put(r.key(), r.encode());
                    }
                    actions.add("adopted " + what + ": "
                            + String.join(
                                    " and ",
                                    java.util.stream.Stream.of(r.address(), r.address6())
                                            .filter(a -> !a.isEmpty())
                                            .toList())
                            + " in " + r.netns() + (link.isUp() ? "" : "; its host end brought up"));
                    return true;
                })
                .subscribeOn(host.state())
                .flatMap(adopted -> !adopted
                        ? deleteLink(link, dryRun)
                        // an add cut between configure-pod and port-up: the pod is whole, its bridge port still down
                        : link.isUp() || dryRun
                                ? Mono.<Void>empty()
                                : host.rtnl().execute(Links.up(link.index())));
    }

    /** Who other than {@code key} holds {@code address} in {@code allocator}, or null. */
    private static String holder(AddressAllocator allocator, String address, String key) {
        String owner = allocator.ownerOf(Cidr.parse(address).address());
        return owner == null || owner.equals(key) ? null : owner;
    }
}
