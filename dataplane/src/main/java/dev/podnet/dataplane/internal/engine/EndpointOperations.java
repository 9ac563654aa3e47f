package dev.podnet.dataplane.internal.engine;

import dev.podnet.dataplane.EndpointOperationException;
import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.EndpointUpdate;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.endpoint.AddContext;
import dev.podnet.dataplane.internal.endpoint.AddRequest;
import dev.podnet.dataplane.internal.endpoint.AttachedNetwork;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import dev.podnet.dataplane.internal.endpoint.EndpointSteps;
import dev.podnet.dataplane.internal.endpoint.HostContext;
import dev.podnet.dataplane.internal.endpoint.HostNames;
import dev.podnet.dataplane.internal.endpoint.NameTakenException;
import dev.podnet.dataplane.internal.link.GroupDeleter;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.ipam.AddressUnavailableException;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.dataplane.netns.NetnsException;
import dev.podnet.netlink.channel.NetlinkClient;
import io.netty.channel.IoEventLoopGroup;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The endpoint operations over the records and the kernel: add (as steps with undo), remove, update,
 * attach and detach, and the reads. Every changing operation runs through the {@link OperationGate}.
 */
final class EndpointOperations {
    private final HostContext host;
    private final IoEventLoopGroup loops;
    private final IoEventLoopGroup deleteLoop;
    private final GroupDeleter deleter;
    private final Map<String, AttachedNetwork> networks;
    private final OperationGate gate;
    private final StepObserver observer;

    EndpointOperations(
            HostContext host,
            IoEventLoopGroup loops,
            IoEventLoopGroup deleteLoop,
            GroupDeleter deleter,
            Map<String, AttachedNetwork> networks,
            OperationGate gate,
            StepObserver observer) {
        this.host = host;
        this.loops = loops;
        this.deleteLoop = deleteLoop;
        this.deleter = deleter;
        this.networks = networks;
        this.gate = gate;
        this.observer = observer;
    }

    /** Plugs a sandbox in; adding one that exists (same namespace and network) returns it again. */
    Mono<EndpointRecord> add(AddRequest spec) {
        return Mono.defer(() -> {
            AttachedNetwork network = networks.get(spec.network());
            String key = EndpointRecord.key(spec.containerId(), spec.ifName());
            if (network == null) {
                return Mono.error(new InvalidSpecException("network '" + spec.network() + "' does not exist"));
            }
            if (spec.vm() && network.mode() != NetworkMode.BRIDGE) {
                return Mono.error(new InvalidSpecException(
                        "a VM endpoint needs a bridge network; " + spec.network() + " is ptp"));
            }
            if (spec.vm() && !network.ipv4()) {
                return Mono.error(new InvalidSpecException(
                        "a VM endpoint needs IPv4 (its VM is served by DHCPv4); " + spec.network() + " is IPv6-only"));
            }
            if (spec.address() != null
                    && (spec.address().getAddress().length == 4 ? !network.ipv4() : network.allocator6() == null)) {
                return Mono.error(new InvalidSpecException("endpoint " + key + ": network " + spec.network()
                        + " hands out no IPv" + (spec.address().getAddress().length == 4 ? 4 : 6)
                        + " addresses from ranges, so " + Cidr.text(spec.address()) + " cannot be requested"));
            }
            if (spec.address6() != null && network.allocator6() == null) {
                return Mono.error(new InvalidSpecException("endpoint " + key + ": network " + spec.network()
                        + " hands out no IPv6 addresses from ranges, so " + Cidr.text(spec.address6())
                        + " cannot be requested"));
            }
            AtomicBoolean cancelled = new AtomicBoolean();
            return gate.limited(key, () -> addNow(spec, network, cancelled)).doOnCancel(() -> cancelled.set(true));
        });
    }

    private Mono<EndpointRecord> addNow(AddRequest spec, AttachedNetwork network, AtomicBoolean cancelled) {
        String key = EndpointRecord.key(spec.containerId(), spec.ifName());
        return Mono.fromCallable(
                        () -> Optional.ofNullable(host.store().endpoints().get(key)))
                .subscribeOn(host.state())
                .flatMap(stored -> {
                    Mono<Void> leftovers = Mono.empty();
                    if (stored.isPresent()) {
                        EndpointRecord r = EndpointRecord.decode(stored.get());
                        if (r.state() == EndpointState.READY) {
                            if (r.netns().equals(spec.netns().path().toString())
                                    && r.network().equals(spec.network())) {
                                return Mono.just(r);
                            }
                            return Mono.error(new InvalidSpecException("endpoint " + key + " already exists in netns "
                                    + r.netns() + " on network " + r.network()));
                        }
                        // an add or remove of this endpoint was cut short (a crash): clear its link first
                        leftovers = host.rtnl()
                                .execute(Links.deleteByName(r.hostIfName()))
                                .onErrorResume(EndpointSteps::isNoDevice, e -> Mono.empty());
                    }
                    return leftovers.then(Mono.defer(() -> runAdd(spec, network, cancelled)));
                });
    }

