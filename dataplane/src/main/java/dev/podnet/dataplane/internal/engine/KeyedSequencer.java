package dev.podnet.dataplane.internal.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Runs operations on the same key one after another, in the order they were started, while
 * operations on different keys run freely. An add and a remove of one endpoint never overlap.
 */
final class KeyedSequencer {
    private final ConcurrentHashMap<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    <T> Mono<T> run(String key, Supplier<Mono<T>> operation) {
        return Mono.defer(() -> {
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> previous = tails.put(key, mine);
            Mono<Void> before = previous == null ? Mono.empty() : Mono.fromFuture(previous);
            return before.then(Mono.defer(operation)).doFinally(s -> {
                tails.remove(key, mine);
                mine.complete(null);
            });
        });
    }

    /** True while an operation on {@code key} is running or queued. */
    boolean isActive(String key) {
        return tails.containsKey(key);
    }
}
