package dev.podnet.api;

import reactor.core.publisher.Mono;

/**
 * Called after each completed step of an endpoint add: a test hook for injecting failures and
 * delays at every step boundary. Production code uses {@link #NONE}.
 */
@FunctionalInterface
public interface StepObserver {
    StepObserver NONE = step -> Mono.empty();

    /** Completes to continue, errors to make the add fail right after {@code step}. */
    Mono<Void> afterStep(String step);
}
