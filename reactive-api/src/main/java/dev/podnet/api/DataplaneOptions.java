package dev.podnet.api;

import dev.podnet.api.internal.FaultInjection;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.internal.engine.EngineOptions;
import dev.podnet.dataplane.internal.engine.StepObserver;
import dev.podnet.dataplane.netns.NetNs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to open a {@link Dataplane}: immutable, each {@code withX}-style method returns a copy.
 *
 * <pre>{@code
 * DataplaneOptions.of(Path.of("/var/lib/podnet")).hostNetns(NetNs.named("sandbox")).maxConcurrent(32)
 * }</pre>
 */
public final class DataplaneOptions {
    /** Default {@link #lockWait}: as long as host-local's file lock would make a CNI call wait. */
    public static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(30);

    /** Where runtimes pin pod namespaces: {@code ip netns} and CNI runtimes, and Docker. */
    public static final List<Path> DEFAULT_NETNS_DIRS =
            List.of(Path.of("/run/netns"), Path.of("/var/run/docker/netns"));

    static {
        FaultInjection.install(DataplaneOptions::withObserver);
    }

    private final NetNs hostNetns;
    private final Path stateDir;
    private final int maxConcurrent;
    private final int eventLoops;
    private final int maxEndpoints;
    private final StepObserver observer;
    private final boolean clearOnReboot;
    private final boolean reconcileOnOpen;
    private final List<Path> netnsDirs;
    private final Duration lockWait;
    private final boolean readOnly;

    private DataplaneOptions(
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
        Objects.requireNonNull(lockWait, "lockWait");
        if (lockWait.isNegative()) {
            throw new InvalidSpecException("lockWait must not be negative, got " + lockWait);
        }
        if (maxConcurrent < 1) {
            throw new InvalidSpecException("maxConcurrent must be at least 1, got " + maxConcurrent);
        }
        if (eventLoops < 1) {
            throw new InvalidSpecException("eventLoops must be at least 1, got " + eventLoops);
        }
        if (maxEndpoints < 16) {
            throw new InvalidSpecException("maxEndpoints must be at least 16, got " + maxEndpoints);
        }
        this.hostNetns = hostNetns;
        this.stateDir = stateDir;
        this.maxConcurrent = maxConcurrent;
        this.eventLoops = eventLoops;
        this.maxEndpoints = maxEndpoints;
        this.observer = Objects.requireNonNull(observer, "observer");
        this.clearOnReboot = clearOnReboot;
        this.reconcileOnOpen = reconcileOnOpen;
        this.netnsDirs = List.copyOf(netnsDirs);
        this.lockWait = lockWait;
        this.readOnly = readOnly;
    }

    /** State under {@code stateDir}, the process's own namespace as host, 64 operations in flight. */
    public static DataplaneOptions of(Path stateDir) {
        return new DataplaneOptions(
                null,
                Objects.requireNonNull(stateDir, "stateDir"),
                64,
                1,
                65536,
                StepObserver.NONE,
                false,
                true,
                DEFAULT_NETNS_DIRS,
                DEFAULT_LOCK_WAIT,
                false);
    }

    /**
     * No state on disk: the kernel's tags are the only record. Networks must be created again after
     * each start (as a CNI runtime passes its network configuration on every call); creating one
     * adopts the endpoints the kernel holds for it.
     */
    public static DataplaneOptions stateless() {
        return new DataplaneOptions(
                null, null, 64, 1, 65536, StepObserver.NONE, false, true, DEFAULT_NETNS_DIRS, DEFAULT_LOCK_WAIT, false);
    }

    /**
     * The namespace that plays "host" (bridges and host veth ends live there); null for the
     * process's own. Tests and demos always give a sandbox here.
     */
    public NetNs hostNetns() {
        return hostNetns;
    }

    /** Where the persisted state lives; null in stateless mode. */
    public Path stateDir() {
        return stateDir;
    }

    /** True without a state directory. */
    public boolean isStateless() {
        return stateDir == null;
    }

    /** Endpoint operations in flight at once; more wait their turn. */
    public int maxConcurrent() {
        return maxConcurrent;
    }

    /**
     * Epoll event-loop threads driving the netlink channels of checks and events (the host channel
     * has a thread of its own, which also configures the pods).
     */
    public int eventLoops() {
        return eventLoops;
    }

    /** Sizing of the state maps. */
    public int maxEndpoints() {
        return maxEndpoints;
    }

    /** After a reboot, forget the networks too instead of re-creating them. */
    public boolean clearOnReboot() {
        return clearOnReboot;
    }

    /**
     * Reconcile records, IPAM and kernel when opening (and when a network is created); off only to
     * inspect a state as a crash left it.
     */
    public boolean reconcileOnOpen() {
        return reconcileOnOpen;
    }

    /**
     * Where pod namespaces are pinned, searched when an endpoint is rebuilt from its kernel tag (its
     * record lost) to find its namespace's path.
     */
    public List<Path> netnsDirs() {
        return netnsDirs;
    }

