package dev.podnet.dataplane;

import java.util.List;

/**
 * What a reconciliation ({@code dp.reconciler().run(dryRun)}) found and did (or, in a dry run, would do): one sentence per
 * action, e.g. {@code "rolled back c1/eth0 (CREATING): deleted link pn1a2b3c4d5e6f, released 198.18.0.4"},
 * and notes on what it saw and left alone (a tagged link of a network not attached here).
 */
public record ReconcileReport(boolean dryRun, int endpointsChecked, List<String> actions, List<String> notes) {
    public ReconcileReport {
        actions = List.copyOf(actions);
        notes = List.copyOf(notes);
    }

    /** True when nothing had to be done. */
    public boolean clean() {
        return actions.isEmpty();
    }
}
