package dev.podnet.api;

import dev.podnet.dataplane.internal.engine.Engine;
import java.util.Map;

/** The address reservations of a {@link Dataplane}'s networks (host-local semantics). */
public final class Ipam {
    private final Engine engine;

    Ipam(Engine engine) {
        this.engine = engine;
    }

    /**
     * {@code network}'s reservations of both families, address → owner ({@code containerId/ifName}),
     * ordered by address text; empty for an unknown network.
     */
    public Map<String, String> reservations(String network) {
        return engine.reservations(network);
    }

    /** How many addresses {@code network} has reserved, both families (0 for an unknown network). */
    public int reservedCount(String network) {
        return engine.reservedCount(network);
    }
}