    private Mono<EndpointRecord> runAdd(AddRequest spec, AttachedNetwork network, AtomicBoolean cancelled) {
        String key = EndpointRecord.key(spec.containerId(), spec.ifName());
        int mtu = spec.mtu() != 0 ? spec.mtu() : network.mtu();
        AddContext ctx = new AddContext(host, network, spec, mtu);
        return StepRunner.run(EndpointSteps.forShape(network.mode(), spec.vm()), ctx, observer, cancelled::get)
                .doFinally(s -> ctx.close())
                .then(Mono.fromCallable(() -> ctx.record(EndpointState.READY)))
                .onErrorMap(
                        e -> e instanceof AddressUnavailableException || e instanceof NameTakenException,
                        e -> new InvalidSpecException("endpoint " + key + ": " + e.getMessage()))
                .onErrorMap(
                        e -> !(e instanceof InvalidSpecException), e -> new EndpointOperationException("add", key, e));
    }

    /**
     * Unplugs a sandbox: deletes its veth (both ends, with the pod side's address and routes),
     * releases its address and forgets it; one that does not exist is no error. An endpoint attached
     * to a sandbox is refused unless {@code force}.
     */
    Mono<Void> remove(String containerId, String ifName, boolean force) {
        String key = EndpointRecord.key(containerId, ifName);
        return gate.limited(key, () -> removeNow(containerId, ifName, force));
    }

    private Mono<Void> removeNow(String containerId, String ifName, boolean force) {
        String key = EndpointRecord.key(containerId, ifName);
        return Mono.fromCallable(() -> {
                    String stored = host.store().endpoints().get(key);
                    if (stored == null) {
                        return Optional.<EndpointRecord>empty();
                    }
                    EndpointRecord r = EndpointRecord.decode(stored).withState(EndpointState.DELETING);
                    if (!force && !r.sandboxKey().isEmpty()) {
                        throw new InvalidSpecException("endpoint " + key + " is attached to sandbox " + r.sandboxKey()
                                + "; detach it first, or remove it with force");
                    }
                    host.store().endpoints().put(key, r.encode());
                    return Optional.of(r);
                })
                .subscribeOn(host.state())
                .flatMap(record -> {
                    String hostIf =
                            record.map(EndpointRecord::hostIfName).orElse(HostNames.hostIfName(containerId, ifName));
                    host.dhcp().stop(key);
                    return observer.afterStep(StepObserver.REMOVE_MARK)
                            // the published ports first: no new flow is sent to a pod on its way out
                            .then(record.filter(r -> !r.ports().isEmpty())
                                    .map(r -> host.nat()
                                            .removePorts(
                                                    r.ports().stream()
                                                            .map(dev.podnet.dataplane.PortMapping::parse)
                                                            .toList(),
                                                    !r.address().isEmpty(),
                                                    !r.address6().isEmpty()))
                                    .orElse(Mono.empty()))
                            .then(deleter.delete(hostIf))
                            .then(record.filter(r -> !r.vmTap().isEmpty())
                                    .map(this::removeVmDevices)
                                    .orElse(Mono.empty()))
                            .then(observer.afterStep(StepObserver.REMOVE_DELETE_LINK))
                            .then(Mono.<Void>fromRunnable(() -> {
                                        for (AttachedNetwork n : networks.values()) {
                                            if (record.isEmpty()
                                                    || n.name()
                                                            .equals(record.get().network())) {
                                                n.releaseAll(containerId, ifName);
                                            }
                                        }
                                        host.store().endpoints().remove(key);
                                    })
                                    .subscribeOn(host.state()));
                })
                .onErrorMap(
                        e -> !(e instanceof InvalidSpecException),
                        e -> new EndpointOperationException("remove", key, e));
    }

