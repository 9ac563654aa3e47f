package dev.podnet.api;

import dev.podnet.dataplane.EndpointCheck;
import dev.podnet.dataplane.EndpointOperationException;
import dev.podnet.dataplane.EndpointUpdate;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.internal.engine.Engine;
import dev.podnet.dataplane.internal.link.Links;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The endpoints of a {@link Dataplane}: {@code dp.endpoints().add(spec)}, {@code remove}, and the
 * rest. Every method returns a cold publisher. An {@link #add} runs its steps (reserve address,
 * record, open the pod namespace, create the veth, configure the pod, record ready); a failure or a
 * cancellation undoes the completed steps in reverse, so a failed add leaves no link, no address
 * and no reserved IP. Once started, an operation runs to its end (or its rollback) even if its
 * subscriber goes away: a step is never cut in half. Operations on one endpoint run in the order
 * they were started; at most {@code maxConcurrent} run at once.
 */
public final class Endpoints {
    private final Engine engine;

    Endpoints(Engine engine) {
        this.engine = engine;
    }

    /**
     * Plugs a sandbox in. Adding an endpoint that exists (same container id and interface, same
     * namespace) returns it again.
     *
     * @return the endpoint; errors are {@link InvalidSpecException} (nothing touched) or
     * {@link EndpointOperationException} (everything undone)
     */
    public Mono<Endpoint> add(EndpointSpec spec) {
        return Mono.defer(() -> engine.addEndpoint(spec.validate())).map(Endpoint::of);
    }

    /**
     * Unplugs a sandbox: deletes its veth (both ends, with the pod side's address and routes),
     * releases its address and forgets it. Removing an endpoint that does not exist succeeds.
     * Removes that run at the same time have their veths deleted together, in one kernel request;
     * each keeps its own result.
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
            validateKey(containerId, ifName);
            return engine.removeEndpoint(containerId, ifName, force);
        });
    }

    /**
     * Checks an endpoint against the kernel: its host link exists, is up, carries its tag and (bridge
     * mode) is a port of the bridge; inside the sandbox the interface exists with the recorded MAC,
     * is up, holds the recorded address, and has its default route via the gateway. Reads only.
     */
    public Mono<EndpointCheck> check(String containerId, String ifName) {
        return Mono.defer(() -> {
            validateKey(containerId, ifName);
            return engine.check(containerId, ifName);
        });
    }

    /**
     * Updates a live endpoint: sets the MTU on both ends of its veth and adds routes inside its
     * sandbox, as steps with undo: if a route cannot be added, the MTU goes back to what it was and
     * the routes already added are removed.
     */
    public Mono<Endpoint> update(String containerId, String ifName, EndpointUpdate change) {
        return Mono.defer(() -> {
                    validateKey(containerId, ifName);
                    try {
                        Links.validateMtu("mtu", change.mtu());
                    } catch (IllegalArgumentException e) {
                        throw new InvalidSpecException(e.getMessage());
                    }
                    return engine.updateEndpoint(containerId, ifName, change);
                })
                .map(Endpoint::of);
    }

    /**
     * Attaches an endpoint to a sandbox ({@code sandboxKey}: the runtime's sandbox id), as Azure's
     * network manager does; the kernel is not touched. Attaching again to the same key succeeds;
     * to another key fails while attached.
     */
    public Mono<Endpoint> attach(String containerId, String ifName, String sandboxKey) {
        return Mono.defer(() -> {
                    validateKey(containerId, ifName);
                    if (sandboxKey == null
                            || sandboxKey.isBlank()
                            || sandboxKey.contains("\t")
                            || sandboxKey.contains("\n")) {
                        throw new InvalidSpecException(
                                "sandbox key '" + sandboxKey + "' must be a non-empty single line");
                    }
                    return engine.attach(containerId, ifName, sandboxKey);
                })
                .map(Endpoint::of);
    }

    /** Detaches an endpoint from its sandbox; detaching a detached endpoint succeeds. */
    public Mono<Endpoint> detach(String containerId, String ifName) {
        return Mono.defer(() -> {
                    validateKey(containerId, ifName);
                    return engine.detach(containerId, ifName);
                })
                .map(Endpoint::of);
    }

    /**
     * The endpoint that {@code containerId} (a whole container id, or an unambiguous prefix of one, as
     * container runtimes accept) and {@code ifName} name; empty when none matches. A prefix that
     * matches several endpoints fails with {@link InvalidSpecException} listing them.
     */
    public Mono<Endpoint> resolve(String containerId, String ifName) {
        return engine.resolve(containerId, ifName).map(Endpoint::of);
    }

    /** The endpoint of ({@code containerId}, {@code ifName}) as recorded, or empty. */
    public Mono<Endpoint> get(String containerId, String ifName) {
        return engine.endpoint(containerId, ifName).map(Endpoint::of);
    }

    /** Every recorded endpoint. */
    public Flux<Endpoint> list() {
        return engine.endpoints().map(Endpoint::of);
    }

    /** The endpoints matching {@code query}. */
    public Flux<Endpoint> find(EndpointQuery query) {
        return list().filter(query.predicate());
    }

    /** How many endpoints {@code network} has. */
    public Mono<Long> count(String network) {
        return find(EndpointQuery.byNetwork(network)).count();
    }

    private static void validateKey(String containerId, String ifName) {
        EndpointSpec.validateKey(containerId, ifName);
    }
}
