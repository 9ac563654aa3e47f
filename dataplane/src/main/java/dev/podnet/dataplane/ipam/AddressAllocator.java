package dev.podnet.dataplane.ipam;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Hands out addresses from one {@link AddressRange} with CNI host-local semantics: one address
 * per (container id, interface), the same one again for a repeated request, round-robin from the
 * last address reserved, release by container id and interface. Thread-safe; no two callers ever
 * get the same address.
 */
public final class AddressAllocator {
    private final AddressRange range;
    private final AllocationStore store;
    private final Map<String, String> byOwner = new HashMap<>();

    /** Opens the allocator over {@code store}, indexing the reservations it already holds for this range. */
    public AddressAllocator(AddressRange range, AllocationStore store) {
        this.range = Objects.requireNonNull(range, "range");
        this.store = Objects.requireNonNull(store, "store");
        store.forEach((address, owner) -> {
            if (range.subnet().contains(Cidr.parseAddress(address, "stored reservation"))) {
                byOwner.put(owner, address);
            }
        });
    }

    /** The owner key of an allocation. */
    public static String owner(String containerId, String ifName) {
        return containerId + "/" + ifName;
    }

    public AddressRange range() {
        return range;
    }

    /**
     * Reserves an address for ({@code containerId}, {@code ifName}), or returns the one it already has.
     *
     * @return the address with the subnet's prefix length
     * @throws IpamExhaustedException when the range has no free address, naming the range
     */
    public synchronized Cidr allocate(String containerId, String ifName) {
        String owner = owner(containerId, ifName);
        String existing = byOwner.get(owner);
        if (existing != null) {
            return new Cidr(Cidr.parseAddress(existing, "stored reservation"), range.subnet().prefixLength());
        }
        long start = AddressRange.toLong(range.start());
        long end = AddressRange.toLong(range.end());
        long size = end - start + 1;
        String last = store.lastReserved(range.id());
        long from = start;
        if (last != null) {
            long l = AddressRange.toLong(Cidr.parseAddress(last, "stored round-robin position"));
            if (l >= start && l <= end) {
                from = l == end ? start : l + 1;
            }
        }
        for (long i = 0; i < size; i++) {
            long candidate = start + ((from - start + i) % size);
            if (!range.assignable(candidate)) {
                continue;
            }
            InetAddress a = AddressRange.fromLong(candidate);
            String text = a.getHostAddress();
            if (store.owner(text) != null) {
                continue;
            }
            store.reserve(text, owner);
            store.lastReserved(range.id(), text);
            byOwner.put(owner, text);
            return new Cidr(a, range.subnet().prefixLength());
        }
        throw new IpamExhaustedException("no free address in range " + range + ": all "
                + byOwner.size() + " assignable addresses are reserved");
    }

    /** The address held by ({@code containerId}, {@code ifName}), or null. */
    public synchronized Cidr lookup(String containerId, String ifName) {
        String a = byOwner.get(owner(containerId, ifName));
        return a == null ? null : new Cidr(Cidr.parseAddress(a, "stored reservation"), range.subnet().prefixLength());
    }

    /** Frees the address held by ({@code containerId}, {@code ifName}); returns it, or null if there was none. */
    public synchronized String release(String containerId, String ifName) {
        String owner = owner(containerId, ifName);
        String a = byOwner.remove(owner);
        if (a != null && owner.equals(store.owner(a))) {
            store.free(a);
        }
        return a;
    }

    /** Frees every address of {@code containerId}; returns how many. */
    public synchronized int releaseAll(String containerId) {
        String prefix = containerId + "/";
        int n = 0;
        for (var it = byOwner.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().startsWith(prefix)) {
                store.free(e.getValue());
                it.remove();
                n++;
            }
        }
        return n;
    }

    /** How many addresses are reserved in this range. */
    public synchronized int reservedCount() {
        return byOwner.size();
    }

    /** A snapshot: owner → address. */
    public synchronized Map<String, String> reservations() {
        return Map.copyOf(byOwner);
    }
}
