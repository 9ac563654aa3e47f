package dev.podnet.api;

import dev.podnet.dataplane.endpoint.AddContext;
import dev.podnet.dataplane.endpoint.EndpointSteps;
import dev.podnet.dataplane.endpoint.AttachedNetwork;
import dev.podnet.dataplane.endpoint.EndpointRecord;
import dev.podnet.dataplane.endpoint.EndpointState;
import dev.podnet.dataplane.endpoint.HostContext;
import dev.podnet.dataplane.endpoint.HostNames;
import dev.podnet.dataplane.ipam.AddressAllocator;
import dev.podnet.dataplane.ipam.AddressRange;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.Addresses;
import dev.podnet.dataplane.link.Links;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.dataplane.netns.NetnsThread;
import dev.podnet.dataplane.state.NetworkMode;
import dev.podnet.dataplane.state.HostNamespace;
import dev.podnet.dataplane.state.NetworkRecord;
import dev.podnet.dataplane.state.StateStore;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.sys.Errno;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * podnet's entry point: plugs sandboxes into networks and unplugs them, as Reactor flows.
 *
 * <pre>{@code
 * Dataplane dp = Dataplane.open(DataplaneOptions.of(Path.of("/var/lib/podnet"))).block();
 * dp.createNetwork(NetworkSpec.bridge("pods", "pnbr0", "198.18.0.0/16")).block();
 * Endpoint ep = dp.add(EndpointSpec.of("pods", containerId, NetNs.named("pod-1"))).block();
 * dp.remove(containerId, "eth0").block();
 * }</pre>
 *
 * <p>Every method returns a cold publisher. An {@link #add} runs its steps (reserve address,
 * record, open the pod namespace, create the veth, configure the pod, record ready); a failure or
 * a cancellation undoes the completed steps in reverse, so a failed add leaves no link, no address
 * and no reserved IP. Once started, an operation runs to its end (or its rollback) even if its
 * subscriber goes away: a step is never cut in half. Operations on one endpoint run in the order
 * they were started; at most {@code maxConcurrent} run at once.
 */
public final class Dataplane {
    private final DataplaneOptions options;
    private final NetNs hostNs;
    private final HostNamespace hostId;
    private final List<String> readOnlyNotes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final HostContext host;
    private final MultiThreadIoEventLoopGroup loops;
    private final MultiThreadIoEventLoopGroup deleteLoop;
    private final NetlinkClient deleteClient;
    private final dev.podnet.dataplane.link.GroupDeleter deleter;
    private final Map<String, AttachedNetwork> networks = new ConcurrentHashMap<>();
    private final ConcurrencyLimiter limiter;
    private final KeyedSequencer sequencer = new KeyedSequencer();
    private volatile ReconcileReport openReport;

    private Dataplane(DataplaneOptions options, NetNs hostNs, HostNamespace hostId, HostContext host,
                      MultiThreadIoEventLoopGroup loops, MultiThreadIoEventLoopGroup deleteLoop, NetlinkClient deleteClient) {
        this.hostId = hostId;
        this.deleteLoop = deleteLoop;
        this.deleteClient = deleteClient;
        this.deleter = new dev.podnet.dataplane.link.GroupDeleter(deleteClient);
        this.options = options;
        this.hostNs = hostNs;
        this.host = host;
        this.loops = loops;
        this.limiter = new ConcurrencyLimiter(options.maxConcurrent());
    }

