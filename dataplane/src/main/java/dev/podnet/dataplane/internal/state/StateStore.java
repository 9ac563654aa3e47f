package dev.podnet.dataplane.internal.state;

import dev.podnet.dataplane.internal.ipam.AllocationStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * podnet's state: the networks in a small file rewritten durably on every change (they are
 * configuration, rarely changed), and the hot state in off-heap, file-backed Chronicle Maps under
 * the same directory (endpoints, IPAM reservations and round-robin positions).
 *
 * <p>Every map write goes straight to the mapped files, so a process that is killed leaves it in
 * the page cache, where the next process finds it. Chronicle Map promises no more than that, and a
 * killed writer can leave its in-file segment locks held: so one process owns the directory at a
 * time (an OS lock on {@code lock}, holding the pid, dropped by the kernel when the owner dies), a
 * {@code clean} marker is written on close and removed on open, and a directory opened without it
 * was stopped uncleanly: its maps are opened with Chronicle's exclusive
 * {@code recoverPersistedTo} (which rebuilds segment headers and clears stale locks) before use.
 * Map files that cannot be opened at all (truncated, overwritten) are moved aside into
 * {@code damaged-<time>/} and started afresh: {@link #damaged()} says so, and the endpoints and
 * reservations are then rebuilt from the kernel's tags by reconciliation.
 *
 * <p>{@link #inMemory} makes a store with no files at all (stateless mode).
 */
public final class StateStore implements AutoCloseable {
    private static final String[] MAP_FILES = {"endpoints.dat", "ipam-reservations.dat", "ipam-positions.dat"};

    private final Path dir;
    private final Path mapDir;
    private final boolean readOnly;
    private final StateDirectoryLock lock;
    private final boolean recovered;
    private final boolean rebooted;
    private String damaged;
    private final Map<String, String> networks;
    private ChronicleMap<String, String> endpoints;
    private ChronicleMap<String, String> reservations;
    private ChronicleMap<String, String> positions;
    private final List<ChronicleMap<String, String>> all = new ArrayList<>();

    private StateStore(Path dir, int maxEndpoints, StateDirectoryLock lock, Access access) throws IOException {
        this.dir = dir;
        this.lock = lock;
        this.readOnly = access.readOnly();
        if (dir == null) {
            recovered = false;
            rebooted = false;
            mapDir = null;
            networks = new DurableMap(null);
            openMaps(maxEndpoints);
            return;
        }
        Path clean = dir.resolve("clean");
        boolean existed = Files.exists(dir.resolve("endpoints.dat"));
        this.recovered = existed && !Files.exists(clean);
        // the kernel's boot id: a different one means the node rebooted since the state was written
        Path bootFile = dir.resolve("boot-id");
        String boot =
                Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        this.rebooted =
                Files.exists(bootFile) && !Files.readString(bootFile).trim().equals(boot);
        // before anything is written or re-created: is this the host namespace the state belongs to?
        checkHost(access.host());
        if (readOnly) {
            // read a private copy of the maps: opening (and, after a crash, recovering) a map writes to its file
            mapDir = Files.createTempDirectory("podnet-readonly-");
            for (String f : MAP_FILES) {
                if (Files.exists(dir.resolve(f))) {
                    Files.copy(dir.resolve(f), mapDir.resolve(f));
                }
            }
            networks = new DurableMap(dir.resolve("networks.conf"), true);
            openMaps(maxEndpoints);
            return;
        }
        mapDir = dir;
        Files.deleteIfExists(clean);
        Files.writeString(bootFile, boot + "\n");
        Files.setPosixFilePermissions(bootFile, PosixFilePermissions.fromString("rw-------"));
        networks = new DurableMap(dir.resolve("networks.conf"));
        try {
            openMaps(maxEndpoints);
        } catch (IOException | RuntimeException e) {
            closeQuietly(e);
            all.clear();
            quarantine(e);
            openMaps(maxEndpoints);
        }
    }

    /**
     * Refuses a host namespace other than the one recorded in {@code host-netns} (recording it on
     * first use): see {@link HostNamespace}. After a reboot the name decides, as inodes change.
     */
    private void checkHost(HostNamespace now) throws IOException {
        if (now == null) {
            return;
        }
        Path file = dir.resolve("host-netns");
        if (Files.exists(file)) {
            HostNamespace recorded = HostNamespace.read(file);
            boolean same = recorded.sameAs(now) || (rebooted && recorded.sameAfterReboot(now));
            if (!same) {
                throw new StateHostMismatchException("state directory " + dir + " belongs to host "
                        + recorded.describe()
                        + ", but was opened with host " + now.describe() + "; nothing was changed"
                        + (recorded.name() != null ? " (open it with --host-netns " + recorded.name() + ")" : ""));
            }
            if (recorded.equals(now) || readOnly) {
                return;
            }
        } else if (readOnly) {
            return;
        }
        Path tmp = dir.resolve("host-netns.tmp");
        Files.writeString(tmp, now.encode());
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private void openMaps(int maxEndpoints) throws IOException {
        endpoints = open(
                "endpoints",
                "0123456789abcdef0123456789abcdef01234567/eth0",
                "1\t0123456789abcdef0123456789abcdef01234567\teth0\tpod-network\t/run/netns/pod-123456\tpn0123456789ab"
                        + "\teth0\t02:00:00:00:00:01\t198.18.12.34/16\t198.18.0.1\tREADY\t1700000000000\tpod-name\tnamespace",
                maxEndpoints);
        reservations = open(
                "ipam-reservations", "198.18.123.234", "0123456789abcdef0123456789abcdef01234567/eth0", maxEndpoints);
        positions = open("ipam-positions", "198.18.0.0/16|198.18.0.2-198.18.255.254", "198.18.123.234", 1024);
    }

    /** Moves the map files that could not be opened into {@code damaged-<time>/}, for a person to look at. */
    private void quarantine(Exception cause) throws IOException {
        Path aside = dir.resolve("damaged-" + System.currentTimeMillis());
        Files.createDirectories(aside);
        for (String f : MAP_FILES) {
            Path file = dir.resolve(f);
            if (Files.exists(file)) {
                Files.move(file, aside.resolve(f));
            }
        }
        damaged = "the state maps could not be opened (" + cause + "); moved to " + aside + " and started afresh";
    }

    /**
     * Opens (creating if needed) the state under {@code dir}, with room for about {@code maxEndpoints}
     * endpoints. The directory is made 0700, as it records the node's wiring.
     */
    public static StateStore open(Path dir, int maxEndpoints) throws IOException {
        return open(dir, maxEndpoints, new Access(null, java.time.Duration.ZERO, false));
    }

    /**
     * How a state directory is opened.
     *
     * @param host     the host namespace that opens it, checked against (and on first use recorded
     *                 as) the one the directory belongs to; null not to check (the store's own tests)
     * @param lockWait how long to wait for another owner to release the directory
     * @param readOnly to inspect it (a dry run): a shared lock, nothing written, no file changed
     */
    public record Access(HostNamespace host, java.time.Duration lockWait, boolean readOnly) {
        public Access {
            java.util.Objects.requireNonNull(lockWait, "lockWait");
        }
    }

    /**
     * Opens the state under {@code dir} as {@code access} says, with room for about
     * {@code maxEndpoints} endpoints. Fails with {@link StateHostMismatchException} before anything
     * is written when the directory belongs to another host namespace, and with
     * {@link StateInUseException} when another process still owns it after {@code access.lockWait()}.
     */
    public static StateStore open(Path dir, int maxEndpoints, Access access) throws IOException {
        if (maxEndpoints < 16) {
            throw new IllegalArgumentException("maxEndpoints must be at least 16, got " + maxEndpoints);
        }
        if (access.readOnly()) {
            if (!Files.isDirectory(dir)) {
                throw new java.nio.file.NoSuchFileException(dir + " (no state directory to read)");
            }
        } else {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        StateDirectoryLock lock = StateDirectoryLock.acquire(dir, access.lockWait(), access.readOnly());
        try {
            return new StateStore(dir, maxEndpoints, lock, access);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** A store with no files: everything in memory, gone with the process (stateless mode). */
    public static StateStore inMemory(int maxEndpoints) throws IOException {
        return new StateStore(null, maxEndpoints, null, new Access(null, java.time.Duration.ZERO, false));
    }

    /** True when opened read-only: every change fails. */
    public boolean readOnly() {
        return readOnly;
    }

    private ChronicleMap<String, String> open(String name, String avgKey, String avgValue, int entries)
            throws IOException {
        var builder = ChronicleMap.of(String.class, String.class)
                .name(name)
                .averageKey(avgKey)
                .averageValue(avgValue)
                .entries(entries);
        if (dir == null) {
            ChronicleMap<String, String> map = builder.create();
            all.add(map);
            return map;
        }
        Path file = mapDir.resolve(name + ".dat");
        ChronicleMap<String, String> map = recovered && Files.exists(file)
                ? builder.recoverPersistedTo(file.toFile(), true)
                : builder.createPersistedTo(file.toFile());
        all.add(map);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return map;
    }

    /** The state directory, or null for a store in memory. */
    public Path directory() {
        return dir;
    }

    /** Why the map files were started afresh on open (see the class comment), or null when they opened. */
    public String damaged() {
        return damaged;
    }

    /**
     * True when the state was written during an earlier boot: the kernel objects it describes (links,
     * addresses, routes) are gone.
     */
    public boolean rebooted() {
        return rebooted;
    }

    /** Forgets every endpoint and IPAM reservation (after a reboot: the kernel has none of them any more). */
    public void dropEndpointsAndReservations() {
        endpoints.clear();
        reservations.clear();
        positions.clear();
    }

    /** True when the last owner did not close the store (a crash, kill -9, power loss) and the maps were recovered. */
    public boolean recovered() {
        return recovered;
    }

    /** network name → encoded {@code NetworkRecord}; every change is on disk when the call returns. */
    public Map<String, String> networks() {
        return networks;
    }

    /** endpoint key (container id / interface) → encoded {@code EndpointRecord}. */
    public Map<String, String> endpoints() {
        return endpoints;
    }

    /** IPAM reservations of one network, as the allocator wants them. */
    public AllocationStore allocations(String network) {
        return AllocationStore.over(reservations, positions, network + "|");
    }

    /** Every IPAM reservation of every network, "network|address" → owner. */
    public Map<String, String> reservations() {
        return reservations;
    }

    /** Removes the private copy of the maps a read-only store read. */
    private void deleteCopy() {
        try (var files = Files.list(mapDir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(mapDir);
        } catch (IOException e) {
            // a temporary copy left behind costs disk space only
        }
    }

    private void closeQuietly(Exception cause) {
        for (ChronicleMap<String, String> m : all) {
            try {
                m.close();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /**
     * Off-heap memory the maps' entries and indexes take (Chronicle Map's own count; the mapped
     * files reserve more address space than this, but pages they never touch cost nothing).
     */
    public long offHeapBytes() {
        long sum = 0;
        for (ChronicleMap<String, String> m : all) {
            if (m.isOpen()) {
                sum += m.offHeapMemoryUsed();
            }
        }
        return sum;
    }

    /** Closes the maps, marks the directory cleanly closed, and releases ownership. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (ChronicleMap<String, String> m : all) {
            try {
                m.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (dir == null) {
            if (first != null) {
                throw first;
            }
            return;
        }
        if (readOnly) {
            deleteCopy();
        }
        try {
            if (first == null && !readOnly) {
                Files.createFile(dir.resolve("clean"));
            }
        } catch (IOException e) {
            first = new IllegalStateException("could not mark " + dir + " cleanly closed: " + e.getMessage(), e);
        } finally {
            try {
                lock.close();
            } catch (IOException e) {
                if (first == null) {
                    first = new IllegalStateException("could not release " + dir + "/lock: " + e.getMessage(), e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
