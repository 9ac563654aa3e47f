package dev.podnet.dataplane.internal.ipam;

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
        Map<String, String> reserved = new java.util.HashMap<>();
        Map<String, String> last = new java.util.HashMap<>();
        return new AllocationStore() {
            @Override
            public String owner(String address) {
                return reserved.get(address);
            }

            @Override
            public void reserve(String address, String owner) {
                reserved.put(address, owner);
            }

            @Override
            public void free(String address) {
                reserved.remove(address);
            }

            @Override
            public String lastReserved(String rangeId) {
                return last.get(rangeId);
            }

            @Override
            public void lastReserved(String rangeId, String address) {
                last.put(rangeId, address);
            }

            @Override
            public void forEach(BiConsumer<String, String> action) {
                reserved.forEach(action);
            }
        };
    }
}
