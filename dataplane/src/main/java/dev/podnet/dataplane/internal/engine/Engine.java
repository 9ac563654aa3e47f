package dev.podnet.dataplane.internal.engine;

import dev.podnet.dataplane.EndpointCheck;
import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.EndpointUpdate;
import dev.podnet.dataplane.ReconcileReport;
import dev.podnet.dataplane.internal.dhcp.DhcpResponders;
import dev.podnet.dataplane.internal.endpoint.AddRequest;
import dev.podnet.dataplane.internal.endpoint.AttachedNetwork;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import dev.podnet.dataplane.internal.endpoint.EndpointSteps;
import dev.podnet.dataplane.internal.endpoint.HostContext;
import dev.podnet.dataplane.internal.link.GroupDeleter;
import dev.podnet.dataplane.internal.nat.NatTable;
import dev.podnet.dataplane.internal.netns.NetnsThread;
import dev.podnet.dataplane.internal.netns.RtnlExecutor;
import dev.podnet.dataplane.internal.state.HostNamespace;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.internal.state.StateStore;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.events.NetlinkEvent;
import dev.podnet.netlink.events.RouteEventSource;
import dev.podnet.netlink.events.RouteGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The dataplane's one owner of threads, channels and state: opens them in order (the netns thread,
 * the epoll loops, the rtnetlink thread, the delete loop, the state store, the host channels),
 * restores the networks and reconciles, and closes everything in reverse. The API's handles call
 * the network lifecycle, the endpoint operations and the reconciler through it.
 *
 * <p>Some 450 lines: the open sequence and its reverse (which must stay together, to close exactly
 * what was opened when a later step fails), then one short delegating method per operation.
 */
public final class Engine {
    /** The one close, once asked for. */
    private final java.util.concurrent.atomic.AtomicReference<Mono<Void>> closing =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * Delete lanes (sockets, each on a thread of its own, asleep in the kernel most of the time): a
     * lone delete blocks its thread 20-30 ms in the kernel after it is done, outside the RTNL lock.
     * Pods stopped one by one by a runtime come every 3-5 ms: with four lanes a third of the CNI
     * DELs still queued behind busy lanes (p50 6.4 ms), with eight none did (p50 3.5 ms, the driver's
     * bare exec 1.9 ms). Deletes beyond that gather into groups.
     */
    private static final int DELETE_LANES = 8;

    private final EngineOptions options;
    private final NetNs hostNs;
    private final HostNamespace hostId;
    private final HostContext host;
    private final MultiThreadIoEventLoopGroup loops;
    private final MultiThreadIoEventLoopGroup deleteLoop;
    private final GroupDeleter deleter;
    private final List<String> readOnlyNotes = new CopyOnWriteArrayList<>();
    private final NetworkLifecycle networks;
    private final EndpointOperations endpoints;
    private final OperationGate gate;
    private volatile ReconcileReport openReport;

    private Engine(
            EngineOptions options,
            NetNs hostNs,
            HostNamespace hostId,
            HostContext host,
            MultiThreadIoEventLoopGroup loops,
            MultiThreadIoEventLoopGroup deleteLoop,
            GroupDeleter deleter) {
        this.options = options;
        this.hostNs = hostNs;
        this.hostId = hostId;
        this.host = host;
        this.loops = loops;
        this.deleteLoop = deleteLoop;
        this.deleter = deleter;
        this.gate = new OperationGate(options.maxConcurrent());
        this.networks = new NetworkLifecycle(host, hostNs, options.readOnly(), readOnlyNotes);
        this.endpoints =
                new EndpointOperations(host, loops, deleteLoop, deleter, networks.attached(), gate, options.observer());
    }

