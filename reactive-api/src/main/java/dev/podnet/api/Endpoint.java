package dev.podnet.api;

import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import java.time.Instant;
import java.util.List;

/**
 * A sandbox plugged into a network, as podnet records it. Absent values are null.
 *
 * @param id           {@code containerId/ifName}, unique (see {@link Endpoints#resolve})
 * @param containerId  the sandbox's container id
 * @param ifName       its interface inside the sandbox
 * @param network      the network
 * @param netns        path of the sandbox's network namespace
 * @param hostIfName   the host end of the veth
 * @param hostMac      the host end's MAC; null when not known (recorded by an older podnet)
 * @param mac          the sandbox interface's MAC
 * @param address      its IPv4 address with prefix, e.g. {@code 198.18.0.2/16}; null on an IPv6-only network
 * @param gateway      its IPv4 gateway; null on an IPv6-only network
 * @param address6     its IPv6 address with prefix on a dual-stack network, else null
 * @param gateway6     its IPv6 default gateway, else null
 * @param tap          for a VM endpoint, the tap inside the sandbox the VM attaches to (it takes {@code mac},
 *                     {@code address} and the default route via {@code gateway}); null otherwise
 * @param mtu          both ends' MTU; 0 for the kernel's default
 * @param routes       routes inside the sandbox beyond its default route (the network's, then those added by
 *                     updates), each {@code dst via gateway}
 * @param state        where it is in its life ({@link EndpointState#READY} once added)
 * @param podName      the Kubernetes pod name, or null
 * @param podNamespace the Kubernetes namespace, or null
 * @param sandboxKey   the sandbox it is attached to ({@link Endpoints#attach}), or null
 * @param created      when its add started
 * @param ports        its published ports ({@link dev.podnet.dataplane.PortMapping}'s form, {@code 8080:80/tcp})
 */
public record Endpoint(
        String id,
        String containerId,
        String ifName,
        String network,
        String netns,
        String hostIfName,
        String hostMac,
        String mac,
        String address,
        String gateway,
        String address6,
        String gateway6,
        String tap,
        int mtu,
        List<String> routes,
        EndpointState state,
        String podName,
        String podNamespace,
        String sandboxKey,
        Instant created,
        List<String> ports) {
    public Endpoint {
        routes = List.copyOf(routes);
        ports = List.copyOf(ports == null ? List.of() : ports);
    }

    static Endpoint of(EndpointRecord r) {
        return new Endpoint(
                r.id(),
                r.containerId(),
                r.ifName(),
                r.network(),
                r.netns(),
                r.hostIfName(),
                orNull(r.hostMac()),
                r.mac(),
                orNull(r.address()),
                orNull(r.gateway()),
                orNull(r.address6()),
                orNull(r.gateway6()),
                orNull(r.vmTap()),
                r.mtu(),
                r.routes(),
                r.state(),
                orNull(r.podName()),
                orNull(r.podNamespace()),
                orNull(r.sandboxKey()),
                Instant.ofEpochMilli(r.createdMillis()),
                r.ports());
    }

    static String orNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
