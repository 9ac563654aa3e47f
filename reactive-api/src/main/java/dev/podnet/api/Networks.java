package dev.podnet.api;

import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.NetworkInUseException;
import dev.podnet.dataplane.internal.endpoint.AttachedNetwork;
import dev.podnet.dataplane.internal.engine.Engine;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The networks of a {@link Dataplane}: {@code dp.networks().create(spec)}. Every method returns a
 * cold publisher.
 */
public final class Networks {
    private final Engine engine;

    Networks(Engine engine) {
        this.engine = engine;
    }

    /**
     * Creates a network. Bridge mode: the bridge (up, MTU, no IPv6 link-local as the network is
     * IPv4) with the gateway address, and its IPAM. Ptp mode: IPv4 forwarding on in the host
     * namespace, and the IPAM. Creating a network that exists with the same settings returns it;
     * with other settings it fails with {@link InvalidSpecException} naming the fields that differ.
     */
    public Mono<Network> create(NetworkSpec spec) {
        return Mono.defer(() -> engine.createNetwork(spec.validate())).flatMap(this::get);
    }

    /**
     * Deletes a network: its bridge (bridge mode) and its record. Refused with
     * {@link NetworkInUseException} while it has endpoints, unless {@code force}, which removes them
     * first. Deleting a network that does not exist succeeds.
     */
    public Mono<Void> delete(String name, boolean force) {
        return engine.deleteNetwork(name, force);
    }

    /** Every network, ordered by name. */
    public Flux<Network> list() {
        return Flux.defer(() -> Flux.fromIterable(engine.networks())).map(Network::of);
    }

    /** One network, or empty. */
    public Mono<Network> get(String name) {
        return Mono.fromSupplier(() -> engine.network(name)).map(Network::of);
    }

    /** The network, or an error naming it when it does not exist. */
    Mono<AttachedNetwork> require(String name) {
        return Mono.fromSupplier(() -> engine.network(name))
                .switchIfEmpty(Mono.error(() -> new InvalidSpecException("network '" + name + "' does not exist")));
    }
}
