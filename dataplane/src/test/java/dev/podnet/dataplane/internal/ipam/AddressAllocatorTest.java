package dev.podnet.dataplane.internal.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.ipam.AddressUnavailableException;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.ipam.IpamExhaustedException;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** CNI host-local's behaviour, case by case. */
class AddressAllocatorTest {
    static InetAddress ip(String s) {
        return Cidr.parseAddress(s, "test");
    }

    static AddressAllocator allocator(String subnet, String gateway, AllocationStore store) {
        return new AddressAllocator(AddressRange.of(Cidr.parse(subnet), ip(gateway)), store);
    }

    @Test
    void neverHandsOutNetworkGatewayOrBroadcast() {
        AddressAllocator a = allocator("198.18.0.0/29", "198.18.0.1", AllocationStore.inMemory());
        List<String> got = IntStream.range(0, 5)
                .mapToObj(i -> a.allocate("c" + i, "eth0").toString())
                .toList();
        assertEquals(List.of("198.18.0.2/29", "198.18.0.3/29", "198.18.0.4/29", "198.18.0.5/29", "198.18.0.6/29"), got);
        IpamExhaustedException e = assertThrows(IpamExhaustedException.class, () -> a.allocate("c9", "eth0"));
        assertTrue(e.getMessage().contains("198.18.0.0/29 (198.18.0.1 - 198.18.0.6)"), e.getMessage());
    }

    @Test
    void oneAddressPerContainerAndInterfaceAndTheSameOneAgain() {
        AddressAllocator a = allocator("198.18.0.0/24", "198.18.0.1", AllocationStore.inMemory());
        Cidr first = a.allocate("c1", "eth0");
        assertEquals(first, a.allocate("c1", "eth0"));
        Cidr second = a.allocate("c1", "eth1");
        assertTrue(!first.equals(second));
        assertEquals(2, a.reservedCount());
    }

    @Test
    void roundRobinFromTheLastReservedEvenAfterRelease() {
        AddressAllocator a = allocator("198.18.0.0/24", "198.18.0.1", AllocationStore.inMemory());
        assertEquals("198.18.0.2/24", a.allocate("a", "eth0").toString());
        assertEquals("198.18.0.3/24", a.allocate("b", "eth0").toString());
        a.release("a", "eth0");
        // host-local does not reuse .2 at once: it moves on from the last reserved
        assertEquals("198.18.0.4/24", a.allocate("c", "eth0").toString());
    }

    @Test
    void wrapsAroundToFreedAddresses() {
        AddressAllocator a = allocator("198.18.0.0/29", "198.18.0.1", AllocationStore.inMemory());
        for (int i = 0; i < 5; i++) {
            a.allocate("c" + i, "eth0");
        }
        a.release("c1", "eth0");
        assertEquals("198.18.0.3/29", a.allocate("new", "eth0").toString());
    }

    @Test
    void honoursRangeStartEndAndReserved() {
        AddressRange r = new AddressRange(
                Cidr.parse("198.18.0.0/24"),
                ip("198.18.0.10"),
                ip("198.18.0.12"),
                ip("198.18.0.1"),
                Set.of(ip("198.18.0.11")));
        AddressAllocator a = new AddressAllocator(r, AllocationStore.inMemory());
        assertEquals("198.18.0.10/24", a.allocate("a", "eth0").toString());
        assertEquals("198.18.0.12/24", a.allocate("b", "eth0").toString());
        assertThrows(IpamExhaustedException.class, () -> a.allocate("c", "eth0"));
    }

    @Test
    void releaseByContainerFreesEveryInterface() {
        AddressAllocator a = allocator("198.18.0.0/24", "198.18.0.1", AllocationStore.inMemory());
        a.allocate("c1", "eth0");
        a.allocate("c1", "eth1");
        a.allocate("c2", "eth0");
        assertEquals(2, a.releaseAll("c1"));
        assertEquals(1, a.reservedCount());
        assertNull(a.release("c1", "eth0"));
    }

