package dev.podnet.dataplane.internal.ipam;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Where reservations live: address → owner, and per range the last address handed out (for
 * round-robin). Implementations need not be thread-safe; the allocator serialises access.
 */
public interface AllocationStore {
    /** The owner of {@code address}, or null when it is free. */
    String owner(String address);

    void reserve(String address, String owner);

    void free(String address);

    /** The last address reserved in {@code rangeId}, or null. */
    String lastReserved(String rangeId);

    void lastReserved(String rangeId, String address);

    /** Every reservation, address → owner. */
    void forEach(BiConsumer<String, String> action);

    /** A store in memory only: for tests and for stateless use. */
    static AllocationStore inMemory() {
        return over(new HashMap<>(), new HashMap<>(), "");
    }

    /**
     * A store over two maps that may hold other stores' keys too: {@code reservations} (address →
     * owner) and {@code positions} (range → last address), each key of this store's prefixed with
     * {@code keyPrefix}.
     */
    static AllocationStore over(Map<String, String> reservations, Map<String, String> positions, String keyPrefix) {
        return new MapAllocationStore(reservations, positions, keyPrefix);
    }
}
