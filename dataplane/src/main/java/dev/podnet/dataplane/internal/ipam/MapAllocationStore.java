package dev.podnet.dataplane.internal.ipam;

import java.util.Map;
import java.util.function.BiConsumer;

/** {@link AllocationStore#over}: one network's share of two maps, told apart by a key prefix. */
final class MapAllocationStore implements AllocationStore {
    private final Map<String, String> reservations;
    private final Map<String, String> positions;
    private final String prefix;

    MapAllocationStore(Map<String, String> reservations, Map<String, String> positions, String prefix) {
        this.reservations = reservations;
        this.positions = positions;
        this.prefix = prefix;
    }

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
        reservations.forEach((key, owner) -> {
            if (key.startsWith(prefix)) {
                action.accept(key.substring(prefix.length()), owner);
            }
        });
    }
}
