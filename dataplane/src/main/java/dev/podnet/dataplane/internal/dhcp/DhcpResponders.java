package dev.podnet.dataplane.internal.dhcp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/** The DHCP responders of one dataplane's VM endpoints, by endpoint key. */
public final class DhcpResponders implements AutoCloseable {
    private final Map<String, DhcpResponder> byEndpoint = new ConcurrentHashMap<>();

    /** Starts {@code key}'s responder (closing one it had). */
    public Mono<Void> start(String key, Supplier<Mono<DhcpResponder>> open) {
        return Mono.defer(open::get)
                .doOnNext(r -> {
                    DhcpResponder old = byEndpoint.put(key, r);
                    if (old != null) {
                        old.close();
                    }
                })
                .then();
    }

    /** Stops {@code key}'s responder, if it has one. */
    public void stop(String key) {
        DhcpResponder r = byEndpoint.remove(key);
        if (r != null) {
            r.close();
        }
    }

    /** {@code key}'s responder, or null. */
    public DhcpResponder get(String key) {
        return byEndpoint.get(key);
    }

    @Override
    public void close() {
        byEndpoint.keySet().forEach(this::stop);
    }
}
