package dev.podnet.dataplane.endpoint;

import dev.podnet.dataplane.ipam.AddressAllocator;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.state.NetworkRecord;

import java.net.InetAddress;

/**
 * A bridge network as it runs: its record, the bridge's ifindex in the host namespace, and its
 * address allocator.
 */
public record BridgeNetwork(NetworkRecord record, int bridgeIndex, Cidr subnet, InetAddress gateway,
                            AddressAllocator allocator) {
    public String name() {
        return record.name();
    }

    public int mtu() {
        return record.mtu();
    }
}
