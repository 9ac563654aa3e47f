package dev.podnet.api;

import dev.podnet.dataplane.internal.engine.Engine;
import dev.podnet.netlink.events.NetlinkEvent;
import dev.podnet.netlink.events.RouteGroup;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * podnet's entry point: plugs sandboxes into networks and unplugs them, as Reactor flows, through
 * a handle per resource.
 *
 * <pre>{@code
 * try (Dataplane dp = Dataplane.open(DataplaneOptions.of(Path.of("/var/lib/podnet"))).block()) {
 *     dp.networks().create(NetworkSpec.bridge("pods", "pnbr0", "198.18.0.0/16")).block();
 *     Endpoint ep = dp.endpoints().add(EndpointSpec.of("pods", containerId, NetNs.named("pod-1"))).block();
 *     dp.endpoints().remove(containerId, "eth0").block();
 * }
 * }</pre>
 *
 * <p>The dataplane owns its threads (the rtnetlink thread, the epoll loops, the delete loop), its
 * netlink channels and its state; {@link #close} releases them all. See {@link Endpoints} for how
 * operations run (rollback, ordering, the concurrency limit).
 */
public final class Dataplane implements AutoCloseable {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final Engine engine;
    private final Networks networks;
    private final Endpoints endpoints;
    private final Ipam ipam;
    private final Reconciler reconciler;

    private Dataplane(Engine engine) {
        this.engine = engine;
        this.networks = new Networks(engine);
        this.endpoints = new Endpoints(engine);
        this.ipam = new Ipam(engine);
        this.reconciler = new Reconciler(engine);
    }

    /**
     * Opens the state under {@code options.stateDir()}, a netlink channel in the host namespace, and
     * re-attaches to the networks recorded there (re-creating a bridge that is gone, as after a
     * reboot), then reconciles (see {@link Reconciler}).
     */
    public static Mono<Dataplane> open(DataplaneOptions options) {
        return Mono.defer(() -> Engine.open(options.engineOptions())).map(Dataplane::new);
    }

    /** The networks: create, delete, list. */
    public Networks networks() {
        return networks;
    }

    /** The endpoints: add, remove, check, update, attach, detach, find. */
    public Endpoints endpoints() {
        return endpoints;
    }

    /** The networks' address reservations. */
    public Ipam ipam() {
        return ipam;
    }

    /** Reconciliation of records, IPAM and kernel, and what the open found. */
    public Reconciler reconciler() {
        return reconciler;
    }

    /**
     * The host namespace's link, address, route or neighbour changes ({@code groups}) as the kernel
     * reports them, while subscribed (a netlink socket of its own); the flux fails with
     * {@code NetlinkOverrunException} when the subscriber falls more than 4096 events behind.
     */
    public Flux<NetlinkEvent> events(Set<RouteGroup> groups) {
        return engine.hostEvents(Set.copyOf(groups), 4096);
    }

    /**
     * The event loop the dataplane configures pods on: one thread, that of the host namespace's
     * netlink channel. A server taking requests for this dataplane (the daemon's HTTP server) may run
     * its connections here: a request then reaches the pod work, and its answer the connection,
     * without a thread switch, each of which costs a wake-up of 0.3 to 0.6 ms on an idle node (CNI
     * ADD p50 through the daemon 5.3 ms with a loop of its own, 4.4-4.9 ms here; measured
     * 2026-12-03, docs/BENCHMARKS.md). Only short, non-blocking work belongs on it, and it lives as
     * long as the dataplane: a server on it must stop first.
     */
    public EventLoopGroup eventLoop() {
        return engine.rtnlLoop();
    }

    /**
     * Off-heap memory the state's Chronicle Maps use for their entries and indexes, in bytes: with
     * the JVM's resident size, what a long-running node watches for growth.
     */
    public long stateOffHeapBytes() {
        return engine.stateOffHeapBytes();
    }

    /** Closes the channels, the state and the threads, when subscribed. Operations still running fail. */
    public Mono<Void> closeAsync() {
        return engine.close();
    }

    /** {@link #closeAsync()}, waiting up to 30 seconds for it. */
    @Override
    public void close() {
        engine.close().block(CLOSE_WAIT);
    }
}
