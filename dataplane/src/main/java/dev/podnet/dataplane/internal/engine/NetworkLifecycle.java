package dev.podnet.dataplane.internal.engine;

import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.NetworkInUseException;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.endpoint.AttachedNetwork;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import dev.podnet.dataplane.internal.endpoint.EndpointSteps;
import dev.podnet.dataplane.internal.endpoint.HostContext;
import dev.podnet.dataplane.internal.ipam.AddressAllocator;
import dev.podnet.dataplane.internal.ipam.AddressRange;
import dev.podnet.dataplane.internal.link.Addresses;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.Rtm;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The life of a network in the host namespace: create (the bridge, its gateway addresses and uplink,
 * or the forwarding sysctls of a ptp network), attach on open (re-creating what a reboot took),
 * delete, and the IPAM each attached network opens. Holds the attached networks.
 */
final class NetworkLifecycle {
    private final HostContext host;
    private final NetNs hostNs;
    private final boolean readOnly;
    private final List<String> readOnlyNotes;
    private final Map<String, AttachedNetwork> networks = new ConcurrentHashMap<>();

    NetworkLifecycle(HostContext host, NetNs hostNs, boolean readOnly, List<String> readOnlyNotes) {
        this.host = host;
        this.hostNs = hostNs;
        this.readOnly = readOnly;
        this.readOnlyNotes = readOnlyNotes;
    }

    /** The attached networks by name (live view, shared with the endpoint operations and the reconciler). */
    Map<String, AttachedNetwork> attached() {
        return networks;
    }

    /** Re-attaches every recorded network, read when subscribed (after a reboot may have changed them). */
    Mono<Void> restore() {
        return Flux.defer(() ->
                        Flux.fromIterable(List.copyOf(host.store().networks().values())))
                .map(NetworkRecord::decode)
                .concatMap(r -> withNat(attach(r)))
                .then();
    }

    /**
     * Creates a network, or returns the one recorded with the same settings; other settings fail
     * naming the fields. {@code afterCreate} runs once the record is written (the reconciliation).
     */
    Mono<String> create(NetworkRecord record, Mono<Void> afterCreate) {
        return Mono.defer(() -> {
            String existing = host.store().networks().get(record.name());
            if (existing != null) {
                NetworkRecord old = NetworkRecord.decode(existing);
                if (old.equals(record)) {
                    return Mono.just(record.name());
                }
                return Mono.error(new InvalidSpecException("network " + record.name()
                        + " already exists with other settings: " + NetworkChecks.differences(old, record)));
            }
            NetworkChecks.requireNoOverlap(
                    record,
                    networks.values().stream().map(AttachedNetwork::record).toList());
            // then adopt what the kernel holds for it (stateless mode, or a store lost with the network's record)
            return withNat(attach(record))
                    // networks.conf is rewritten with fsync: blocking I/O, kept off the event loop
                    .then(Mono.fromRunnable(() -> host.store().networks().put(record.name(), record.encode()))
                            .subscribeOn(Schedulers.boundedElastic()))
                    .then(afterCreate)
                    .thenReturn(record.name());
        });
    }

    /**
     * Deletes a network: its endpoints first when {@code force} (refused while it has any otherwise),
     * its uplink released, its bridge, its record. A network that does not exist is no error.
     */
    Mono<Void> delete(
            String name,
            boolean force,
            Flux<EndpointRecord> endpoints,
            Function<EndpointRecord, Mono<Void>> removeForced,
            int concurrency) {
        return Mono.defer(() -> {
            AttachedNetwork n = networks.get(name);
            if (n == null) {
                return Mono.empty();
            }
            return endpoints.filter(r -> r.network().equals(name)).collectList().flatMap(eps -> {
                if (!eps.isEmpty() && !force) {
                    return Mono.error(new NetworkInUseException(name, eps.size()));
                }
                Mono<Void> removeAll = Flux.fromIterable(eps)
                        .flatMap(removeForced, concurrency)
                        .then();
                Mono<Void> uplink = n.record().uplink().isEmpty()
                        ? Mono.empty()
                        : host.rtnl()
                                .execute(Links.setMaster(n.record().uplink(), 0))
                                .onErrorResume(EndpointSteps::isNoDevice, e -> Mono.empty());
                Mono<Void> bridge = n.mode() != NetworkMode.BRIDGE
                        ? Mono.empty()
                        : host.rtnl()
                                .execute(Links.deleteByName(n.record().bridge()))
                                .onErrorResume(EndpointSteps::isNoDevice, e -> Mono.empty());
                return removeAll
                        .then(uplink)
                        .then(bridge)
                        .then(host.nat().removeNetwork(n.record()))
                        .then(Mono.<Void>fromRunnable(() -> {
                                    networks.remove(name);
                                    host.store().networks().remove(name); // a durable rewrite: off the event loop
                                })
                                .subscribeOn(Schedulers.boundedElastic()));
            });
        });
    }

