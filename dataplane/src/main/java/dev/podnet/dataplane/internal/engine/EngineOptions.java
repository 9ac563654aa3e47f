package dev.podnet.dataplane.internal.engine;

import dev.podnet.dataplane.netns.NetNs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The engine's settings, validated by the API's {@code DataplaneOptions} that builds them (see its
 * Javadoc for each field); {@code observer} is the fault-injection hook of the tests and the crash
 * harness ({@link StepObserver#NONE} otherwise).
 */
public record EngineOptions(
        NetNs hostNetns,
        Path stateDir,
        int maxConcurrent,
        int eventLoops,
        int maxEndpoints,
        StepObserver observer,
        boolean clearOnReboot,
        boolean reconcileOnOpen,
        List<Path> netnsDirs,
        Duration lockWait,
        boolean readOnly) {
    public EngineOptions {
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(lockWait, "lockWait");
        netnsDirs = List.copyOf(netnsDirs);
    }

    /** True when nothing is kept on disk. */
    public boolean isStateless() {
        return stateDir == null;
    }
}
