package dev.podnet.dataplane.endpoint;

import dev.podnet.dataplane.ipam.AddressAllocator;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.state.NetworkMode;
import dev.podnet.dataplane.state.NetworkRecord;

import java.net.InetAddress;

/**
 * A network as it runs: its record, the bridge's ifindex in the host namespace (0 for a ptp
 * network, which has none), and its address allocators (the IPv6 ones null on an IPv4 network).
 */
public record AttachedNetwork(NetworkRecord record, int bridgeIndex, Cidr subnet, InetAddress gateway,
                              AddressAllocator allocator, Cidr subnet6, InetAddress gateway6, AddressAllocator allocator6) {
    public String name() {
        return record.name();
    }

    public int mtu() {
        return record.mtu();
    }

    public NetworkMode mode() {
        return record.mode();
    }
}
