package dev.podnet.api;

import dev.podnet.dataplane.endpoint.EndpointRecord;

/**
 * A sandbox plugged into a network.
 *
 * @param id          {@code containerId/ifName}, unique (see {@link Dataplane#resolve})
 * @param containerId the sandbox's container id
 * @param ifName      its interface inside the sandbox
 * @param network     the network
 * @param netns       path of the sandbox's network namespace
 * @param hostIfName  the host end of the veth
 * @param mac         the sandbox interface's MAC
 * @param address     its IPv4 address with prefix, e.g. {@code 198.18.0.2/16}; null on an IPv6-only network
 * @param gateway     its IPv4 gateway; null on an IPv6-only network
 * @param tap         for a VM endpoint, the tap inside the sandbox the VM attaches to (it takes {@code mac},
 *                    {@code address} and the default route via {@code gateway}); null otherwise
 * @param address6    its IPv6 address with prefix on a dual-stack network, else null
 * @param gateway6    its IPv6 default gateway, else null
 */
public record Endpoint(String id, String containerId, String ifName, String network, String netns, String hostIfName,
                       String mac, String address, String gateway, String tap, String address6, String gateway6) {
    static Endpoint of(EndpointRecord r) {
        return new Endpoint(r.id(), r.containerId(), r.ifName(), r.network(), r.netns(), r.hostIfName(), r.mac(),
                r.address().isEmpty() ? null : r.address(), r.gateway().isEmpty() ? null : r.gateway(),
                r.vmTap().isEmpty() ? null : r.vmTap(),
                r.address6().isEmpty() ? null : r.address6(), r.gateway6().isEmpty() ? null : r.gateway6());
    }
}
