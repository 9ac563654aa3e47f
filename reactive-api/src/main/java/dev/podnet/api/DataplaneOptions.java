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
import java.util.function.Consumer;

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

    /** The settings, copied on every change: one place that lists them, the options immutable. */
    private static final class Fields extends Settings<Fields> {
        NetNs hostNetns;
        Path stateDir;
        int maxConcurrent = 64;
        int eventLoops = 1;
        int maxEndpoints = 65536;
        StepObserver observer = StepObserver.NONE;
        boolean clearOnReboot;
        boolean reconcileOnOpen = true;
        List<Path> netnsDirs = DEFAULT_NETNS_DIRS;
        Duration lockWait = DEFAULT_LOCK_WAIT;
        boolean readOnly;
    }

    private final Fields f;

    private DataplaneOptions(Fields f) {
        Objects.requireNonNull(f.lockWait, "lockWait");
        Objects.requireNonNull(f.observer, "observer");
        if (f.lockWait.isNegative()) {
            throw new InvalidSpecException("lockWait must not be negative, got " + f.lockWait);
        }
        if (f.maxConcurrent < 1) {
            throw new InvalidSpecException("maxConcurrent must be at least 1, got " + f.maxConcurrent);
        }
        if (f.eventLoops < 1) {
            throw new InvalidSpecException("eventLoops must be at least 1, got " + f.eventLoops);
        }
        if (f.maxEndpoints < 16) {
            throw new InvalidSpecException("maxEndpoints must be at least 16, got " + f.maxEndpoints);
        }
        f.netnsDirs = List.copyOf(f.netnsDirs);
        this.f = f;
    }

    private DataplaneOptions with(Consumer<Fields> change) {
        Fields copy = f.copy();
        change.accept(copy);
        return new DataplaneOptions(copy);
    }

    /** State under {@code stateDir}, the process's own namespace as host, 64 operations in flight. */
    public static DataplaneOptions of(Path stateDir) {
        Fields f = new Fields();
        f.stateDir = Objects.requireNonNull(stateDir, "stateDir");
        return new DataplaneOptions(f);
    }

    /**
     * No state on disk: the kernel's tags are the only record. Networks must be created again after
     * each start (as a CNI runtime passes its network configuration on every call); creating one
     * adopts the endpoints the kernel holds for it.
     */
    public static DataplaneOptions stateless() {
        return new DataplaneOptions(new Fields());
    }

    /**
     * The namespace that plays "host" (bridges and host veth ends live there); null for the
     * process's own. Tests and demos always give a sandbox here.
     */
    public NetNs hostNetns() {
        return f.hostNetns;
    }

    /** Where the persisted state lives; null in stateless mode. */
    public Path stateDir() {
        return f.stateDir;
    }

    /** True without a state directory. */
    public boolean isStateless() {
        return f.stateDir == null;
    }

    /** Endpoint operations in flight at once; more wait their turn. */
    public int maxConcurrent() {
        return f.maxConcurrent;
    }

    /**
     * Epoll event-loop threads driving the netlink channels of checks and events (the host channel
     * has a thread of its own, which also configures the pods).
     */
    public int eventLoops() {
        return f.eventLoops;
    }

    /** Sizing of the state maps. */
    public int maxEndpoints() {
        return f.maxEndpoints;
    }

    /** After a reboot, forget the networks too instead of re-creating them. */
    public boolean clearOnReboot() {
        return f.clearOnReboot;
    }

    /**
     * Reconcile records, IPAM and kernel when opening (and when a network is created); off only to
     * inspect a state as a crash left it.
     */
    public boolean reconcileOnOpen() {
        return f.reconcileOnOpen;
    }

    /**
     * Where pod namespaces are pinned, searched when an endpoint is rebuilt from its kernel tag (its
     * record lost) to find its namespace's path.
     */
    public List<Path> netnsDirs() {
        return f.netnsDirs;
    }

    /** How long to wait for another process to release the state directory. */
    public Duration lockWait() {
        return f.lockWait;
    }

    /**
     * Inspect only (a dry run): nothing is created, changed or written, in the kernel or the state
     * directory; every changing operation fails.
     */
    public boolean readOnly() {
        return f.readOnly;
    }

    /** {@link #hostNetns()}. */
    public DataplaneOptions hostNetns(NetNs ns) {
        return with(x -> x.hostNetns = ns);
    }

    /** {@link #maxConcurrent()}, at least 1. */
    public DataplaneOptions maxConcurrent(int n) {
        return with(x -> x.maxConcurrent = n);
    }

    /** {@link #eventLoops()}, at least 1. */
    public DataplaneOptions eventLoops(int n) {
        return with(x -> x.eventLoops = n);
    }

    /** {@link #maxEndpoints()}, at least 16. */
    public DataplaneOptions maxEndpoints(int n) {
        return with(x -> x.maxEndpoints = n);
    }

    /** {@link #clearOnReboot()}. */
    public DataplaneOptions clearOnReboot(boolean on) {
        return with(x -> x.clearOnReboot = on);
    }

    /** {@link #reconcileOnOpen()}. */
    public DataplaneOptions reconcileOnOpen(boolean on) {
        return with(x -> x.reconcileOnOpen = on);
    }

    /** {@link #netnsDirs()}. */
    public DataplaneOptions netnsDirs(List<Path> dirs) {
        return with(x -> x.netnsDirs = dirs);
    }

    /** How long to wait for another process to release the state directory (0: fail at once). */
    public DataplaneOptions lockWait(Duration wait) {
        return with(x -> x.lockWait = wait);
    }

    /** Inspect only: see {@link #readOnly()}. */
    public DataplaneOptions readOnly(boolean on) {
        return with(x -> x.readOnly = on);
    }

    /** The fault-injection hook: not public API (tests, and the crash harness through {@link FaultInjection}). */
    DataplaneOptions withObserver(StepObserver o) {
        return with(x -> x.observer = o);
    }

    EngineOptions engineOptions() {
        return new EngineOptions(
                f.hostNetns,
                f.stateDir,
                f.maxConcurrent,
                f.eventLoops,
                f.maxEndpoints,
                f.observer,
                f.clearOnReboot,
                f.reconcileOnOpen,
                f.netnsDirs,
                f.lockWait,
                f.readOnly);
    }

    @Override
    public String toString() {
        return "DataplaneOptions[hostNetns=" + f.hostNetns + ", stateDir=" + f.stateDir + ", maxConcurrent="
                + f.maxConcurrent + ", eventLoops=" + f.eventLoops + ", maxEndpoints=" + f.maxEndpoints
                + ", clearOnReboot=" + f.clearOnReboot + ", reconcileOnOpen=" + f.reconcileOnOpen + ", netnsDirs="
                + f.netnsDirs + ", lockWait=" + f.lockWait + ", readOnly=" + f.readOnly + "]";
    }
}
