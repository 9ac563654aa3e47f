package dev.podnet.api;

import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.endpoint.AttachedNetwork;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.internal.state.PodConfig;
import dev.podnet.dataplane.ipam.Cidr;
import java.util.List;

/**
 * A network as podnet holds it (see {@link NetworkSpec} for what each setting means). Absent
 * values are null.
 *
 * @param name         its name
 * @param mode         bridge or ptp
 * @param bridge       the bridge in the host namespace; null in ptp mode
 * @param bridgeIndex  the bridge's ifindex in the host namespace; 0 in ptp mode (or read-only, bridge missing)
 * @param subnet       the IPv4 subnet; null on an IPv6-only network
 * @param gateway      the IPv4 gateway
 * @param subnet6      the IPv6 subnet on a dual-stack network, else null
 * @param gateway6     the IPv6 gateway
 * @param ipv6FromMac  IPv6 addresses derived from the MAC (EUI-64) rather than allocated
 * @param mtu          the MTU of its links; 0 for the kernel's default
 * @param ranges       the IPv4 range sets ({@code start-end} or {@code CIDR=GATEWAY})
 * @param ranges6      the IPv6 range sets
 * @param reserved     addresses never handed out
 * @param hairpin      bridge ports in hairpin mode
 * @param macFromIp    sandbox MACs derived from their IPv4 address
 * @param uplink       the host interface enslaved to the bridge, or null
 * @param defaultRoute whether sandboxes get a default route via the gateway
 * @param routes       further routes for the sandboxes, each {@code dst via gateway}
 * @param nameservers  DNS servers handed to the runtime
 * @param domain       the DNS domain, or null
 * @param search       DNS search domains
 * @param dnsOptions   resolver options
 * @param ipMasq       traffic leaving the network is masqueraded ({@link NetworkSpec#withIpMasq})
 * @param linkLocalGateway pods use 169.254.1.1 (fe80::1) as their gateway, shown as {@code gateway}
 *                     ({@code gateway6}), and the host ends hold no address ({@link NetworkSpec#withLinkLocalGateway})
 */
public record Network(
        String name,
        NetworkMode mode,
        String bridge,
        int bridgeIndex,
        String subnet,
        String gateway,
        String subnet6,
        String gateway6,
        boolean ipv6FromMac,
        int mtu,
        List<String> ranges,
        List<String> ranges6,
        List<String> reserved,
        boolean hairpin,
        boolean macFromIp,
        String uplink,
        boolean defaultRoute,
        List<String> routes,
        List<String> nameservers,
        String domain,
        List<String> search,
        List<String> dnsOptions,
        boolean ipMasq,
        boolean linkLocalGateway) {
    public Network {
        ranges = List.copyOf(ranges);
        ranges6 = List.copyOf(ranges6);
        reserved = List.copyOf(reserved);
        routes = List.copyOf(routes);
        nameservers = List.copyOf(nameservers);
        search = List.copyOf(search);
        dnsOptions = List.copyOf(dnsOptions);
    }

    static Network of(AttachedNetwork n) {
        NetworkRecord r = n.record();
        PodConfig pod = r.pod();
        return new Network(
                r.name(),
                r.mode(),
                Endpoint.orNull(r.bridge()),
                n.bridgeIndex(),
                Endpoint.orNull(r.subnet()),
                r.linkLocalGateway() && r.ipv4()
                        ? Cidr.text(AttachedNetwork.LINK_LOCAL_GATEWAY4)
                        : Endpoint.orNull(r.gateway()),
                Endpoint.orNull(r.subnet6()),
                r.linkLocalGateway() && r.ipv6()
                        ? Cidr.text(AttachedNetwork.LINK_LOCAL_GATEWAY6)
                        : Endpoint.orNull(r.gateway6()),
                r.ipv6FromMac(),
                r.mtu(),
                r.ranges(),
                r.ranges6(),
                r.reserved(),
                r.hairpin(),
                r.macFromIp(),
                Endpoint.orNull(r.uplink()),
                pod.defaultRoute(),
                pod.routes(),
                pod.nameservers(),
                Endpoint.orNull(pod.domain()),
                pod.search(),
                pod.options(),
                r.ipMasq(),
                r.linkLocalGateway());
    }

    /** True when the network hands out IPv4 addresses. */
    public boolean ipv4() {
        return subnet != null;
    }

    /** True when the network is dual stack (or IPv6-only). */
    public boolean ipv6() {
        return subnet6 != null;
    }
}
