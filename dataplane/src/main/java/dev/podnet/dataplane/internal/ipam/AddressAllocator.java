package dev.podnet.dataplane.internal.ipam;

import dev.podnet.dataplane.ipam.AddressUnavailableException;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.ipam.IpamExhaustedException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Hands out addresses (IPv4 or IPv6) from a set of {@link AddressRange}s of one family with CNI host-local semantics: one
 * address per (container id, interface), the same one again for a repeated request; round-robin
 * starting after the last address reserved in the set, moving through the ranges in order and
 * wrapping around; static requests for a given address; release by container id and interface, or
 * by container id. Thread-safe; no two callers ever get the same address.
 */
public final class AddressAllocator {
    private final List<AddressRange> ranges;
    private final String setId;
    private final AllocationStore store;
    private final Map<String, String> byOwner = new HashMap<>();

    /** Opens the allocator for one range over {@code store}. */
    public AddressAllocator(AddressRange range, AllocationStore store) {
        this(List.of(range), store);
    }

    /**
     * Opens the allocator for a range set over {@code store}, indexing the reservations it already
     * holds inside these ranges.
     */
    public AddressAllocator(List<AddressRange> ranges, AllocationStore store) {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("an allocator needs at least one range");
        }
        checkDisjoint(ranges);
        this.ranges = List.copyOf(ranges);
        this.setId = ranges.size() == 1
                ? ranges.get(0).id()
                : ranges.stream().map(AddressRange::id).collect(Collectors.joining(","));
        this.store = Objects.requireNonNull(store, "store");
        store.forEach((address, owner) -> {
            InetAddress a = Cidr.parseAddress(address, "stored reservation");
            if (a.getAddress().length * 8 == ranges.get(0).bits() && rangeOf(AddressRange.toBig(a)) != null) {
                byOwner.put(owner, address);
            }
        });
    }

    /** Throws {@link IllegalArgumentException} unless {@code ranges} are of one family and pairwise disjoint. */
    public static void checkDisjoint(List<AddressRange> ranges) {
        if (ranges.stream().map(AddressRange::bits).distinct().count() > 1) {
            throw new IllegalArgumentException("the ranges of one allocator must be of one family: " + ranges);
        }
        for (int i = 0; i < ranges.size(); i++) {
            for (int j = i + 1; j < ranges.size(); j++) {
                if (overlap(ranges.get(i), ranges.get(j))) {
                    throw new IllegalArgumentException(
                            "ranges " + ranges.get(i) + " and " + ranges.get(j) + " overlap");
                }
            }
        }
    }

    private static boolean overlap(AddressRange a, AddressRange b) {
        return a.first().compareTo(b.last()) <= 0 && b.first().compareTo(a.last()) <= 0;
    }

    /** The owner key of an allocation. */
    public static String owner(String containerId, String ifName) {
        return containerId + "/" + ifName;
    }

    /** The first range (the network's main one). */
    public AddressRange range() {
        return ranges.get(0);
    }

    public List<AddressRange> ranges() {
        return ranges;
    }

    private AddressRange rangeOf(java.math.BigInteger a) {
        for (AddressRange r : ranges) {
            if (r.contains(a)) {
                return r;
            }
        }
        return null;
    }

    private Cidr withPrefix(String address) {
        InetAddress a = Cidr.parseAddress(address, "stored reservation");
        AddressRange r = rangeOf(AddressRange.toBig(a));
        return new Cidr(a, (r != null ? r : ranges.get(0)).subnet().prefixLength());
    }

    private String describe() {
        return ranges.stream().map(AddressRange::toString).collect(Collectors.joining(", "));
    }

    /**
     * Reserves an address for ({@code containerId}, {@code ifName}), or returns the one it already has.
     *
     * @return the address with its subnet's prefix length
     * @throws IpamExhaustedException when no range has a free address, naming the ranges
     */
    public synchronized Cidr allocate(String containerId, String ifName) {
        String owner = owner(containerId, ifName);
        String existing = byOwner.get(owner);
        if (existing != null) {
            return withPrefix(existing);
        }
        // the position after the last reservation, as (range index, address)
        int startRange = 0;
        java.math.BigInteger from = ranges.get(0).first();
        String last = store.lastReserved(setId);
        if (last != null) {
            java.math.BigInteger l = AddressRange.toBig(Cidr.parseAddress(last, "stored round-robin position"));
            for (int i = 0; i < ranges.size(); i++) {
                AddressRange r = ranges.get(i);
                if (r.contains(l)) {
                    if (l.compareTo(r.last()) < 0) {
                        startRange = i;
                        from = l.add(java.math.BigInteger.ONE);
                    } else {
                        startRange = (i + 1) % ranges.size();
                        from = ranges.get(startRange).first();
                    }
                }
            }
        }
        // every range once, starting in startRange at `from`, then back to startRange's beginning;
        // a candidate is either free, reserved (at most reservedCount of them) or excluded, so the
        // walk ends quickly even in an IPv6 /64
        for (int step = 0; step <= ranges.size(); step++) {
            int ri = (startRange + step) % ranges.size();
            AddressRange r = ranges.get(ri);
            java.math.BigInteger lo = step == 0 ? from : r.first();
            java.math.BigInteger hi = step == ranges.size() ? from.subtract(java.math.BigInteger.ONE) : r.last();
            for (java.math.BigInteger candidate = lo;
                    candidate.compareTo(hi) <= 0;
                    candidate = candidate.add(java.math.BigInteger.ONE)) {
                if (!r.assignable(candidate)) {
                    continue;
                }
                String text = Cidr.text(AddressRange.fromBig(candidate, r.bits()));
                if (store.owner(text) != null) {
                    continue;
                }
                return reserve(owner, text, r);
            }
        }
        throw new IpamExhaustedException("no free address in range " + describe() + ": all " + byOwner.size()
                + " assignable addresses are reserved");
    }

    /**
     * Reserves the address {@code requested} for ({@code containerId}, {@code ifName}) (a static
     * request), or confirms it when that owner already holds it.
     *
     * @throws AddressUnavailableException when the address is outside every range, is the network,
     *                                  broadcast, gateway or a reserved address, is held by someone
     *                                  else, or the owner already holds another address
     */
    public synchronized Cidr allocateStatic(String containerId, String ifName, InetAddress requested) {
        String owner = owner(containerId, ifName);
        String text = Cidr.text(requested);
        String existing = byOwner.get(owner);
        if (existing != null) {
            if (existing.equals(text)) {
                return withPrefix(existing);
            }
            throw new AddressUnavailableException(owner + " already holds " + existing + ", not the requested " + text);
        }
        java.math.BigInteger a = AddressRange.toBig(requested);
        AddressRange r = requested.getAddress().length * 8 != ranges.get(0).bits() ? null : rangeOf(a);
        if (r == null) {
            throw new AddressUnavailableException("requested address " + text + " is not in any range: " + describe());
        }
        if (!r.assignable(a)) {
            throw new AddressUnavailableException("requested address " + text
                    + " is the network, broadcast, gateway or a " + "reserved address of " + r);
        }
        String holder = store.owner(text);
        if (holder != null) {
            throw new AddressUnavailableException("requested address " + text + " is already reserved by " + holder);
        }
        return reserve(owner, text, r);
    }

    private Cidr reserve(String owner, String text, AddressRange r) {
        store.reserve(text, owner);
        store.lastReserved(setId, text);
        byOwner.put(owner, text);
        return new Cidr(Cidr.parseAddress(text, "address"), r.subnet().prefixLength());
    }

    /** The address held by ({@code containerId}, {@code ifName}), or null. */
    public synchronized Cidr lookup(String containerId, String ifName) {
        String a = byOwner.get(owner(containerId, ifName));
        return a == null ? null : withPrefix(a);
    }

    /** The owner ({@code containerId/ifName}) of {@code address} in this store, or null. */
    public synchronized String ownerOf(InetAddress address) {
        return store.owner(Cidr.text(address));
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

    /** How many addresses are reserved in these ranges. */
    public synchronized int reservedCount() {
        return byOwner.size();
    }

    /** A snapshot: owner → address. */
    public synchronized Map<String, String> reservations() {
        return Map.copyOf(byOwner);
    }
}