    /**
     * The network's elements in podnet's nf_tables table once it is attached, when it masquerades
     * (a network without masquerade gets them with its first published port).
     */
    private Mono<AttachedNetwork> withNat(Mono<AttachedNetwork> attached) {
        return attached.flatMap(n -> readOnly || !n.record().ipMasq()
                ? Mono.just(n)
                : host.nat().addNetwork(n.record()).thenReturn(n));
    }

    /**
     * Prepares the host side of a network, then opens its IPAM: for a bridge network, finds or
     * creates the bridge and its gateway address; for a ptp network, turns IPv4 (and, dual stack,
     * IPv6) forwarding on in the host namespace (as CNI ptp does; the host namespace is a sandbox in
     * every test and demo). Read-only, it only looks: a missing bridge is noted, not made.
     */
    Mono<AttachedNetwork> attach(NetworkRecord record) {
        Cidr subnet = record.ipv4() ? Cidr.parse(record.subnet()) : null;
        InetAddress gateway = record.ipv4() ? Cidr.parseAddress(record.gateway(), "gateway") : null;
        if (readOnly) {
            if (record.mode() == NetworkMode.PTP) {
                return openIpam(record, 0, subnet, gateway);
            }
            return host.rtnl()
                    .request(Links.getByName(record.bridge()))
                    .cast(LinkMessage.class)
                    .map(LinkMessage::index)
                    .onErrorResume(EndpointSteps::isNoDevice, e -> {
                        readOnlyNotes.add("network " + record.name() + ": bridge " + record.bridge()
                                + " is missing (it would be re-created)");
                        return Mono.just(0);
                    })
                    .flatMap(index -> openIpam(record, index, subnet, gateway));
        }
        if (record.mode() == NetworkMode.PTP) {
            return host.netns()
                    .inside(hostNs, () -> {
                        if (record.ipv4()) {
                            Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1");
                        }
                        if (record.ipv6()) {
                            Files.writeString(Path.of("/proc/sys/net/ipv6/conf/all/forwarding"), "1");
                        }
                        return true;
                    })
                    .then(openIpam(record, 0, subnet, gateway));
        }
        AtomicBoolean created = new AtomicBoolean();
        // a fixed MAC, derived from the network's name, and no multicast snooping: see Links.newBridge
        Mono<LinkMessage> bridge = checkUplink(record)
                .then(host.rtnl()
                        .request(Links.newBridge(
                                record.bridge(),
                                record.mtu(),
                                MacAddress.derived("podnet-bridge:" + record.name()),
                                false))
                        .cast(LinkMessage.class)
                        .doOnNext(l -> created.set(true))
                        .onErrorResume(
                                e -> NetlinkException.hasErrno(e, Errno.EEXIST),
                                e -> host.rtnl()
                                        .request(Links.getByName(record.bridge()))
                                        .cast(LinkMessage.class)
                                        .flatMap(l -> "bridge".equals(l.kind())
                                                ? Mono.just(l)
                                                : Mono.error(new InvalidSpecException("network " + record.name()
                                                        + ": interface " + record.bridge() + " exists and is a "
                                                        + l.kind() + ", not a bridge")))));
        return bridge.flatMap(br -> host.rtnl()
                .executeBatch(List.of(Links.noIpv6LinkLocal(br.index()), Links.up(br.index())))
                .then(
                        subnet == null
                                ? Mono.<Void>empty()
                                : addIfMissing(br.index(), new Cidr(gateway, subnet.prefixLength())))
                .then(record.ipv6() ? addGateway6(record, br.index()) : Mono.<Void>empty())
                .then(Flux.fromIterable(furtherGateways(record))
                        .concatMap(g -> addIfMissing(br.index(), g))
                        .then())
                .then(
                        record.uplink().isEmpty()
                                ? Mono.<Void>empty()
                                : host.rtnl()
                                        .execute(Links.setMaster(record.uplink(), br.index()))
                                        .onErrorMap(
                                                e -> NetlinkException.hasErrno(e, Errno.ENODEV),
                                                e -> new InvalidSpecException("network " + record.name() + ": uplink "
                                                        + record.uplink() + " does not exist")))
                .onErrorResume(e -> created.get()
                        ? host.rtnl()
                                .execute(Links.deleteByName(record.bridge()))
                                .onErrorResume(x -> Mono.empty())
                                .then(Mono.error(e))
                        : Mono.error(e))
                .then(openIpam(record, br.index(), subnet, gateway)));
    }