    /**
     * A VM endpoint's tap stays in the sandbox when the veth goes: delete it too (its traffic control
     * goes with it), on the delete loop (a delete blocks its sender's thread for the kernel's grace
     * period, which must not be the host channel's loop).
     */
    private Mono<Void> removeVmDevices(EndpointRecord r) {
        NetNs ns = NetNs.ofPath(Path.of(r.netns()));
        return Mono.usingWhen(
                        host.netns().openRouteSocket(ns).flatMap(s -> NetlinkClient.open(deleteLoop, s)),
                        pod -> pod.execute(Links.deleteByName(r.vmTap()))
                                // a device already gone (ENODEV) is what the delete wants
                                .onErrorResume(EndpointSteps::isNoDevice, e -> Mono.empty()),
                        NetlinkClient::close)
                // the sandbox is gone, and its devices with it
                .onErrorResume(e -> e instanceof NetnsException, e -> Mono.empty());
    }

    /** Sets the MTU and adds routes of a live endpoint, as steps with undo. */
    Mono<EndpointRecord> update(String containerId, String ifName, EndpointUpdate change) {
        String key = EndpointRecord.key(containerId, ifName);
        return gate.limited(key, () -> new EndpointUpdater(host, loops).update(key, change));
    }

    /** Attaches an endpoint to a sandbox key (the kernel is not touched); another key fails while attached. */
    Mono<EndpointRecord> attach(String containerId, String ifName, String sandboxKey) {
        return updateRecord(containerId, ifName, r -> {
            if (!r.sandboxKey().isEmpty() && !r.sandboxKey().equals(sandboxKey)) {
                throw new InvalidSpecException(
                        "endpoint " + r.key() + " is attached to sandbox " + r.sandboxKey() + "; detach it first");
            }
            return r.withSandboxKey(sandboxKey);
        });
    }

    /** Detaches an endpoint from its sandbox; detaching a detached endpoint succeeds. */
    Mono<EndpointRecord> detach(String containerId, String ifName) {
        return updateRecord(containerId, ifName, r -> r.withSandboxKey(""));
    }

    private Mono<EndpointRecord> updateRecord(String containerId, String ifName, UnaryOperator<EndpointRecord> change) {
        String key = EndpointRecord.key(containerId, ifName);
        return gate.inTurn(
                key,
                () -> Mono.fromCallable(() -> {
                            String stored = host.store().endpoints().get(key);
                            if (stored == null) {
                                throw new InvalidSpecException("no endpoint " + key);
                            }
                            EndpointRecord updated = change.apply(EndpointRecord.decode(stored));
                            host.store().endpoints().put(key, updated.encode());
                            return updated;
                        })
                        .subscribeOn(host.state()));
    }

    /** Checks an endpoint against the kernel, reading only. */
    Mono<dev.podnet.dataplane.EndpointCheck> check(String containerId, String ifName) {
        String key = EndpointRecord.key(containerId, ifName);
        return get(containerId, ifName)
                .switchIfEmpty(Mono.error(new InvalidSpecException("no endpoint " + key)))
                .flatMap(r -> new EndpointChecker(host, loops, networks.get(r.network())).check(r));
    }

    /**
     * The endpoint a whole container id or an unambiguous prefix of one names with {@code ifName};
     * empty when none; an ambiguous prefix fails listing the candidates.
     */
    Mono<EndpointRecord> resolve(String containerId, String ifName) {
        return get(containerId, ifName).switchIfEmpty(Mono.defer(() -> {
            if (containerId == null || containerId.isEmpty()) {
                return Mono.empty();
            }
            return list().filter(
                            r -> r.ifName().equals(ifName) && r.containerId().startsWith(containerId))
                    .collectList()
                    .flatMap(found -> {
                        if (found.size() <= 1) {
                            return Mono.justOrEmpty(found.isEmpty() ? null : found.get(0));
                        }
                        return Mono.error(
                                new InvalidSpecException("container id '" + containerId + "' is ambiguous: it names "
                                        + found.stream()
                                                .map(EndpointRecord::id)
                                                .sorted()
                                                .collect(Collectors.joining(", "))
                                        + "; give more of it"));
                    });
        }));
    }

    /** The endpoint as recorded, or empty. */
    Mono<EndpointRecord> get(String containerId, String ifName) {
        return Mono.fromCallable(() -> host.store().endpoints().get(EndpointRecord.key(containerId, ifName)))
                .subscribeOn(host.state())
                .map(EndpointRecord::decode);
    }

    /** Every recorded endpoint. */
    Flux<EndpointRecord> list() {
        return Mono.fromCallable(() -> List.copyOf(host.store().endpoints().values()))
                .subscribeOn(host.state())
                .flatMapIterable(l -> l)
                .map(EndpointRecord::decode);
    }
}
