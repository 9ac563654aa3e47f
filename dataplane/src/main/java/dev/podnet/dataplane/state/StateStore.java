package dev.podnet.dataplane.state;

import dev.podnet.dataplane.ipam.AllocationStore;
import net.openhft.chronicle.map.ChronicleMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * podnet's persisted state: off-heap, file-backed Chronicle Maps under one directory
 * (networks, endpoints, IPAM reservations and round-robin positions).
 *
 * <p>Every write goes straight to the mapped files, so a process that is killed leaves it in the
 * page cache, where the next process finds it. Chronicle Map promises no more than that, and a
 * killed writer can leave its in-file segment locks held: so one process owns the directory at a
 * time (an OS lock on {@code lock}, holding the pid, dropped by the kernel when the owner dies), a
 * {@code clean} marker is written on close and removed on open, and a directory opened without it
 * was stopped uncleanly: its maps are opened with Chronicle's exclusive
 * {@code recoverPersistedTo} (which rebuilds segment headers and clears stale locks) before use.
 */
public final class StateStore implements AutoCloseable {
    private final Path dir;
    private final StateDirectoryLock lock;
    private final boolean recovered;
    private final boolean rebooted;
    private final ChronicleMap<String, String> networks;
    private final ChronicleMap<String, String> endpoints;
    private final ChronicleMap<String, String> reservations;
    private final ChronicleMap<String, String> positions;
    private final List<ChronicleMap<String, String>> all = new ArrayList<>();

    private StateStore(Path dir, int maxEndpoints, StateDirectoryLock lock) throws IOException {
        this.dir = dir;
        this.lock = lock;
        Path clean = dir.resolve("clean");
        boolean existed = Files.exists(dir.resolve("endpoints.dat"));
        this.recovered = existed && !Files.exists(clean);
        Files.deleteIfExists(clean);
        // the kernel's boot id: a different one means the node rebooted since the state was written
        Path bootFile = dir.resolve("boot-id");
        String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        this.rebooted = Files.exists(bootFile) && !Files.readString(bootFile).trim().equals(boot);
        Files.writeString(bootFile, boot + "\n");
        Files.setPosixFilePermissions(bootFile, PosixFilePermissions.fromString("rw-------"));
        try {
            networks = open("networks", "pod-network-name", "bridge|pnbr0|198.18.0.0/16|198.18.0.1|1500|0|0", 1024);
            endpoints = open("endpoints", "0123456789abcdef0123456789abcdef01234567/eth0",
                    "1\t0123456789abcdef0123456789abcdef01234567\teth0\tpod-network\t/run/netns/pod-123456\tpn0123456789ab"
                            + "\teth0\t02:00:00:00:00:01\t198.18.12.34/16\t198.18.0.1\tREADY\t1700000000000\tpod-name\tnamespace",
                    maxEndpoints);
            reservations = open("ipam-reservations", "198.18.123.234", "0123456789abcdef0123456789abcdef01234567/eth0",
                    maxEndpoints);
            positions = open("ipam-positions", "198.18.0.0/16|198.18.0.2-198.18.255.254", "198.18.123.234", 1024);
        } catch (IOException | RuntimeException e) {
            closeQuietly(e);
            throw e;
        }
    }

    /**
     * Opens (creating if needed) the state under {@code dir}, with room for about {@code maxEndpoints}
     * endpoints. The directory is made 0700, as it records the node's wiring.
     */
    public static StateStore open(Path dir, int maxEndpoints) throws IOException {
        if (maxEndpoints < 16) {
            throw new IllegalArgumentException("maxEndpoints must be at least 16, got " + maxEndpoints);
        }
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        StateDirectoryLock lock = StateDirectoryLock.acquire(dir);
        try {
            return new StateStore(dir, maxEndpoints, lock);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private ChronicleMap<String, String> open(String name, String avgKey, String avgValue, int entries) throws IOException {
        Path file = dir.resolve(name + ".dat");
        var builder = ChronicleMap.of(String.class, String.class)
                .name(name)
                .averageKey(avgKey)
                .averageValue(avgValue)
                .entries(entries);
        ChronicleMap<String, String> map = recovered && Files.exists(file)
                ? builder.recoverPersistedTo(file.toFile(), true)
                : builder.createPersistedTo(file.toFile());
        all.add(map);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return map;
    }

    public Path directory() {
        return dir;
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

    /** network name → encoded {@code NetworkRecord}. */
    public Map<String, String> networks() {
        return networks;
    }

    /** endpoint key (container id / interface) → encoded {@code EndpointRecord}. */
    public Map<String, String> endpoints() {
        return endpoints;
    }

    /** IPAM reservations of one network, as the allocator wants them. */
    public AllocationStore allocations(String network) {
        String prefix = network + "|";
        return new AllocationStore() {
            @Override
            public String owner(String address) {
                return reservations.get(prefix + address);
            }

            @Override
            public void reserve(String address, String owner) {
                reservations.put(prefix + address, owner);
            }

            @Override
            public void free(String address) {
                reservations.remove(prefix + address);
            }

            @Override
            public String lastReserved(String rangeId) {
                return positions.get(prefix + rangeId);
            }

            @Override
            public void lastReserved(String rangeId, String address) {
                positions.put(prefix + rangeId, address);
            }

            @Override
            public void forEach(BiConsumer<String, String> action) {
                reservations.forEach((k, v) -> {
                    if (k.startsWith(prefix)) {
                        action.accept(k.substring(prefix.length()), v);
                    }
                });
            }
        };
    }

    /** Every IPAM reservation of every network, "network|address" → owner. */
    public Map<String, String> reservations() {
        return reservations;
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
        try {
            if (first == null) {
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
