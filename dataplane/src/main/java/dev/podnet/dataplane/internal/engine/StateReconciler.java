package dev.podnet.dataplane.internal.engine;

import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.ReconcileReport;
import dev.podnet.dataplane.internal.endpoint.AttachedNetwork;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import dev.podnet.dataplane.internal.endpoint.EndpointSteps;
import dev.podnet.dataplane.internal.endpoint.HostContext;
import dev.podnet.dataplane.internal.endpoint.HostNames;
import dev.podnet.dataplane.internal.ipam.AddressAllocator;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.netlink.route.LinkMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

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
 * In a dry run nothing is changed and the report says what would be done. What the kernel holds
 * (the tagged host links, the pinned namespaces, a sandbox's interfaces, addresses and routes) is
 * read by {@link KernelSurvey}; this class decides what to do about it, and does it.
 */
final class StateReconciler {
    private final HostContext host;
    private final Map<String, AttachedNetwork> networks;
    private final Predicate<String> inFlight;
    private final List<Path> netnsDirs;
    private final KernelSurvey survey;

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
        this.survey = new KernelSurvey(host, netnsDirs);
    }

    Mono<ReconcileReport> run(boolean dryRun) {
        List<String> actions = new CopyOnWriteArrayList<>();
        List<String> notes = new CopyOnWriteArrayList<>();
        return Mono.zip(readRecords(actions, dryRun), survey.taggedLinks()).flatMap(t -> {
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
                    : survey.namespacesById().cache();
            for (LinkMessage orphan : orphans) {
                work.add(adoptOrDelete(orphan, namespaces, actions, notes, dryRun));
            }
            work.add(releaseUnowned(actions, dryRun));
            // the published ports of the endpoints that stay (READY, their link there)
            List<EndpointRecord> staying = records.values().stream()
                    .filter(r -> r.state() == EndpointState.READY && tagged.containsKey(r.key()))
                    .toList();
            work.add(Mono.defer(() -> host.nat()
                            .reconcile(
                                    staying,
                                    networks.values().stream()
                                            .map(AttachedNetwork::record)
                                            .toList(),
                                    inFlight,
                                    dryRun))
                    .doOnNext(actions::addAll)
                    .onErrorResume(e -> {
                        notes.add("published ports not reconciled: " + e.getMessage());
                        return Mono.empty();
                    })
                    .then());
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

    /**
     * A tagged link without a record: left alone when its network is not attached here (or its
     * sandbox cannot be read now), adopted when {@link KernelSurvey#sandbox} rebuilds its record,
     * deleted otherwise.
     */
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
            return survey.sandbox(link, tag, n, netns)
                    .map(Optional::of)
                    // a sandbox that cannot be read now is no proof the endpoint is broken: leave it be
                    .onErrorResume(e -> {
                        notes.add("left " + what + " alone: its sandbox " + netns + " could not be read: "
                                + e.getMessage());
                        return Mono.just(Optional.empty());
                    })
                    .flatMap(o -> o.isEmpty()
                            ? Mono.<Void>empty()
                            : o.map(found -> found.record() == null
                                            ? Mono.fromRunnable(() ->
                                                            actions.add("deleted orphan " + what + ": " + found.why()))
                                                    .then(deleteLink(link, dryRun))
                                            : adopt(found.record(), n, what, link, actions, dryRun))
                                    .get());
        });
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
                            // the record's own addresses (a network's family without one is refused)
                            n.reserve(
                                    r.containerId(),
                                    r.ifName(),
                                    n.allocator() == null
                                            ? null
                                            : Cidr.parse(r.address()).address(),
                                    n.allocator6() == null
                                            ? null
                                            : Cidr.parse(r.address6()).address());
                        } catch (RuntimeException e) {
                            actions.add("deleted orphan " + what + ": " + e.getMessage());
                            return false;
                        }
                        host.store().endpoints().put(r.key(), r.encode());
                    }
                    actions.add("adopted " + what + ": "
                            + String.join(
                                    " and ",
                                    Stream.of(r.address(), r.address6())
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
