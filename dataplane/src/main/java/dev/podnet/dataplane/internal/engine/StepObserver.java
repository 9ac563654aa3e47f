package dev.podnet.dataplane.internal.engine;

import reactor.core.publisher.Mono;

/**
 * Called after each completed step of an endpoint add: a test hook for injecting failures and
 * delays at every step boundary. Production code uses {@link #NONE}.
 */
@FunctionalInterface
public interface StepObserver {
    StepObserver NONE = step -> Mono.empty();

    /** The stage of a remove after its record is marked DELETING. */
    String REMOVE_MARK = "mark-deleting";
    /** The stage of a remove after its link is deleted. */
    String REMOVE_DELETE_LINK = "delete-link";

    /** Completes to continue, errors to make the add fail right after {@code step}. */
    Mono<Void> afterStep(String step);
}