    @Test
    void reopeningOverTheSameStoreKeepsReservationsAndPosition() {
        AllocationStore store = AllocationStore.inMemory();
        AddressAllocator a = allocator("198.18.0.0/24", "198.18.0.1", store);
        Cidr kept = a.allocate("c1", "eth0");
        a.allocate("c2", "eth0");
        AddressAllocator b = allocator("198.18.0.0/24", "198.18.0.1", store);
        assertEquals(kept, b.lookup("c1", "eth0"));
        assertEquals("198.18.0.4/24", b.allocate("c3", "eth0").toString());
    }

    @Test
    void concurrentRequestsNeverShareAnAddress() throws Exception {
        AddressAllocator a = allocator("198.18.0.0/20", "198.18.0.1", AllocationStore.inMemory());
        Set<String> seen = ConcurrentHashMap.newKeySet();
        List<Thread> threads = IntStream.range(0, 8)
                .mapToObj(t -> new Thread(() -> {
                    for (int i = 0; i < 400; i++) {
                        seen.add(a.allocate("t" + t + "-" + i, "eth0").toString());
                    }
                }))
                .toList();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(3200, seen.size());
        assertEquals(3200, new HashSet<>(a.reservations().values()).size());
    }

    @Test
    void severalRangesAreUsedInOrderRoundRobinAcrossThem() {
        AddressRange a = new AddressRange(
                Cidr.parse("198.18.0.0/24"), ip("198.18.0.10"), ip("198.18.0.11"), ip("198.18.0.1"), Set.of());
        AddressRange b = new AddressRange(
                Cidr.parse("198.18.1.0/24"), ip("198.18.1.20"), ip("198.18.1.21"), ip("198.18.1.1"), Set.of());
        AllocationStore store = AllocationStore.inMemory();
        AddressAllocator alloc = new AddressAllocator(List.of(a, b), store);
        assertEquals("198.18.0.10/24", alloc.allocate("c1", "eth0").toString());
        assertEquals("198.18.0.11/24", alloc.allocate("c2", "eth0").toString());
        assertEquals("198.18.1.20/24", alloc.allocate("c3", "eth0").toString(), "on to the next range");
        alloc.release("c1", "eth0");
        assertEquals(
                "198.18.1.21/24",
                alloc.allocate("c4", "eth0").toString(),
                "round-robin: after the last, not the freed");
        assertEquals("198.18.0.10/24", alloc.allocate("c5", "eth0").toString(), "then wrap to the first range");
        IpamExhaustedException e = assertThrows(IpamExhaustedException.class, () -> alloc.allocate("c6", "eth0"));
        assertTrue(
                e.getMessage()
                        .contains(
                                "198.18.0.0/24 (198.18.0.10 - 198.18.0.11), 198.18.1.0/24 (198.18.1.20 - 198.18.1.21)"),
                e.getMessage());
        AddressAllocator reopened = new AddressAllocator(List.of(a, b), store);
        assertEquals(4, reopened.reservedCount());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new AddressAllocator(
                                List.of(
                                        a,
                                        new AddressRange(
                                                Cidr.parse("198.18.0.0/24"),
                                                ip("198.18.0.11"),
                                                ip("198.18.0.30"),
                                                null,
                                                Set.of())),
                                store))
                .getMessage()
                .contains("overlap"));
    }

    @Test
    void staticRequestsGetTheirAddressOrAClearNo() {
        AddressAllocator a = allocator("198.18.0.0/24", "198.18.0.1", AllocationStore.inMemory());
        assertEquals(
                "198.18.0.77/24",
                a.allocateStatic("c1", "eth0", ip("198.18.0.77")).toString());
        assertEquals(
                "198.18.0.77/24",
                a.allocateStatic("c1", "eth0", ip("198.18.0.77")).toString(),
                "again: the same");
        assertStaticRefused(a, "c2", "198.18.0.77", "198.18.0.77 is already reserved by c1/eth0");
        assertStaticRefused(a, "c2", "198.19.0.5", "198.19.0.5 is not in any range");
        assertStaticRefused(a, "c2", "198.18.0.1", "network, broadcast, gateway");
        assertStaticRefused(a, "c1", "198.18.0.78", "c1/eth0 already holds 198.18.0.77");
        assertEquals(
                "198.18.0.78/24", a.allocate("c3", "eth0").toString(), "round-robin continues after the static one");
    }

    /** A static request of {@code address} for {@code containerId}'s eth0 is refused, saying {@code says}. */
    private static void assertStaticRefused(AddressAllocator a, String containerId, String address, String says) {
        AddressUnavailableException e = assertThrows(
                AddressUnavailableException.class, () -> a.allocateStatic(containerId, "eth0", ip(address)));
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }

    @Test
    void ipv6RangesWorkTheSameWay() {
        AddressAllocator a = allocator("fd00:18::/64", "fd00:18::1", AllocationStore.inMemory());
        assertEquals("fd00:18::2/64", a.allocate("c1", "eth0").toString());
        assertEquals("fd00:18::3/64", a.allocate("c2", "eth0").toString());
        assertEquals("fd00:18::3/64", a.allocate("c2", "eth0").toString(), "the same again");
        assertEquals(
                "fd00:18::99/64",
                a.allocateStatic("c3", "eth0", ip("fd00:18::99")).toString());
        assertStaticRefused(a, "c4", "198.18.0.9", "not in any range");
        AddressRange small =
                new AddressRange(Cidr.parse("fd00:19::/120"), ip("fd00:19::10"), ip("fd00:19::11"), null, Set.of());
        AddressAllocator b = new AddressAllocator(small, AllocationStore.inMemory());
        b.allocate("x", "eth0");
        b.allocate("y", "eth0");
        assertThrows(IpamExhaustedException.class, () -> b.allocate("z", "eth0"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new AddressAllocator(
                                List.of(AddressRange.of(Cidr.parse("198.18.0.0/24"), null), small),
                                AllocationStore.inMemory()))
                .getMessage()
                .contains("one family"));
    }

    @Test
    void badRangesSayWhatIsWrong() {
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new AddressRange(Cidr.parse("198.18.0.5/24"), null, null, null, Set.of()))
                .getMessage()
                .contains("host bits set; did you mean 198.18.0.0/24"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> AddressRange.of(Cidr.parse("198.18.0.0/24"), ip("198.19.0.1")))
                .getMessage()
                .contains("gateway 198.19.0.1 is outside subnet 198.18.0.0/24"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new AddressRange(
                                Cidr.parse("198.18.0.0/24"), ip("198.18.0.9"), ip("198.18.0.3"), null, Set.of()))
                .getMessage()
                .contains("rangeStart 198.18.0.9 is after rangeEnd 198.18.0.3"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new AddressRange(Cidr.parse("198.18.0.0/31"), null, null, null, Set.of()))
                .getMessage()
                .contains("too small"));
    }

    @Test
    void rangeEntriesAreParsedWithOpenEndsAndBadOnesNamed() {
        Cidr subnet = Cidr.parse("198.18.0.0/24");
        InetAddress gw = Cidr.parseAddress("198.18.0.1", "gw");
        List<AddressRange> r =
                AddressRange.of(subnet, gw, List.of("198.18.0.10-198.18.0.20", "198.18.0.200-"), Set.of());
        assertEquals("198.18.0.0/24 (198.18.0.10 - 198.18.0.20)", r.get(0).toString());
        assertEquals("198.18.0.0/24 (198.18.0.200 - 198.18.0.254)", r.get(1).toString());
        assertEquals(
                "198.18.0.0/24 (198.18.0.1 - 198.18.0.254)",
                AddressRange.of(subnet, gw, List.of(), Set.of()).get(0).toString());
        IllegalArgumentException noDash = assertThrows(
                IllegalArgumentException.class, () -> AddressRange.of(subnet, gw, List.of("198.18.0.10"), Set.of()));
        assertEquals("range '198.18.0.10' must be start-end", noDash.getMessage());
        IllegalArgumentException outside = assertThrows(
                IllegalArgumentException.class, () -> AddressRange.of(subnet, gw, List.of("-198.18.1.9"), Set.of()));
        assertTrue(
                outside.getMessage().contains("rangeEnd 198.18.1.9 is outside subnet 198.18.0.0/24"),
                outside.getMessage());
    }
}
