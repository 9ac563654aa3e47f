package dev.podnet.api;

import dev.podnet.dataplane.netns.NetNs;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to open a {@link Dataplane}.
 *
 * @param hostNetns      the namespace that plays "host" (bridges and host veth ends live there);
 *                       null for the process's own. Tests and demos always give a sandbox here.
 * @param stateDir       where the persisted state lives
 * @param maxConcurrent  endpoint operations in flight at once; more wait their turn
 * @param eventLoops     epoll event-loop threads driving the netlink channels
 * @param maxEndpoints   sizing of the state maps
 * @param observer       fault-injection hook ({@link StepObserver#NONE} in production)
 * @param clearOnReboot  after a reboot, forget the networks too instead of re-creating them
 */
public record DataplaneOptions(NetNs hostNetns, Path stateDir, int maxConcurrent, int eventLoops, int maxEndpoints,
                               StepObserver observer, boolean clearOnReboot) {
    public DataplaneOptions {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(observer, "observer");
        if (maxConcurrent < 1) {
            throw new InvalidSpecException("maxConcurrent must be at least 1, got " + maxConcurrent);
        }
        if (eventLoops < 1) {
            throw new InvalidSpecException("eventLoops must be at least 1, got " + eventLoops);
        }
        if (maxEndpoints < 16) {
            throw new InvalidSpecException("maxEndpoints must be at least 16, got " + maxEndpoints);
        }
    }

    /** State under {@code stateDir}, the process's own namespace as host, 64 operations in flight. */
    public static DataplaneOptions of(Path stateDir) {
        return new DataplaneOptions(null, stateDir, 64, 1, 65536, StepObserver.NONE, false);
    }

    public DataplaneOptions hostNetns(NetNs ns) {
        return new DataplaneOptions(ns, stateDir, maxConcurrent, eventLoops, maxEndpoints, observer, clearOnReboot);
    }

    public DataplaneOptions maxConcurrent(int n) {
        return new DataplaneOptions(hostNetns, stateDir, n, eventLoops, maxEndpoints, observer, clearOnReboot);
    }

    public DataplaneOptions eventLoops(int n) {
        return new DataplaneOptions(hostNetns, stateDir, maxConcurrent, n, maxEndpoints, observer, clearOnReboot);
    }

    public DataplaneOptions maxEndpoints(int n) {
        return new DataplaneOptions(hostNetns, stateDir, maxConcurrent, eventLoops, n, observer, clearOnReboot);
    }

    public DataplaneOptions clearOnReboot(boolean on) {
        return new DataplaneOptions(hostNetns, stateDir, maxConcurrent, eventLoops, maxEndpoints, observer, on);
    }

    public DataplaneOptions observer(StepObserver o) {
        return new DataplaneOptions(hostNetns, stateDir, maxConcurrent, eventLoops, maxEndpoints, o, clearOnReboot);
    }
}
