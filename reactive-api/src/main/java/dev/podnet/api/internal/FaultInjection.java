package dev.podnet.api.internal;

import dev.podnet.api.DataplaneOptions;
import dev.podnet.dataplane.internal.engine.StepObserver;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Not API: the fault-injection hook of podnet's own crash harness, which kills a dataplane between
 * the steps of an operation. {@link DataplaneOptions} installs the accessor when it is loaded.
 */
public final class FaultInjection {
    private static volatile BiFunction<DataplaneOptions, StepObserver, DataplaneOptions> access;

    private FaultInjection() {}

    /** Called once, by {@link DataplaneOptions}. */
    public static void install(BiFunction<DataplaneOptions, StepObserver, DataplaneOptions> accessor) {
        if (access != null) {
            throw new IllegalStateException("already installed");
        }
        access = Objects.requireNonNull(accessor);
    }

    /** {@code options} with {@code observer} told of every step as it completes. */
    public static DataplaneOptions withObserver(DataplaneOptions options, StepObserver observer) {
        // options is loaded, so its static initialiser has installed the accessor
        return access.apply(Objects.requireNonNull(options), observer);
    }
}
