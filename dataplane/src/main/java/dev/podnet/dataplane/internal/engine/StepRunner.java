package dev.podnet.dataplane.internal.engine;

import dev.podnet.dataplane.internal.endpoint.Step;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import reactor.core.publisher.Mono;

/**
 * Runs a step list with rollback: each completed step's undo is remembered; a failure, or a
 * cancellation noticed between steps, runs the undos in reverse. A step is never cut in the
 * middle, so its undo always knows what it has to reverse; a step that fails is not undone here,
 * so a step made of several kernel requests must clean up after itself before failing.
 */
final class StepRunner {
    private StepRunner() {}

    /**
     * @param cancelled polled between steps; when true the run stops and rolls back with a
     *                  {@link CancellationException}
     */
    static <C> Mono<Void> run(List<Step<C>> steps, C context, StepObserver observer, BooleanSupplier cancelled) {
        return Mono.defer(() -> {
            Deque<Step<C>> done = new ArrayDeque<>();
            Mono<Void> chain = Mono.empty();
            for (Step<C> step : steps) {
                chain = chain.then(Mono.defer(() -> cancelled.getAsBoolean()
                                ? Mono.<Void>error(new CancellationException("cancelled before step " + step.name()))
                                : step.apply(context)))
                        .then(Mono.fromRunnable(() -> done.push(step)))
                        .then(Mono.defer(() -> observer.afterStep(step.name())));
            }
            return chain.then(Mono.defer(() -> cancelled.getAsBoolean()
                            ? Mono.<Void>error(new CancellationException("cancelled after the last step"))
                            : Mono.<Void>empty()))
                    .onErrorResume(e -> undoAll(done, context, e).then(Mono.error(e)));
        });
    }

    /** Undoes in reverse; an undo that fails is attached to the original error and the rest still run. */
    private static <C> Mono<Void> undoAll(Deque<Step<C>> done, C context, Throwable cause) {
        Mono<Void> chain = Mono.empty();
        while (!done.isEmpty()) {
            Step<C> step = done.pop();
            chain = chain.then(Mono.defer(() -> step.undo(context)).onErrorResume(e -> {
                cause.addSuppressed(
                        new IllegalStateException("undo of " + step.name() + " failed: " + e.getMessage(), e));
                return Mono.empty();
            }));
        }
        return chain;
    }
}
