package dev.podnet.dataplane.internal.engine;

import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The one wrapper every endpoint operation runs in: operations on one endpoint key run in the
 * order they were started ({@link KeyedSequencer}), at most {@code maxConcurrent} kernel-touching
 * operations run at once ({@link ConcurrencyLimiter}), and once started an operation runs to its
 * end (or its rollback) whatever its subscriber does: the returned Mono only observes it.
 */
final class OperationGate {
    private final KeyedSequencer sequencer = new KeyedSequencer();
    private final ConcurrencyLimiter limiter;

    OperationGate(int maxConcurrent) {
        this.limiter = new ConcurrencyLimiter(maxConcurrent);
    }

    /** Runs {@code work} for {@code key} in turn and within the concurrency limit. */
    <T> Mono<T> limited(String key, Supplier<Mono<T>> work) {
        return detached(sequencer.run(
                key, () -> limiter.acquire().then(Mono.defer(work)).doFinally(s -> limiter.release())));
    }

    /** Runs {@code work} for {@code key} in turn, outside the limit (a record change, no kernel work). */
    <T> Mono<T> inTurn(String key, Supplier<Mono<T>> work) {
        return detached(sequencer.run(key, work));
    }

    /** True while an operation on {@code key} is queued or running. */
    boolean isActive(String key) {
        return sequencer.isActive(key);
    }

    /** Runs {@code work} to its end whatever the subscriber does; the returned Mono only observes it. */
    static <T> Mono<T> detached(Mono<T> work) {
        Sinks.One<T> result = Sinks.one();
        work.subscribe(v -> result.tryEmitValue(v), result::tryEmitError, result::tryEmitEmpty);
        return result.asMono();
    }
}