    /**
     * Opens the state under {@code options.stateDir()}, a netlink channel in the host namespace, and
     * re-attaches to the networks recorded there (re-creating a bridge that is gone, as after a reboot).
     */
    public static Mono<Dataplane> open(DataplaneOptions options) {
        return Mono.defer(() -> {
            List<AutoCloseable> opened = new ArrayList<>();
            try {
                NetnsThread netns = NetnsThread.start();
                opened.add(netns);
                MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(options.eventLoops(),
                        new DefaultThreadFactory("podnet-epoll", true), EpollIoHandler.newFactory());
                opened.add(() -> loops.shutdownGracefully(0, 1, TimeUnit.SECONDS));
                // the host channel's own thread, which also configures the pods (see RtnlExecutor)
                dev.podnet.dataplane.netns.RtnlExecutor rtnlThread = dev.podnet.dataplane.netns.RtnlExecutor.start(netns);
                opened.add(rtnlThread);
                // deletes hold their loop for the kernel's grace period: a loop and a socket of their own
                MultiThreadIoEventLoopGroup deleteLoop = new MultiThreadIoEventLoopGroup(1,
                        new DefaultThreadFactory("podnet-delete", true), EpollIoHandler.newFactory());
                opened.add(() -> deleteLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS));
                // the state work runs inline (see HostContext): a hop per step cost more than the work
                Scheduler state = Schedulers.immediate();
                opened.add(state::dispose);
                NetNs hostNs = options.hostNetns() != null ? options.hostNetns() : NetNs.ofPath(Path.of("/proc/self/ns/net"));
                HostNamespace hostId = HostNamespace.of(hostNs);
                return Mono.fromCallable(() -> options.isStateless() ? StateStore.inMemory(options.maxEndpoints())
                                : StateStore.open(options.stateDir(), options.maxEndpoints(),
                                new StateStore.Access(hostId, options.lockWait(), options.readOnly())))
                        .subscribeOn(Schedulers.boundedElastic())
                        .doOnNext(opened::add)
                        .zipWith(netns.openRouteSocket(hostNs).flatMap(s -> NetlinkClient.open(rtnlThread.group(), s)))
                        .zipWith(netns.openRouteSocket(hostNs).flatMap(s -> NetlinkClient.open(deleteLoop, s)))
                        .flatMap(tt -> {
                            var t = tt.getT1();
                            HostContext host = new HostContext(t.getT2(), loops, netns, t.getT1(), state,
                                    new dev.podnet.dataplane.dhcp.DhcpResponders(), rtnlThread);
                            Dataplane dp = new Dataplane(options, hostNs, hostId, host, loops, deleteLoop, tt.getT2());
                            return dp.afterReboot().then(dp.restoreNetworks())
                                    // deferred: reconcile() starts its work when called
                                    .then(Mono.defer(() -> options.reconcileOnOpen() && !options.readOnly()
                                            ? dp.reconcile(false).doOnNext(r -> dp.openReport = r).then() : Mono.empty()))
                                    .then(Mono.defer(() -> options.readOnly() ? Mono.empty() : dp.syncDhcp()))
                                    .thenReturn(dp);
                        })
                        .onErrorResume(e -> {
                            closeAll(opened, e);
                            return Mono.error(e);
                        });
            } catch (Exception e) {
                closeAll(opened, e);
                return Mono.error(e);
            }
        });
    }

    private static void closeAll(List<AutoCloseable> opened, Throwable cause) {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    }

    /**
     * After a reboot the kernel holds none of the recorded links, addresses or routes: endpoint
     * records and IPAM reservations are dropped; networks are kept and re-created on open (their
     * bridges are gone too), or dropped as well with {@code clearOnReboot}.
     */
    private Mono<Void> afterReboot() {
        return Mono.fromRunnable(() -> {
            if (host.store().rebooted() && options.readOnly()) {
                readOnlyNotes.add("the state was written before a reboot: its endpoints and reservations would be dropped"
                        + (options.clearOnReboot() ? ", and its networks" : ", its networks re-created"));
            } else if (host.store().rebooted()) {
                host.store().dropEndpointsAndReservations();
                if (options.clearOnReboot()) {
                    host.store().networks().clear();
                }
            }
        }).subscribeOn(Schedulers.boundedElastic()).then();
    }

    /**
     * What the reconciliation on open found and did (see {@link #reconcile}); null when it was
     * turned off ({@link DataplaneOptions#reconcileOnOpen}).
     */
    public ReconcileReport openReport() {
        return openReport;
    }

    /** Why the state's map files were started afresh on open (damaged files moved aside), or null. */
    public String stateDamaged() {
        return host.store().damaged();
    }

    /** True when this dataplane's state was written during an earlier boot (see {@link #open}). */
    public boolean openedAfterReboot() {
        return host.store().rebooted();
    }

    private Mono<Void> restoreNetworks() {
        // read the records when subscribed: after afterReboot() may have changed them
        return Flux.defer(() -> Flux.fromIterable(List.copyOf(host.store().networks().values())))
                .map(NetworkRecord::decode)
                .concatMap(this::attachNetwork)
                .then();
    }

    /**
     * Creates a network. Bridge mode: the bridge (up, MTU, no IPv6 link-local as the network is
     * IPv4) with the gateway address, and its IPAM. Ptp mode: IPv4 forwarding on in the host
     * namespace, and the IPAM. Creating a network that exists with the same
     * settings returns it; with other settings it fails.
     */
    public Mono<String> createNetwork(NetworkSpec spec) {
        return Mono.defer(() -> {
            requireWritable("create a network");
            NetworkRecord record = spec.validate();
            String existing = host.store().networks().get(record.name());
            if (existing != null) {
                NetworkRecord old = NetworkRecord.decode(existing);
                if (old.equals(record)) {
                    return Mono.just(record.name());
                }
                return Mono.error(new InvalidSpecException("network " + record.name() + " already exists with other settings: "
                        + NetworkChecks.differences(old, record)));
            }
            NetworkChecks.requireNoOverlap(record, networks.values().stream().map(AttachedNetwork::record).toList());
            // then adopt what the kernel holds for it (stateless mode, or a store lost with the network's record)
            return attachNetwork(record)
                    // networks.conf is rewritten with fsync: blocking I/O, kept off the event loop
                    .then(Mono.fromRunnable(() -> host.store().networks().put(record.name(), record.encode()))
                            .subscribeOn(Schedulers.boundedElastic()))
                    .then(Mono.defer(() -> options.reconcileOnOpen() ? reconcile(false).then() : Mono.empty()))
                    .thenReturn(record.name());
        });
    }

    /**
     * Prepares the host side of a network, then opens its IPAM: for a bridge network, finds or
     * creates the bridge and its gateway address; for a ptp network, turns IPv4 (and, dual stack,
     * IPv6) forwarding on in the host namespace (as CNI ptp does; the host namespace is a sandbox in every test and demo).
     */
    private Mono<AttachedNetwork> attachNetwork(NetworkRecord record) {
        Cidr subnet = record.ipv4() ? Cidr.parse(record.subnet()) : null;
        InetAddress gateway = record.ipv4() ? Cidr.parseAddress(record.gateway(), "gateway") : null;
        if (options.readOnly()) {
            // inspect what is there; a missing bridge is noted, not made
            if (record.mode() == NetworkMode.PTP) {
                return openIpam(record, 0, subnet, gateway);
            }
            return host.rtnl().request(Links.getByName(record.bridge())).cast(LinkMessage.class).map(LinkMessage::index)
                    .onErrorResume(EndpointSteps::isNoDevice, e -> {
                        readOnlyNotes.add("network " + record.name() + ": bridge " + record.bridge() + " is missing (it would be re-created)");
                        return Mono.just(0);
                    })
                    .flatMap(index -> openIpam(record, index, subnet, gateway));
        }
        if (record.mode() == NetworkMode.PTP) {
            return host.netns().inside(hostNs, () -> {
                        if (record.ipv4()) {
                            java.nio.file.Files.writeString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_forward"), "1");
                        }
                        if (record.ipv6()) {
                            java.nio.file.Files.writeString(java.nio.file.Path.of("/proc/sys/net/ipv6/conf/all/forwarding"), "1");
                        }
                        return true;
                    })
                    .then(openIpam(record, 0, subnet, gateway));
        }
        AtomicBoolean created = new AtomicBoolean();
        // a fixed MAC, derived from the network's name, and no multicast snooping: see Links.newBridge
        Mono<LinkMessage> bridge = checkUplink(record).then(host.rtnl().request(Links.newBridge(record.bridge(), record.mtu(),
                        dev.podnet.dataplane.link.MacAddress.derived("podnet-bridge:" + record.name()), false))
                .cast(LinkMessage.class)
                .doOnNext(l -> created.set(true))
                .onErrorResume(e -> NetlinkException.hasErrno(e, Errno.EEXIST),
                        e -> host.rtnl().request(Links.getByName(record.bridge())).cast(LinkMessage.class)
                                .flatMap(l -> "bridge".equals(l.kind()) ? Mono.just(l) : Mono.error(new InvalidSpecException(
                                        "network " + record.name() + ": interface " + record.bridge() + " exists and is a "
                                                + l.kind() + ", not a bridge")))));
        return bridge.flatMap(br -> host.rtnl().executeBatch(List.of(Links.noIpv6LinkLocal(br.index()), Links.up(br.index())))
                        .then(subnet == null ? Mono.<Void>empty()
                                : host.rtnl().execute(Addresses.add(br.index(), new Cidr(gateway, subnet.prefixLength())))
                                .onErrorResume(e -> NetlinkException.hasErrno(e, Errno.EEXIST), e -> Mono.empty()))
                        .then(record.ipv6() ? addGateway6(record, br.index()) : Mono.<Void>empty())
                        .then(Flux.fromIterable(furtherGateways(record))
                                .concatMap(g -> host.rtnl().execute(Addresses.add(br.index(), g))
                                        .onErrorResume(e -> NetlinkException.hasErrno(e, Errno.EEXIST), e -> Mono.empty()))
                                .then())
                        .then(record.uplink().isEmpty() ? Mono.<Void>empty()
                                : host.rtnl().execute(Links.setMaster(record.uplink(), br.index()))
                                .onErrorMap(e -> NetlinkException.hasErrno(e, Errno.ENODEV),
                                        e -> new InvalidSpecException("network " + record.name() + ": uplink " + record.uplink()
                                                + " does not exist")))
                        .onErrorResume(e -> created.get()
                                ? host.rtnl().execute(Links.deleteByName(record.bridge())).onErrorResume(x -> Mono.empty())
                                .then(Mono.error(e))
                                : Mono.error(e))
                        .then(openIpam(record, br.index(), subnet, gateway)));
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
        return host.rtnl().request(Links.getByName(record.uplink())).cast(LinkMessage.class)
                .onErrorMap(EndpointSteps::isNoDevice, e -> new InvalidSpecException("network " + record.name() + ": uplink "
                        + record.uplink() + " does not exist"))
                .flatMap(up -> host.rtnl().request(Links.getByName(record.bridge())).cast(LinkMessage.class)
                        .map(br -> br.index() == up.master()).onErrorResume(EndpointSteps::isNoDevice, e -> Mono.just(false))
                        .flatMap(alreadyPort -> alreadyPort ? Mono.<Void>empty()
                                : host.rtnl().dump(Addresses.dumpOf(dev.podnet.netlink.route.Rtm.AF_UNSPEC, up.index()))
                                .cast(dev.podnet.netlink.route.AddressMessage.class)
                                .filter(a -> a.index() == up.index() && !a.address().isLinkLocalAddress())
                                .map(a -> Cidr.text(a.address()) + "/" + a.prefixLength())
                                .collectList()
                                .flatMap(held -> held.isEmpty() ? Mono.<Void>empty() : Mono.error(new InvalidSpecException(
                                        "network " + record.name() + ": uplink " + record.uplink() + " holds " + String.join(", ", held)
                                                + "; enslaved to bridge " + record.bridge() + " it would lose them: move them to the "
                                                + "bridge first, or use an uplink without addresses")))));
    }

    /** The gateways of the further subnets of a network's range sets ({@code CIDR=GATEWAY} entries), with their prefixes. */
    private static List<Cidr> furtherGateways(NetworkRecord record) {
        List<Cidr> out = new ArrayList<>();
        for (String e : java.util.stream.Stream.concat(record.ranges().stream(), record.ranges6().stream()).toList()) {
            int eq = e.indexOf('=');
            if (e.contains("/") && eq > 0) {
                out.add(new Cidr(Cidr.parseAddress(e.substring(eq + 1), "range gateway"), Cidr.parse(e.substring(0, eq)).prefixLength()));
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
                .concatMap(a -> host.rtnl().execute(Addresses.add(bridgeIndex, a))
                        .onErrorResume(e -> NetlinkException.hasErrno(e, Errno.EEXIST), e -> Mono.empty()))
                .then();
    }

    private Mono<AttachedNetwork> openIpam(NetworkRecord record, int bridgeIndex, Cidr subnet, InetAddress gateway) {
        return Mono.fromCallable(() -> {
            Set<InetAddress> reserved = new java.util.HashSet<>();
            record.reserved().forEach(a -> reserved.add(Cidr.parseAddress(a, "reserved address")));
            Cidr subnet6 = record.ipv6() ? Cidr.parse(record.subnet6()) : null;
            InetAddress gateway6 = record.ipv6() ? Cidr.parseAddress(record.gateway6(), "gateway6") : null;
            AddressAllocator allocator6 = record.ipv6() && !record.ipv6FromMac()
                    ? new AddressAllocator(AddressRange.of(subnet6, gateway6, record.ranges6(), reserved), host.store().allocations(record.name()))
                    : null;
            AddressAllocator allocator = subnet == null ? null
                    : new AddressAllocator(AddressRange.of(subnet, gateway, record.ranges(), reserved), host.store().allocations(record.name()));
            AttachedNetwork n = new AttachedNetwork(record, bridgeIndex, subnet, gateway, allocator, subnet6, gateway6, allocator6);
            networks.put(record.name(), n);
            return n;
        }).subscribeOn(host.state());
    }

    /**
     * Plugs a sandbox in. Adding an endpoint that exists (same container id and interface, same
     * namespace) returns it again.
     *
     * @return the endpoint; errors are {@link InvalidSpecException} (nothing touched) or
     * {@link EndpointOperationException} (everything undone)
     */
    public Mono<Endpoint> add(EndpointSpec spec) {
        return Mono.defer(() -> {
            requireWritable("add an endpoint");
            spec.validate();
            AttachedNetwork network = networks.get(spec.network());
            if (network == null) {
                return Mono.error(new InvalidSpecException("network '" + spec.network() + "' does not exist"));
            }
            if (spec.vm() && network.mode() != NetworkMode.BRIDGE) {
                return Mono.error(new InvalidSpecException("a VM endpoint needs a bridge network; " + spec.network() + " is ptp"));
            }
            if (spec.vm() && !network.ipv4()) {
                return Mono.error(new InvalidSpecException("a VM endpoint needs IPv4 (its VM is served by DHCPv4); "
                        + spec.network() + " is IPv6-only"));
            }
            if (spec.address() != null && (spec.address().getAddress().length == 4 ? !network.ipv4() : network.allocator6() == null)) {
                return Mono.error(new InvalidSpecException("endpoint " + EndpointRecord.key(spec.containerId(), spec.ifName())
                        + ": network " + spec.network() + " hands out no IPv" + (spec.address().getAddress().length == 4 ? 4 : 6)
                        + " addresses from ranges, so " + Cidr.text(spec.address()) + " cannot be requested"));
            }
            if (spec.address6() != null && network.allocator6() == null) {
                return Mono.error(new InvalidSpecException("endpoint " + EndpointRecord.key(spec.containerId(), spec.ifName())
                        + ": network " + spec.network() + " hands out no IPv6 addresses from ranges, so "
                        + Cidr.text(spec.address6()) + " cannot be requested"));
            }
            NetworkChecks.requireNotHost(spec.netns(), hostId);
            String key = EndpointRecord.key(spec.containerId(), spec.ifName());
            AtomicBoolean cancelled = new AtomicBoolean();
            Mono<Endpoint> work = sequencer.run(key, () -> limiter.acquire()
                    .then(Mono.defer(() -> addNow(spec, network, cancelled)))
                    .doFinally(s -> limiter.release()));
            return detached(work).doOnCancel(() -> cancelled.set(true));
        });
    }

    private Mono<Endpoint> addNow(EndpointSpec spec, AttachedNetwork network, AtomicBoolean cancelled) {
        String key = EndpointRecord.key(spec.containerId(), spec.ifName());
        return Mono.fromCallable(() -> java.util.Optional.ofNullable(host.store().endpoints().get(key)))
                .subscribeOn(host.state())
                .flatMap(stored -> {
                    Mono<Void> leftovers = Mono.empty();
                    if (stored.isPresent()) {
                        EndpointRecord r = EndpointRecord.decode(stored.get());
                        if (r.state() == EndpointState.READY) {
                            if (r.netns().equals(spec.netns().path().toString()) && r.network().equals(spec.network())) {
                                return Mono.just(Endpoint.of(r));
                            }
                            return Mono.error(new InvalidSpecException("endpoint " + key + " already exists in netns "
                                    + r.netns() + " on network " + r.network()));
                        }
                        // an add or remove of this endpoint was cut short (a crash): clear its link first
                        leftovers = host.rtnl().execute(Links.deleteByName(r.hostIfName()))
                                .onErrorResume(EndpointSteps::isNoDevice, e -> Mono.empty());
                    }
                    return leftovers.then(Mono.defer(() -> runAdd(spec, network, cancelled)));
                });
    }

    private Mono<Endpoint> runAdd(EndpointSpec spec, AttachedNetwork network, AtomicBoolean cancelled) {
        String key = EndpointRecord.key(spec.containerId(), spec.ifName());
        int mtu = spec.mtu() != 0 ? spec.mtu() : network.mtu();
        AddContext ctx = new AddContext(host, network, spec.containerId(), spec.ifName(), spec.netns(), mtu, spec.mac(),
                spec.podName(), spec.podNamespace(), spec.address(), spec.address6(), spec.vm());
        return StepRunner.run(EndpointSteps.forShape(network.mode(), spec.vm()), ctx, options.observer(), cancelled::get)
                .doFinally(s -> ctx.close())
                .then(Mono.fromCallable(() -> Endpoint.of(ctx.record(EndpointState.READY))))
                .onErrorMap(e -> e instanceof dev.podnet.dataplane.ipam.AddressUnavailableException
                                || e instanceof dev.podnet.dataplane.endpoint.NameTakenException,
                        e -> new InvalidSpecException("endpoint " + key + ": " + e.getMessage()))
                .onErrorMap(e -> !(e instanceof InvalidSpecException), e -> new EndpointOperationException("add", key, e));
    }

    /** The stages of a remove, as a {@link StepObserver} hears of them: the record marked DELETING, the link deleted. */
    public static final String REMOVE_MARK = "mark-deleting";
    public static final String REMOVE_DELETE_LINK = "delete-link";

    /**
     * Unplugs a sandbox: deletes its veth (both ends, with the pod side's address and routes),
     * releases its address and forgets it. Removing an endpoint that does not exist succeeds.
     * Removes that run at the same time have their veths deleted together, in one kernel request
     * ({@link dev.podnet.dataplane.link.GroupDeleter}); each keeps its own result.
     */
    public Mono<Void> remove(String containerId, String ifName) {
        return remove(containerId, ifName, false);
    }

    /**
     * {@link #remove(String, String)}; an endpoint still attached to a sandbox ({@link #attach}) is
     * refused with {@link InvalidSpecException} unless {@code force} (libnetwork's rule: detach first).
     */
    public Mono<Void> remove(String containerId, String ifName, boolean force) {
        return Mono.defer(() -> {
            requireWritable("remove an endpoint");
            EndpointSpec.validateKey(containerId, ifName);
            String key = EndpointRecord.key(containerId, ifName);
            Mono<Void> work = sequencer.run(key, () -> limiter.acquire()
                    .then(Mono.defer(() -> removeNow(containerId, ifName, force)))
                    .doFinally(s -> limiter.release()));
            return detached(work);
        });
    }

    private Mono<Void> removeNow(String containerId, String ifName, boolean force) {
        String key = EndpointRecord.key(containerId, ifName);
        return Mono.fromCallable(() -> {
                    String stored = host.store().endpoints().get(key);
                    if (stored == null) {
                        return java.util.Optional.<EndpointRecord>empty();
                    }
                    EndpointRecord r = EndpointRecord.decode(stored).withState(EndpointState.DELETING);
                    if (!force && !r.sandboxKey().isEmpty()) {
                        throw new InvalidSpecException("endpoint " + key + " is attached to sandbox " + r.sandboxKey()
                                + "; detach it first, or remove it with force");
                    }
                    host.store().endpoints().put(key, r.encode());
                    return java.util.Optional.of(r);
                })
                .subscribeOn(host.state())
                .flatMap(record -> {
                    String hostIf = record.map(EndpointRecord::hostIfName).orElse(HostNames.hostIfName(containerId, ifName));
                    host.dhcp().stop(key);
                    return options.observer().afterStep(REMOVE_MARK)
                            .then(deleter.delete(hostIf))
                            .then(record.filter(r -> !r.vmTap().isEmpty()).map(this::removeVmDevices).orElse(Mono.empty()))
                            .then(options.observer().afterStep(REMOVE_DELETE_LINK))
                            .then(Mono.<Void>fromRunnable(() -> {
                                for (AttachedNetwork n : networks.values()) {
                                    if (record.isEmpty() || n.name().equals(record.get().network())) {
                                        n.releaseAll(containerId, ifName);
                                    }
                                }
                                host.store().endpoints().remove(key);
                            }).subscribeOn(host.state()));
                })
                .onErrorMap(e -> !(e instanceof InvalidSpecException), e -> new EndpointOperationException("remove", key, e));
    }

    /**
     * A VM endpoint's tap and sandbox bridge stay in the sandbox when the veth goes: delete them too,
     * together (one link group, one {@code RTM_DELLINK} by group: the kernel waits out its grace
     * period once, not once per device), on the delete loop (a delete blocks its sender's thread
     * for that grace period, which must not be the host channel's loop).
     */
    private Mono<Void> removeVmDevices(EndpointRecord r) {
        NetNs ns = NetNs.ofPath(Path.of(r.netns()));
        int group = VM_GROUP_BASE + (vmGroups.getAndIncrement() & ((1 << 28) - 1));
        return Mono.usingWhen(host.netns().openRouteSocket(ns).flatMap(s -> NetlinkClient.open(deleteLoop, s)),
                        pod -> pod.executeBatch(List.of(Links.setGroup(r.vmTap(), group),
                                        Links.setGroup(AddContext.vmBridgeName(r.ifName()), group), Links.deleteGroup(group)))
                                // a device already gone (ENODEV) is what the delete wants
                                .onErrorResume(Dataplane::onlyNoDevice, e -> Mono.empty()),
                        NetlinkClient::close)
                // the sandbox is gone, and its devices with it
                .onErrorResume(e -> e instanceof dev.podnet.dataplane.netns.NetnsException, e -> Mono.empty());
    }

    /** Link groups for deleting a VM's devices, apart from those of host-side deletes ({@code GroupDeleter}). */
    private static final int VM_GROUP_BASE = 0x60000000;
    private final java.util.concurrent.atomic.AtomicInteger vmGroups = new java.util.concurrent.atomic.AtomicInteger();

    /** A batch failure whose errors (the first and the suppressed) are all ENODEV. */
    private static boolean onlyNoDevice(Throwable e) {
        if (!EndpointSteps.isNoDevice(e)) {
            return false;
        }
        for (Throwable s : e.getSuppressed()) {
            if (!EndpointSteps.isNoDevice(s)) {
                return false;
            }
        }
        return true;
    }

    /** Runs {@code work} to its end whatever the subscriber does; the returned Mono only observes it. */
    private static <T> Mono<T> detached(Mono<T> work) {
        Sinks.One<T> result = Sinks.one();
        work.subscribe(v -> result.tryEmitValue(v), result::tryEmitError, result::tryEmitEmpty);
        return result.asMono();
    }

    /**
     * Deletes a network: its bridge (bridge mode) and its record. Refused with
     * {@link NetworkInUseException} while it has endpoints, unless {@code force}, which removes them
     * first. Deleting a network that does not exist succeeds.
     */
    public Mono<Void> deleteNetwork(String name, boolean force) {
        return Mono.defer(() -> {
            requireWritable("delete a network");
            AttachedNetwork n = networks.get(name);
            if (n == null) {
                return Mono.empty();
            }
            return find(EndpointQuery.byNetwork(name)).collectList().flatMap(eps -> {
                if (!eps.isEmpty() && !force) {
                    return Mono.error(new NetworkInUseException(name, eps.size()));
                }
                Mono<Void> removeAll = Flux.fromIterable(eps)
                        .flatMap(r -> remove(r.containerId(), r.ifName(), true), options.maxConcurrent()).then();
                Mono<Void> uplink = n.record().uplink().isEmpty() ? Mono.empty()
                        : host.rtnl().execute(Links.setMaster(n.record().uplink(), 0))
                        .onErrorResume(EndpointSteps::isNoDevice, e -> Mono.empty());
                Mono<Void> bridge = n.mode() != NetworkMode.BRIDGE ? Mono.empty()
                        : host.rtnl().execute(Links.deleteByName(n.record().bridge()))
                        .onErrorResume(EndpointSteps::isNoDevice, e -> Mono.empty());
                return removeAll.then(uplink).then(bridge).then(Mono.<Void>fromRunnable(() -> {
                    networks.remove(name);
                    host.store().networks().remove(name); // a durable rewrite: off the event loop
                }).subscribeOn(Schedulers.boundedElastic()));
            });
        });
    }

    /** Every network, as recorded. */
    public Flux<NetworkRecord> networks() {
        return Flux.fromIterable(List.copyOf(networks.values())).map(AttachedNetwork::record)
                .sort(java.util.Comparator.comparing(NetworkRecord::name));
    }

    /** One network, or empty. */
    public Mono<NetworkRecord> network(String name) {
        return Mono.justOrEmpty(networks.get(name)).map(AttachedNetwork::record);
    }

    /** The endpoints matching {@code query}. */
    public Flux<EndpointRecord> find(EndpointQuery query) {
        return endpoints().filter(query.predicate());
    }

    /** How many endpoints {@code network} has. */
    public Mono<Long> countEndpoints(String network) {
        return find(EndpointQuery.byNetwork(network)).count();
    }

    /**
     * Checks an endpoint against the kernel: its host link exists, is up, carries its tag and (bridge
     * mode) is a port of the bridge; inside the sandbox the interface exists with the recorded MAC,
     * is up, holds the recorded address, and has its default route via the gateway. Reads only.
     */
    public Mono<EndpointCheck> check(String containerId, String ifName) {
        return Mono.defer(() -> {
            EndpointSpec.validateKey(containerId, ifName);
            String key = EndpointRecord.key(containerId, ifName);
            return get(containerId, ifName)
                    .switchIfEmpty(Mono.error(new InvalidSpecException("no endpoint " + key)))
                    .flatMap(r -> new EndpointChecker(host, loops, networks.get(r.network())).check(r));
        });
    }

    /**
     * Reconciles the records and the IPAM with the kernel (see {@link Reconciler}): rolls back
     * operations cut short, releases endpoints whose links vanished, deletes orphan tagged links,
     * releases reservations without a record. With {@code dryRun} nothing changes. Endpoints with
     * an operation in flight are left alone.
     */
    public Mono<ReconcileReport> reconcile(boolean dryRun) {
        return detached(Mono.defer(() -> {
            if (!dryRun) {
                requireWritable("reconcile (only a dry run)");
            }
            return new Reconciler(host, networks, sequencer::isActive, options.netnsDirs()).run(dryRun)
                    .map(r -> readOnlyNotes.isEmpty() ? r : new ReconcileReport(r.dryRun(), r.endpointsChecked(),
                            java.util.stream.Stream.concat(readOnlyNotes.stream(), r.actions().stream()).toList(), r.notes()));
        }));
    }

    /**
     * Runs a DHCP responder for every READY VM endpoint (after a restart: what the VMs renew and
     * rebind with) and none for an endpoint that is gone.
     */
    private Mono<Void> syncDhcp() {
        return endpoints().filter(r -> !r.vmTap().isEmpty() && r.state() == EndpointState.READY && networks.containsKey(r.network()))
                .concatMap(r -> host.dhcp().get(r.key()) != null ? Mono.<Void>empty()
                        : EndpointSteps.startDhcp(host, r, networks.get(r.network()).record())
                        // a sandbox that cannot be entered is the reconciler's to report
                        .onErrorResume(e -> Mono.empty()))
                .then();
    }

    /** Fails a changing operation on a dataplane opened read-only ({@link DataplaneOptions#readOnly}). */
    private void requireWritable(String what) {
        if (options.readOnly()) {
            throw new IllegalStateException("cannot " + what + ": the dataplane was opened read-only (a dry run)");
        }
    }

    /**
     * Updates a live endpoint: sets the MTU on both ends of its veth and adds routes inside its
     * sandbox, as steps with undo: if a route cannot be added, the MTU goes back to what it was and
     * the routes already added are removed.
     */
    public Mono<EndpointRecord> update(String containerId, String ifName, EndpointUpdate change) {
        return Mono.defer(() -> {
            requireWritable("update an endpoint");
            EndpointSpec.validateKey(containerId, ifName);
            try {
                Links.validateMtu("mtu", change.mtu());
            } catch (IllegalArgumentException e) {
                throw new InvalidSpecException(e.getMessage());
            }
            String key = EndpointRecord.key(containerId, ifName);
            Mono<EndpointRecord> work = sequencer.run(key, () -> limiter.acquire()
                    .then(Mono.defer(() -> new EndpointUpdater(host, loops).update(key, change)))
                    .doFinally(sig -> limiter.release()));
            return detached(work);
        });
    }

    /**
     * Attaches an endpoint to a sandbox ({@code sandboxKey}: the runtime's sandbox id), as Azure's
     * network manager does; the kernel is not touched. Attaching again to the same key succeeds;
     * to another key fails while attached.
     */
    public Mono<EndpointRecord> attach(String containerId, String ifName, String sandboxKey) {
        return Mono.defer(() -> {
            requireWritable("attach an endpoint");
            EndpointSpec.validateKey(containerId, ifName);
            if (sandboxKey == null || sandboxKey.isBlank() || sandboxKey.contains("\t") || sandboxKey.contains("\n")) {
                throw new InvalidSpecException("sandbox key '" + sandboxKey + "' must be a non-empty single line");
            }
            return updateRecord(containerId, ifName, r -> {
                if (!r.sandboxKey().isEmpty() && !r.sandboxKey().equals(sandboxKey)) {
                    throw new InvalidSpecException("endpoint " + r.key() + " is attached to sandbox " + r.sandboxKey()
                            + "; detach it first");
                }
                return r.withSandboxKey(sandboxKey);
            });
        });
    }

    /** Detaches an endpoint from its sandbox; detaching a detached endpoint succeeds. */
    public Mono<EndpointRecord> detach(String containerId, String ifName) {
        return Mono.defer(() -> {
            requireWritable("detach an endpoint");
            EndpointSpec.validateKey(containerId, ifName);
            return updateRecord(containerId, ifName, r -> r.withSandboxKey(""));
        });
    }

    private Mono<EndpointRecord> updateRecord(String containerId, String ifName,
                                              java.util.function.UnaryOperator<EndpointRecord> change) {
        String key = EndpointRecord.key(containerId, ifName);
        Mono<EndpointRecord> work = sequencer.run(key, () -> Mono.fromCallable(() -> {
            String stored = host.store().endpoints().get(key);
            if (stored == null) {
                throw new InvalidSpecException("no endpoint " + key);
            }
            EndpointRecord updated = change.apply(EndpointRecord.decode(stored));
            host.store().endpoints().put(key, updated.encode());
            return updated;
        }).subscribeOn(host.state()));
        return detached(work);
    }

    /**
     * The endpoint that {@code containerId} (a whole container id, or an unambiguous prefix of one, as
     * container runtimes accept) and {@code ifName} name; empty when none matches. A prefix that
     * matches several endpoints fails with {@link InvalidSpecException} listing them.
     */
    public Mono<EndpointRecord> resolve(String containerId, String ifName) {
        return get(containerId, ifName).switchIfEmpty(Mono.defer(() -> {
            if (containerId == null || containerId.isEmpty()) {
                return Mono.empty();
            }
            return endpoints().filter(r -> r.ifName().equals(ifName) && r.containerId().startsWith(containerId))
                    .collectList()
                    .flatMap(found -> {
                        if (found.size() <= 1) {
                            return Mono.justOrEmpty(found.isEmpty() ? null : found.get(0));
                        }
                        return Mono.error(new InvalidSpecException("container id '" + containerId + "' is ambiguous: it names "
                                + found.stream().map(EndpointRecord::id).sorted().collect(java.util.stream.Collectors.joining(", "))
                                + "; give more of it"));
                    });
        }));
    }

    /** The endpoint of ({@code containerId}, {@code ifName}) as recorded, or empty. */
    public Mono<EndpointRecord> get(String containerId, String ifName) {
        return Mono.fromCallable(() -> host.store().endpoints().get(EndpointRecord.key(containerId, ifName)))
                .subscribeOn(host.state())
                .map(EndpointRecord::decode);
    }

    /** Every recorded endpoint. */
    public Flux<EndpointRecord> endpoints() {
        return Mono.fromCallable(() -> List.copyOf(host.store().endpoints().values()))
                .subscribeOn(host.state())
                .flatMapIterable(l -> l)
                .map(EndpointRecord::decode);
    }

    /** Addresses reserved in {@code network}'s IPAM, both families (0 for an unknown network). */
    public int reservedAddresses(String network) {
        AttachedNetwork n = networks.get(network);
        return n == null ? 0 : n.allocators().stream().mapToInt(AddressAllocator::reservedCount).sum();
    }

    /**
     * {@code network}'s IPAM reservations of both families, address → owner ({@code containerId/ifName});
     * empty for an unknown network.
     */
    public Map<String, String> reservations(String network) {
        AttachedNetwork n = networks.get(network);
        if (n == null) {
            return Map.of();
        }
        Map<String, String> byAddress = new java.util.TreeMap<>();
        n.allocators().forEach(a -> a.reservations().forEach((owner, address) -> byAddress.put(address, owner)));
        return byAddress;
    }

    /** The ifindex of {@code network}'s bridge in the host namespace. */
    public int bridgeIndex(String network) {
        AttachedNetwork n = networks.get(network);
        if (n == null) {
            throw new InvalidSpecException("network '" + network + "' does not exist");
        }
        return n.bridgeIndex();
    }

    /** The netlink client of the host namespace (for inspection). */
    public NetlinkClient hostNetlink() {
        return host.rtnl();
    }

    /** Closes the channels, the state and the threads. Operations still running fail. */
    public Mono<Void> close() {
        return Mono.fromRunnable(host.dhcp()::close).then(host.rtnl().close().onErrorResume(e -> Mono.empty()))
                .then(deleteClient.close().onErrorResume(e -> Mono.empty()))
                .then(Mono.fromRunnable(() -> {
                    host.store().close();
                    try {
                        host.netns().close();
                    } catch (Exception ignored) {
                        // the home descriptor is gone either way
                    }
                    host.state().dispose();
                }).subscribeOn(Schedulers.boundedElastic()))
                .then(Mono.create(sink -> deleteLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                        .addListener(f -> sink.success())))
                .then(Mono.create(sink -> host.rtnlThread().group().shutdownGracefully(0, 2, TimeUnit.SECONDS)
                        .addListener(f -> sink.success())))
                .then(Mono.create(sink -> loops.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                        .addListener(f -> sink.success())));
    }
}