    /** How long to wait for another process to release the state directory. */
    public Duration lockWait() {
        return lockWait;
    }

    /**
     * Inspect only (a dry run): nothing is created, changed or written, in the kernel or the state
     * directory; every changing operation fails.
     */
    public boolean readOnly() {
        return readOnly;
    }

    /** {@link #hostNetns()}. */
    public DataplaneOptions hostNetns(NetNs ns) {
        return new DataplaneOptions(
                ns,
                stateDir,
                maxConcurrent,
                eventLoops,
                maxEndpoints,
                observer,
                clearOnReboot,
                reconcileOnOpen,
                netnsDirs,
                lockWait,
                readOnly);
    }

    /** {@link #maxConcurrent()}, at least 1. */
    public DataplaneOptions maxConcurrent(int n) {
        return new DataplaneOptions(
                hostNetns,
                stateDir,
                n,
                eventLoops,
                maxEndpoints,
                observer,
                clearOnReboot,
                reconcileOnOpen,
                netnsDirs,
                lockWait,
                readOnly);
    }

    /** {@link #eventLoops()}, at least 1. */
    public DataplaneOptions eventLoops(int n) {
        return new DataplaneOptions(
                hostNetns,
                stateDir,
                maxConcurrent,
                n,
                maxEndpoints,
                observer,
                clearOnReboot,
                reconcileOnOpen,
                netnsDirs,
                lockWait,
                readOnly);
    }

    /** {@link #maxEndpoints()}, at least 16. */
    public DataplaneOptions maxEndpoints(int n) {
        return new DataplaneOptions(
                hostNetns,
                stateDir,
                maxConcurrent,
                eventLoops,
                n,
                observer,
                clearOnReboot,
                reconcileOnOpen,
                netnsDirs,
                lockWait,
                readOnly);
    }

    /** {@link #clearOnReboot()}. */
    public DataplaneOptions clearOnReboot(boolean on) {
        return new DataplaneOptions(
                hostNetns,
                stateDir,
                maxConcurrent,
                eventLoops,
                maxEndpoints,
                observer,
                on,
                reconcileOnOpen,
                netnsDirs,
                lockWait,
                readOnly);
    }

    /** {@link #reconcileOnOpen()}. */
    public DataplaneOptions reconcileOnOpen(boolean on) {
        return new DataplaneOptions(
                hostNetns,
                stateDir,
                maxConcurrent,
                eventLoops,
                maxEndpoints,
                observer,
                clearOnReboot,
                on,
                netnsDirs,
                lockWait,
                readOnly);
    }

    /** {@link #netnsDirs()}. */
    public DataplaneOptions netnsDirs(List<Path> dirs) {
        return new DataplaneOptions(
                hostNetns,
                stateDir,
                maxConcurrent,
                eventLoops,
                maxEndpoints,
                observer,
                clearOnReboot,
                reconcileOnOpen,
                dirs,
                lockWait,
                readOnly);
    }

    /** How long to wait for another process to release the state directory (0: fail at once). */
    public DataplaneOptions lockWait(Duration wait) {
        return new DataplaneOptions(
                hostNetns,
                stateDir,
                maxConcurrent,
                eventLoops,
                maxEndpoints,
                observer,
                clearOnReboot,
                reconcileOnOpen,
                netnsDirs,
                wait,
                readOnly);
    }

    /** Inspect only: see {@link #readOnly()}. */
    public DataplaneOptions readOnly(boolean on) {
        return new DataplaneOptions(
                hostNetns,
                stateDir,
                maxConcurrent,
                eventLoops,
                maxEndpoints,
                observer,
                clearOnReboot,
                reconcileOnOpen,
                netnsDirs,
                lockWait,
                on);
    }

    /** The fault-injection hook: not public API (tests, and the crash harness through {@link FaultInjection}). */
    DataplaneOptions withObserver(StepObserver o) {
        return new DataplaneOptions(
                hostNetns,
                stateDir,
                maxConcurrent,
                eventLoops,
                maxEndpoints,
                o,
                clearOnReboot,
                reconcileOnOpen,
                netnsDirs,
                lockWait,
                readOnly);
    }

    EngineOptions engineOptions() {
        return new EngineOptions(
                hostNetns,
                stateDir,
                maxConcurrent,
                eventLoops,
                maxEndpoints,
                observer,
                clearOnReboot,
                reconcileOnOpen,
                netnsDirs,
                lockWait,
                readOnly);
    }

    @Override
    public String toString() {
        return "DataplaneOptions[hostNetns=" + hostNetns + ", stateDir=" + stateDir + ", maxConcurrent=" + maxConcurrent
                + ", eventLoops=" + eventLoops + ", maxEndpoints=" + maxEndpoints + ", clearOnReboot=" + clearOnReboot
                + ", reconcileOnOpen=" + reconcileOnOpen + ", netnsDirs=" + netnsDirs + ", lockWait=" + lockWait
                + ", readOnly=" + readOnly + "]";
    }
}
