package dev.podnet.api;

import dev.podnet.dataplane.ReconcileReport;
import dev.podnet.dataplane.internal.engine.Engine;
import reactor.core.publisher.Mono;

/**
 * Brings a {@link Dataplane}'s records, IPAM and kernel back into agreement: rolls back operations
 * cut short (a crash), releases endpoints whose links vanished, deletes orphan tagged links,
 * releases reservations without a record. The dataplane does this on open unless told not to
 * ({@link DataplaneOptions#reconcileOnOpen(boolean)}).
 */
public final class Reconciler {
    private final Engine engine;

    Reconciler(Engine engine) {
        this.engine = engine;
    }

    /**
     * Reconciles now; with {@code dryRun} nothing changes and the report says what would. Endpoints
     * with an operation in flight are left alone.
     */
    public Mono<ReconcileReport> run(boolean dryRun) {
        return engine.reconcile(dryRun);
    }

    /** What the reconciliation on open found and did; null when it was turned off. */
    public ReconcileReport openReport() {
        return engine.openReport();
    }

    /** Why the state's map files were started afresh on open (damaged files moved aside), or null. */
    public String stateDamaged() {
        return engine.stateDamaged();
    }

    /** True when the state was written during an earlier boot (endpoints dropped, networks re-created on open). */
    public boolean openedAfterReboot() {
        return engine.openedAfterReboot();
    }
}