    private Mono<Void> addIfMissing(int index, Cidr address) {
        return host.rtnl()
                .execute(Addresses.add(index, address))
                .onErrorResume(e -> NetlinkException.hasErrno(e, Errno.EEXIST), e -> Mono.empty());
    }

    /**
     * Refuses an uplink that holds addresses (other than IPv6 link-local ones) before anything is made:
     * enslaved to the bridge it would lose them, and the node its connectivity through them, silently.
     * An uplink already a port of the network's bridge (a restart) passes.
     */
    private Mono<Void> checkUplink(NetworkRecord record) {
        if (record.uplink().isEmpty()) {
            return Mono.empty();
        }
        return host.rtnl()
                .request(Links.getByName(record.uplink()))
                .cast(LinkMessage.class)
                .onErrorMap(
                        EndpointSteps::isNoDevice,
                        e -> new InvalidSpecException(
                                "network " + record.name() + ": uplink " + record.uplink() + " does not exist"))
                .flatMap(up -> host.rtnl()
                        .request(Links.getByName(record.bridge()))
                        .cast(LinkMessage.class)
                        .map(br -> br.index() == up.master())
                        .onErrorResume(EndpointSteps::isNoDevice, e -> Mono.just(false))
                        .flatMap(alreadyPort -> alreadyPort
                                ? Mono.<Void>empty()
                                : host.rtnl()
                                        .dump(Addresses.dumpOf(Rtm.AF_UNSPEC, up.index()))
                                        .cast(AddressMessage.class)
                                        .filter(a -> a.index() == up.index()
                                                && !a.address().isLinkLocalAddress())
                                        .map(a -> Cidr.text(a.address()) + "/" + a.prefixLength())
                                        .collectList()
                                        .flatMap(held -> held.isEmpty()
                                                ? Mono.<Void>empty()
                                                : Mono.error(new InvalidSpecException("network " + record.name()
                                                        + ": uplink "
                                                        + record.uplink()
                                                        + " holds "
                                                        + String.join(", ", held)
                                                        + "; enslaved to bridge "
                                                        + record.bridge()
                                                        + " it would lose them: move them to the "
                                                        + "bridge first, or use an uplink without addresses")))));
    }

    /** The gateways of the further subnets of a network's range sets ({@code CIDR=GATEWAY} entries), with their prefixes. */
    private static List<Cidr> furtherGateways(NetworkRecord record) {
        List<Cidr> out = new ArrayList<>();
        for (String e : Stream.concat(record.ranges().stream(), record.ranges6().stream())
                .toList()) {
            int eq = e.indexOf('=');
            if (e.contains("/") && eq > 0) {
                out.add(new Cidr(
                        Cidr.parseAddress(e.substring(eq + 1), "range gateway"),
                        Cidr.parse(e.substring(0, eq)).prefixLength()));
            }
        }
        return out;
    }

    /**
     * The IPv6 gateway on a dual-stack bridge, and its link-local address (which the kernel needs
     * to forward IPv6 to the pods), both without duplicate-address detection.
     */
    private Mono<Void> addGateway6(NetworkRecord record, int bridgeIndex) {
        Cidr s6 = Cidr.parse(record.subnet6());
        Cidr gw6 = new Cidr(Cidr.parseAddress(record.gateway6(), "gateway6"), s6.prefixLength());
        return Flux.just(gw6, EndpointSteps.HOST_LINK_LOCAL)
                .concatMap(a -> addIfMissing(bridgeIndex, a))
                .then();
    }

    private Mono<AttachedNetwork> openIpam(NetworkRecord record, int bridgeIndex, Cidr subnet, InetAddress gateway) {
        return Mono.fromCallable(() -> {
                    Set<InetAddress> reserved = new HashSet<>();
                    record.reserved().forEach(a -> reserved.add(Cidr.parseAddress(a, "reserved address")));
                    Cidr subnet6 = record.ipv6() ? Cidr.parse(record.subnet6()) : null;
                    InetAddress gateway6 = record.ipv6() ? Cidr.parseAddress(record.gateway6(), "gateway6") : null;
                    AddressAllocator allocator6 = record.ipv6() && !record.ipv6FromMac()
                            ? new AddressAllocator(
                                    AddressRange.of(subnet6, gateway6, record.ranges6(), reserved),
                                    host.store().allocations(record.name()))
                            : null;
                    AddressAllocator allocator = subnet == null
                            ? null
                            : new AddressAllocator(
                                    AddressRange.of(subnet, gateway, record.ranges(), reserved),
                                    host.store().allocations(record.name()));
                    AttachedNetwork n = new AttachedNetwork(
                            record, bridgeIndex, subnet, gateway, allocator, subnet6, gateway6, allocator6);
                    networks.put(record.name(), n);
                    return n;
                })
                .subscribeOn(host.state());
    }
}
