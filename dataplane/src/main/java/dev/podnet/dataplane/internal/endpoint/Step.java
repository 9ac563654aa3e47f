package dev.podnet.dataplane.internal.endpoint;

import reactor.core.publisher.Mono;

/**
 * One step of an endpoint operation, with the undo that reverses it. An endpoint shape is a list
 * of steps; the caller runs them in order and, on a failure or a cancellation, undoes the
 * completed ones in reverse.
 *
 * @param <C> the operation's context, where steps leave what later steps and undos need
 */
public interface Step<C> {
    /** A short name, used in errors and by fault injection. */
    String name();

    /** Does the step. Cold: nothing happens until subscribed. */
    Mono<Void> apply(C context);

    /** Reverses a completed {@link #apply}; must tolerate what it undoes being gone already. */
    default Mono<Void> undo(C context) {
        return Mono.empty();
    }

    /** A step from two functions. */
    static <C> Step<C> of(
            String name,
            java.util.function.Function<C, Mono<Void>> apply,
            java.util.function.Function<C, Mono<Void>> undo) {
        return new Step<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Mono<Void> apply(C context) {
                return apply.apply(context);
            }

            @Override
            public Mono<Void> undo(C context) {
                return undo.apply(context);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
