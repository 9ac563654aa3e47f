package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.PortMapping;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import java.net.InetAddress;
import java.util.List;

/**
 * An endpoint to add, validated by the API's {@code EndpointSpec}: optional fields are null (or 0
 * for the MTU, the network's then).
 */
public record AddRequest(
        String network,
        String containerId,
        String ifName,
        NetNs netns,
        int mtu,
        MacAddress mac,
        String podName,
        String podNamespace,
        InetAddress address,
        InetAddress address6,
        boolean vm,
        List<PortMapping> ports) {
    public AddRequest {
        ports = List.copyOf(ports == null ? List.of() : ports);
    }
}
