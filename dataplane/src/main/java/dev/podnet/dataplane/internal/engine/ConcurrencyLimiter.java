package dev.podnet.dataplane.internal.engine;

import java.util.ArrayDeque;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A non-blocking counting semaphore: {@link #acquire()} completes when a permit is free. Only the
 * dataplane's detached operations acquire, and they are never cancelled, so a waiter never leaves
 * the queue early.
 */
final class ConcurrencyLimiter {
    private final int permits;
    private final ArrayDeque<MonoSink<Void>> waiting = new ArrayDeque<>();
    private int inUse;

    ConcurrencyLimiter(int permits) {
        this.permits = permits;
    }

    /** Completes once a permit is held; the holder must call {@link #release()} exactly once. */
    Mono<Void> acquire() {
        return Mono.create(sink -> {
            boolean granted;
            synchronized (this) {
                granted = inUse < permits;
                if (granted) {
                    inUse++;
                } else {
                    waiting.add(sink);
                }
            }
            if (granted) {
                sink.success();
            }
        });
    }

    void release() {
        MonoSink<Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inUse--;
            }
        }
        if (next != null) {
            // the permit passes straight to the next waiter
            next.success();
        }
    }
}
