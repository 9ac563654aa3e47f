package dev.podnet.api;

import dev.podnet.dataplane.netns.NetNs;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How to open a {@link Dataplane}.
 *
 * @param hostNetns       the namespace that plays "host" (bridges and host veth ends live there);
 *                        null for the process's own. Tests and demos always give a sandbox here.
 * @param stateDir        where the persisted state lives; null for stateless mode (nothing on disk:
 *                        networks are declared again after each start, endpoints and reservations
 *                        are rebuilt from the kernel's tags)
 * @param maxConcurrent   endpoint operations in flight at once; more wait their turn
 * @param eventLoops      epoll event-loop threads driving the netlink channels of checks and events (the
 *                        host channel has a thread of its own, which also configures the pods:
 *                        {@link dev.podnet.dataplane.netns.RtnlExecutor})
 * @param maxEndpoints    sizing of the state maps
 * @param observer        fault-injection hook ({@link StepObserver#NONE} in production)
 * @param clearOnReboot   after a reboot, forget the networks too instead of re-creating them
 * @param reconcileOnOpen reconcile records, IPAM and kernel when opening (and when a network is
 *                        created); off only to inspect a state as a crash left it
 * @param netnsDirs       where pod namespaces are pinned, searched when an endpoint is rebuilt from
 *                        its kernel tag (its record lost) to find its namespace's path
 * @param lockWait        how long to wait for another process to release the state directory
 * @param readOnly        inspect only (a dry run): nothing is created, changed or written, in the
 *                        kernel or the state directory; every changing operation fails
 */
public record DataplaneOptions(NetNs hostNetns, Path stateDir, int maxConcurrent, int eventLoops, int maxEndpoints,
                               StepObserver observer, boolean clearOnReboot, boolean reconcileOnOpen, List<Path> netnsDirs,
                               java.time.Duration lockWait, boolean readOnly) {
    /** Default {@link #lockWait}: as long as host-local's file lock would make a CNI call wait. */
    public static final java.time.Duration DEFAULT_LOCK_WAIT = java.time.Duration.ofSeconds(30);

    /** Where runtimes pin pod namespaces: {@code ip netns} and CNI runtimes, and Docker. */
    public static final List<Path> DEFAULT_NETNS_DIRS = List.of(Path.of("/run/netns"), Path.of("/var/run/docker/netns"));

    public DataplaneOptions {
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(lockWait, "lockWait");
        if (lockWait.isNegative()) {
            throw new InvalidSpecException("lockWait must not be negative, got " + lockWait);
        }
        netnsDirs = List.copyOf(netnsDirs);
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
        return new DataplaneOptions(null, Objects.requireNonNull(stateDir, "stateDir"), 64, 1, 65536, StepObserver.NONE,
                false, true, DEFAULT_NETNS_DIRS,
                DEFAULT_LOCK_WAIT, false);
    }

    /**
     * No state on disk: the kernel's tags are the only record. Networks must be created again after
     * each start (as a CNI runtime passes its network configuration on every call); creating one
     * adopts the endpoints the kernel holds for it.
     */
    public static DataplaneOptions stateless() {
        return new DataplaneOptions(null, null, 64, 1, 65536, StepObserver.NONE, false, true, DEFAULT_NETNS_DIRS,
                DEFAULT_LOCK_WAIT, false);
    }

    /** True without a state directory. */
    public boolean isStateless() {
        return stateDir == null;
    }

    public DataplaneOptions hostNetns(NetNs ns) {
        return new DataplaneOptions(ns, stateDir, maxConcurrent, eventLoops, maxEndpoints, observer, clearOnReboot,
                reconcileOnOpen, netnsDirs, lockWait, readOnly);
    }

    public DataplaneOptions maxConcurrent(int n) {
        return new DataplaneOptions(hostNetns, stateDir, n, eventLoops, maxEndpoints, observer, clearOnReboot,
                reconcileOnOpen, netnsDirs, lockWait, readOnly);
    }

    public DataplaneOptions eventLoops(int n) {
        return new DataplaneOptions(hostNetns, stateDir, maxConcurrent, n, maxEndpoints, observer, clearOnReboot,
                reconcileOnOpen, netnsDirs, lockWait, readOnly);
    }

    public DataplaneOptions maxEndpoints(int n) {
        return new DataplaneOptions(hostNetns, stateDir, maxConcurrent, eventLoops, n, observer, clearOnReboot,
                reconcileOnOpen, netnsDirs, lockWait, readOnly);
    }

    public DataplaneOptions clearOnReboot(boolean on) {
        return new DataplaneOptions(hostNetns, stateDir, maxConcurrent, eventLoops, maxEndpoints, observer, on,
                reconcileOnOpen, netnsDirs, lockWait, readOnly);
    }

    public DataplaneOptions observer(StepObserver o) {
        return new DataplaneOptions(hostNetns, stateDir, maxConcurrent, eventLoops, maxEndpoints, o, clearOnReboot,
                reconcileOnOpen, netnsDirs, lockWait, readOnly);
    }

    public DataplaneOptions reconcileOnOpen(boolean on) {
        return new DataplaneOptions(hostNetns, stateDir, maxConcurrent, eventLoops, maxEndpoints, observer, clearOnReboot,
                on, netnsDirs, lockWait, readOnly);
    }

    public DataplaneOptions netnsDirs(List<Path> dirs) {
        return new DataplaneOptions(hostNetns, stateDir, maxConcurrent, eventLoops, maxEndpoints, observer, clearOnReboot,
                reconcileOnOpen, dirs, lockWait, readOnly);
    }

    /** How long to wait for another process to release the state directory (0: fail at once). */
    public DataplaneOptions lockWait(java.time.Duration wait) {
        return new DataplaneOptions(hostNetns, stateDir, maxConcurrent, eventLoops, maxEndpoints, observer, clearOnReboot,
                reconcileOnOpen, netnsDirs, wait, readOnly);
    }

    /** Inspect only: see {@link #readOnly}. */
    public DataplaneOptions readOnly(boolean on) {
        return new DataplaneOptions(hostNetns, stateDir, maxConcurrent, eventLoops, maxEndpoints, observer, clearOnReboot,
                reconcileOnOpen, netnsDirs, lockWait, on);
    }
}
