package dev.podnet.api;

import dev.podnet.dataplane.endpoint.AttachedNetwork;
import dev.podnet.dataplane.endpoint.EndpointRecord;
import dev.podnet.dataplane.endpoint.EndpointState;
import dev.podnet.dataplane.endpoint.EndpointSteps;
import dev.podnet.dataplane.endpoint.HostContext;
import dev.podnet.dataplane.link.Links;
import dev.podnet.netlink.route.LinkMessage;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Brings the records, the IPAM and the kernel back into agreement after a crash:
 * <ul>
 * <li>a record still CREATING or DELETING (an add or remove cut short) is rolled back: its host
 * link deleted, its addresses released, the record dropped;</li>
 * <li>a READY record whose host link has vanished is reported and released;</li>
 * <li>a host link tagged {@code podnet:<key>} with no record is an orphan and is deleted;</li>
 * <li>a reservation whose owner has no record is released.</li>
 * </ul>
 * In a dry run nothing is changed and the report says what would be done.
 */
final class Reconciler {
    private static final String TAG = "podnet:";

    private final HostContext host;
    private final Map<String, AttachedNetwork> networks;
    private final java.util.function.Predicate<String> inFlight;

    /** @param inFlight endpoints with an operation running: their CREATING state is no leftover, leave them be */
    Reconciler(HostContext host, Map<String, AttachedNetwork> networks, java.util.function.Predicate<String> inFlight) {
        this.host = host;
        this.networks = networks;
        this.inFlight = inFlight;
    }

    Mono<ReconcileReport> run(boolean dryRun) {
        List<String> actions = new CopyOnWriteArrayList<>();
        return Mono.zip(
                        Mono.fromCallable(() -> {
                            Map<String, EndpointRecord> records = new HashMap<>();
                            host.store().endpoints().forEach((k, v) -> records.put(k, EndpointRecord.decode(v)));
                            return records;
                        }).subscribeOn(host.state()),
                        host.rtnl().dump(Links.dumpAll()).cast(LinkMessage.class)
                                .filter(l -> l.alias() != null && l.alias().startsWith(TAG))
                                .collectMap(l -> l.alias().substring(TAG.length()), l -> l))
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
                            actions.add("released " + r.key() + ": its host link " + r.hostIfName() + " has vanished" + released(r));
                            work.add(forget(r, dryRun));
                        }
                    }
                    for (Map.Entry<String, LinkMessage> e : tagged.entrySet()) {
                        if (!records.containsKey(e.getKey()) && !inFlight.test(e.getKey())) {
                            actions.add("deleted orphan link " + e.getValue().name() + " (tagged " + TAG + e.getKey() + ", no record)");
                            work.add(deleteLink(e.getValue(), dryRun));
                        }
                    }
                    work.add(releaseUnowned(records, actions, dryRun));
                    return Flux.concat(work).then(Mono.fromSupplier(() -> new ReconcileReport(dryRun, records.size(), actions)));
                });
    }

    private static String released(EndpointRecord r) {
        return r.address().isEmpty() ? "" : ", released " + r.address()
                + (r.address6().isEmpty() ? "" : " and " + r.address6());
    }

    private Mono<Void> deleteLink(LinkMessage link, boolean dryRun) {
        if (link == null || dryRun) {
            return Mono.empty();
        }
        return host.rtnl().execute(Links.deleteByName(link.name())).onErrorResume(EndpointSteps::isNoDevice, e -> Mono.empty());
    }

    /** Releases the record's addresses and drops the record. */
    private Mono<Void> forget(EndpointRecord r, boolean dryRun) {
        if (dryRun) {
            return Mono.empty();
        }
        return Mono.<Void>fromRunnable(() -> {
            AttachedNetwork n = networks.get(r.network());
            if (n != null) {
                n.allocator().release(r.containerId(), r.ifName());
                if (n.allocator6() != null) {
                    n.allocator6().release(r.containerId(), r.ifName());
                }
            }
            host.store().endpoints().remove(r.key());
        }).subscribeOn(host.state());
    }

    private Mono<Void> releaseUnowned(Map<String, EndpointRecord> records, List<String> actions, boolean dryRun) {
        return Mono.<Void>fromRunnable(() -> {
            for (AttachedNetwork n : networks.values()) {
                for (var allocator : n.allocator6() == null ? List.of(n.allocator()) : List.of(n.allocator(), n.allocator6())) {
                    allocator.reservations().forEach((owner, address) -> {
                        if (!records.containsKey(owner) && !inFlight.test(owner)) {
                            actions.add("released " + address + " on " + n.name() + ": reserved for " + owner + ", which has no record");
                            if (!dryRun) {
                                int slash = owner.lastIndexOf('/');
                                allocator.release(owner.substring(0, slash), owner.substring(slash + 1));
                            }
                        }
                    });
                }
            }
        }).subscribeOn(host.state());
    }
}
