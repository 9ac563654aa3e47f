package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.ipam.AddressAllocator;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.ipam.Cidr;
import java.net.InetAddress;

/**
 * A network as it runs: its record, the bridge's ifindex in the host namespace (0 for a ptp
 * network, which has none), and its address allocators (the IPv4 ones null on an IPv6-only network,
 * the IPv6 ones null on an IPv4 network or one that derives IPv6 addresses from MACs).
 */
public record AttachedNetwork(
        NetworkRecord record,
        int bridgeIndex,
        Cidr subnet,
        InetAddress gateway,
        AddressAllocator allocator,
        Cidr subnet6,
        InetAddress gateway6,
        AddressAllocator allocator6) {
    /** The IPv4 gateway of a network with {@link NetworkRecord#linkLocalGateway()} (Calico's). */
    public static final InetAddress LINK_LOCAL_GATEWAY4 = Cidr.parseAddress("169.254.1.1", "gateway");

    /** Its IPv6 gateway. */
    public static final InetAddress LINK_LOCAL_GATEWAY6 = Cidr.parseAddress("fe80::1", "gateway6");

    /** The IPv6 gateway pods use: the network's, or {@link #LINK_LOCAL_GATEWAY6}; null without IPv6. */
    public InetAddress podGateway6() {
        return gateway6 == null ? null : record.linkLocalGateway() ? LINK_LOCAL_GATEWAY6 : gateway6;
    }

    public String name() {
        return record.name();
    }

    public int mtu() {
        return record.mtu();
    }

    public NetworkMode mode() {
        return record.mode();
    }

    /** True when the network hands out IPv4 addresses. */
    public boolean ipv4() {
        return subnet != null;
    }

    /**
     * The range whose subnet holds {@code address} (a network's range set may span several subnets,
     * each with its own gateway), or null.
     */
    public dev.podnet.dataplane.internal.ipam.AddressRange rangeOf(InetAddress address) {
        for (AddressAllocator a : allocators()) {
            for (var r : a.ranges()) {
                if (r.subnet().isIpv4() == (address.getAddress().length == 4)
                        && r.subnet().contains(address)) {
                    return r;
                }
            }
        }
        return null;
    }

    /** The gateway pods with {@code address} use: that of the subnet holding it (the network's, by default). */
    public InetAddress gatewayOf(Cidr address) {
        if (record.linkLocalGateway()) {
            return address.isIpv4() ? LINK_LOCAL_GATEWAY4 : LINK_LOCAL_GATEWAY6;
        }
        var r = rangeOf(address.address());
        return r != null && r.gateway() != null ? r.gateway() : address.isIpv4() ? gateway : gateway6;
    }

    /** The subnet that holds {@code address}. */
    public Cidr subnetOf(Cidr address) {
        var r = rangeOf(address.address());
        return r != null ? r.subnet() : address.isIpv4() ? subnet : subnet6;
    }

    /** Every (subnet, gateway) of the family's range set: the network's own first, then further ones. */
    public java.util.List<dev.podnet.dataplane.internal.ipam.AddressRange> subnetsOf(AddressAllocator allocator) {
        java.util.Map<Cidr, dev.podnet.dataplane.internal.ipam.AddressRange> bySubnet = new java.util.LinkedHashMap<>();
        if (allocator != null) {
            allocator.ranges().forEach(r -> bySubnet.putIfAbsent(r.subnet(), r));
        }
        return java.util.List.copyOf(bySubnet.values());
    }

    /**
     * Reserves the endpoint's address of each family the network hands out: the one asked for
     * ({@code v4}, {@code v6}; null: the next free one). Both or neither: when the second cannot be
     * had, the first is released again.
     */
    public Reserved reserve(String containerId, String ifName, InetAddress v4, InetAddress v6) {
        try {
            Cidr a = allocator == null ? null : reserve(allocator, containerId, ifName, v4);
            Cidr a6 = allocator6 == null ? null : reserve(allocator6, containerId, ifName, v6);
            return new Reserved(a, a6);
        } catch (RuntimeException e) {
            releaseAll(containerId, ifName);
            throw e;
        }
    }

    private static Cidr reserve(AddressAllocator allocator, String containerId, String ifName, InetAddress wanted) {
        return wanted != null
                ? allocator.allocateStatic(containerId, ifName, wanted)
                : allocator.allocate(containerId, ifName);
    }

    /** What {@link #reserve} reserved: an address per family, null for a family the network lacks. */
    public record Reserved(Cidr address, Cidr address6) {}

    /** Releases {@code containerId}/{@code ifName}'s reservations in every family. */
    public void releaseAll(String containerId, String ifName) {
        if (allocator != null) {
            allocator.release(containerId, ifName);
        }
        if (allocator6 != null) {
            allocator6.release(containerId, ifName);
        }
    }

    /** The allocators the network has (one per family it hands out from). */
    public java.util.List<AddressAllocator> allocators() {
        java.util.List<AddressAllocator> all = new java.util.ArrayList<>(2);
        if (allocator != null) {
            all.add(allocator);
        }
        if (allocator6 != null) {
            all.add(allocator6);
        }
        return all;
    }
}