    /**
     * Opens the state, a netlink channel in the host namespace, and re-attaches to the networks
     * recorded there (re-creating a bridge that is gone, as after a reboot); then reconciles
     * (unless told not to) and restarts the DHCP responders of VM endpoints.
     */
    public static Mono<Engine> open(EngineOptions options) {
        return Mono.defer(() -> {
            List<AutoCloseable> opened = new ArrayList<>();
            try {
                NetnsThread netns = NetnsThread.start();
                opened.add(netns);
                MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(
                        options.eventLoops(),
                        new DefaultThreadFactory("podnet-epoll", true),
                        EpollIoHandler.newFactory());
                opened.add(() -> loops.shutdownGracefully(0, 1, TimeUnit.SECONDS));
                // the host channel's own thread, which also configures the pods (see RtnlExecutor)
                RtnlExecutor rtnlThread = RtnlExecutor.start(netns);
                opened.add(rtnlThread);
                // deletes hold their thread for the kernel's grace period: lanes of their own (see GroupDeleter)
                MultiThreadIoEventLoopGroup deleteLoop = new MultiThreadIoEventLoopGroup(
                        DELETE_LANES, new DefaultThreadFactory("podnet-delete", true), EpollIoHandler.newFactory());
                opened.add(() -> deleteLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS));
                // the state work runs inline (see HostContext): a hop per step cost more than the work
                Scheduler state = Schedulers.immediate();
                opened.add(state::dispose);
                NetNs hostNs =
                        options.hostNetns() != null ? options.hostNetns() : NetNs.ofPath(Path.of("/proc/self/ns/net"));
                HostNamespace hostId = HostNamespace.of(hostNs);
                NatTable nat = new NatTable(rtnlThread, hostNs);
                opened.add(nat);
                return Mono.fromCallable(() -> options.isStateless()
                                ? StateStore.inMemory(options.maxEndpoints())
                                : StateStore.open(
                                        options.stateDir(),
                                        options.maxEndpoints(),
                                        new StateStore.Access(hostId, options.lockWait(), options.readOnly())))
                        .subscribeOn(Schedulers.boundedElastic())
                        .doOnNext(opened::add)
                        .zipWith(netns.openRouteSocket(hostNs).flatMap(s -> NetlinkClient.open(rtnlThread.group(), s)))
                        .zipWith(GroupDeleter.open(netns.openRouteSocket(hostNs), deleteLoop, DELETE_LANES, loops))
                        .flatMap(tt -> {
                            var t = tt.getT1();
                            HostContext host = new HostContext(
                                    t.getT2(),
                                    loops,
                                    netns,
                                    t.getT1(),
                                    state,
                                    new DhcpResponders(),
                                    rtnlThread,
                                    nat,
                                    hostNs);
                            Engine engine = new Engine(options, hostNs, hostId, host, loops, deleteLoop, tt.getT2());
                            return engine.afterReboot()
                                    .then(engine.networks.restore())
                                    // deferred: reconcile() starts its work when called
                                    .then(Mono.defer(() -> options.reconcileOnOpen() && !options.readOnly()
                                            ? engine.reconcile(false)
                                                    .doOnNext(r -> engine.openReport = r)
                                                    .then()
                                            : Mono.empty()))
                                    .then(Mono.defer(() -> options.readOnly() ? Mono.empty() : engine.syncDhcp()))
                                    .thenReturn(engine);
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
                        readOnlyNotes.add(
                                "the state was written before a reboot: its endpoints and reservations would be dropped"
                                        + (options.clearOnReboot()
                                                ? ", and its networks"
                                                : ", its networks re-created"));
                    } else if (host.store().rebooted()) {
                        host.store().dropEndpointsAndReservations();
                        if (options.clearOnReboot()) {
                            host.store().networks().clear();
                        }
                    }
                })
                .subscribeOn(Schedulers.boundedElastic())
                .then();
    }

    /** Runs a DHCP responder for every READY VM endpoint (what VMs renew with after a restart). */
    private Mono<Void> syncDhcp() {
        Map<String, AttachedNetwork> attached = networks.attached();
        return endpoints
                .list()
                .filter(r ->
                        !r.vmTap().isEmpty() && r.state() == EndpointState.READY && attached.containsKey(r.network()))
                .concatMap(r -> host.dhcp().get(r.key()) != null
                        ? Mono.<Void>empty()
                        : EndpointSteps.startDhcp(
                                        host, r, attached.get(r.network()).record())
                                // a sandbox that cannot be entered is the reconciler's to report
                                .onErrorResume(e -> Mono.empty()))
                .then();
    }

    /** Fails a changing operation on an engine opened read-only. */
    public void requireWritable(String what) {
        if (options.readOnly()) {
            throw new IllegalStateException("cannot " + what + ": the dataplane was opened read-only (a dry run)");
        }
    }

    /** The namespace playing host, identified. */
    public HostNamespace hostNamespace() {
        return hostId;
    }

    // networks

    /** Creates a network (see {@link NetworkLifecycle#create}); reconciles after, when reconciling on open. */
    public Mono<String> createNetwork(NetworkRecord record) {
        return Mono.defer(() -> {
            requireWritable("create a network");
            return networks.create(
                    record,
                    Mono.defer(
                            () -> options.reconcileOnOpen() ? reconcile(false).then() : Mono.empty()));
        });
    }

    /** Deletes a network (see {@link NetworkLifecycle#delete}). */
    public Mono<Void> deleteNetwork(String name, boolean force) {
        return Mono.defer(() -> {
            requireWritable("delete a network");
            return networks.delete(
                    name,
                    force,
                    endpoints.list(),
                    r -> removeEndpoint(r.containerId(), r.ifName(), true),
                    options.maxConcurrent());
        });
    }

    /** The attached networks, ordered by name. */
    public List<AttachedNetwork> networks() {
        return networks.attached().values().stream()
                .sorted(Comparator.comparing(AttachedNetwork::name))
                .toList();
    }

    /** An attached network, or null. */
    public AttachedNetwork network(String name) {
        return networks.attached().get(name);
    }

    /** {@code network}'s IPAM reservations of both families, address → owner; empty for an unknown network. */
    public Map<String, String> reservations(String network) {
        AttachedNetwork n = networks.attached().get(network);
        Map<String, String> byAddress = new TreeMap<>();
        if (n != null) {
            n.allocators().forEach(a -> a.reservations().forEach((owner, address) -> byAddress.put(address, owner)));
        }
        return byAddress;
    }

    /** How many addresses {@code network} has reserved, both families (0 for an unknown network). */
    public int reservedCount(String network) {
        AttachedNetwork n = networks.attached().get(network);
        return n == null
                ? 0
                : n.allocators().stream().mapToInt(a -> a.reservedCount()).sum();
    }

    // endpoints

    /** Adds an endpoint (see {@link EndpointOperations#add}). */
    public Mono<EndpointRecord> addEndpoint(AddRequest request) {
        return Mono.defer(() -> {
            requireWritable("add an endpoint");
            NetworkChecks.requireNotHost(request.netns(), hostId);
            return endpoints.add(request);
        });
    }

    /** Removes an endpoint (see {@link EndpointOperations#remove}). */
    public Mono<Void> removeEndpoint(String containerId, String ifName, boolean force) {
        return Mono.defer(() -> {
            requireWritable("remove an endpoint");
            return endpoints.remove(containerId, ifName, force);
        });
    }

    /** Updates a live endpoint (see {@link EndpointUpdater}). */
    public Mono<EndpointRecord> updateEndpoint(String containerId, String ifName, EndpointUpdate change) {
        return Mono.defer(() -> {
            requireWritable("update an endpoint");
            return endpoints.update(containerId, ifName, change);
        });
    }

    /** Attaches an endpoint to a sandbox key. */
    public Mono<EndpointRecord> attach(String containerId, String ifName, String sandboxKey) {
        return Mono.defer(() -> {
            requireWritable("attach an endpoint");
            return endpoints.attach(containerId, ifName, sandboxKey);
        });
    }

    /** Detaches an endpoint from its sandbox. */
    public Mono<EndpointRecord> detach(String containerId, String ifName) {
        return Mono.defer(() -> {
            requireWritable("detach an endpoint");
            return endpoints.detach(containerId, ifName);
        });
    }

    /** Checks an endpoint against the kernel. */
    public Mono<EndpointCheck> check(String containerId, String ifName) {
        return endpoints.check(containerId, ifName);
    }

    /** An endpoint by whole container id or unambiguous prefix. */
    public Mono<EndpointRecord> resolve(String containerId, String ifName) {
        return endpoints.resolve(containerId, ifName);
    }

    /** An endpoint as recorded, or empty. */
    public Mono<EndpointRecord> endpoint(String containerId, String ifName) {
        return endpoints.get(containerId, ifName);
    }

    /** Every recorded endpoint. */
    public Flux<EndpointRecord> endpoints() {
        return endpoints.list();
    }

    // reconciliation

    /**
     * Reconciles the records and the IPAM with the kernel (see {@link StateReconciler}); with {@code dryRun}
     * nothing changes. Endpoints with an operation in flight are left alone.
     */
    public Mono<ReconcileReport> reconcile(boolean dryRun) {
        return OperationGate.detached(Mono.defer(() -> {
            if (!dryRun) {
                requireWritable("reconcile (only a dry run)");
            }
            return new StateReconciler(host, networks.attached(), gate::isActive, options.netnsDirs())
                    .run(dryRun)
                    .map(r -> readOnlyNotes.isEmpty()
                            ? r
                            : new ReconcileReport(
                                    r.dryRun(),
                                    r.endpointsChecked(),
                                    Stream.concat(readOnlyNotes.stream(), r.actions().stream())
                                            .toList(),
                                    r.notes()));
        }));
    }

    /** What the reconciliation on open found and did; null when it was turned off. */
    public ReconcileReport openReport() {
        return openReport;
    }

    /** Why the state's map files were started afresh on open (damaged files moved aside), or null. */
    public String stateDamaged() {
        return host.store().damaged();
    }

    /** Off-heap bytes the state's maps use (see {@code StateStore.offHeapBytes}). */
    public long stateOffHeapBytes() {
        return host.store().offHeapBytes();
    }

    /** True when the state was written during an earlier boot. */
    public boolean openedAfterReboot() {
        return host.store().rebooted();
    }

    /** The rtnetlink thread's event loop (see {@code Dataplane.eventLoop()}). */
    public io.netty.channel.EventLoopGroup rtnlLoop() {
        return host.rtnlThread().group();
    }

    /**
     * The host namespace's rtnetlink notifications of {@code groups}: a socket of its own, opened
     * when subscribed and closed when the subscription ends; {@code buffer} events are held for a
     * slow subscriber before the flux fails with an overrun.
     */
    public Flux<NetlinkEvent> hostEvents(Set<RouteGroup> groups, int buffer) {
        return Flux.usingWhen(
                host.netns().openRouteSocket(hostNs).flatMap(s -> RouteEventSource.open(loops, s, groups, buffer)),
                RouteEventSource::events,
                RouteEventSource::close);
    }

    /**
     * Closes the channels, the state and the threads (when first subscribed). Operations still running
     * fail. Closing again, or concurrently, completes when the one close has.
     */
    public Mono<Void> close() {
        Mono<Void> c = closing.get();
        if (c == null) {
            Mono<Void> mine = closeOnce().cache();
            c = closing.compareAndExchange(null, mine);
            return c == null ? mine : c;
        }
        return c;
    }

    private Mono<Void> closeOnce() {
        return Mono.fromRunnable(host.dhcp()::close)
                .then(host.rtnl().close().onErrorResume(e -> Mono.empty()))
                .then(deleter.close())
                .then(Mono.fromRunnable(() -> {
                            host.store().close();
                            host.nat().close();
                            try {
                                host.netns().close();
                            } catch (Exception ignored) {
                                // the home descriptor is gone either way
                            }
                            host.state().dispose();
                        })
                        .subscribeOn(Schedulers.boundedElastic()))
                .then(shutdown(() -> deleteLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS)))
                .then(shutdown(() -> host.rtnlThread().group().shutdownGracefully(0, 2, TimeUnit.SECONDS)))
                .then(shutdown(() -> loops.shutdownGracefully(0, 2, TimeUnit.SECONDS)));
    }

    /** Starts a graceful shutdown when subscribed, completing when it has. */
    private static Mono<Void> shutdown(Supplier<Future<?>> termination) {
        return Mono.create(sink -> termination.get().addListener(f -> sink.success()));
    }
}
