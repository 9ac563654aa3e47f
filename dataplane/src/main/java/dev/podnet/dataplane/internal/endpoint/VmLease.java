package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.internal.dhcp.DhcpLease;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/** What a VM endpoint's VM is served by DHCP: the pod's address, gateway, routes, MTU and DNS. */
public final class VmLease {
    /**
     * The VM keeps its address for the endpoint's life: a lease that never needs renewing (about
     * 68 years; renewals would go by unicast to the server identifier, the gateway, which is not
     * where the responder listens).
     */
    static final int LEASE_SECONDS = Integer.MAX_VALUE;

    private VmLease() {}

    /** The IPv4 lease of VM endpoint {@code r} on {@code network}: address, gateway, routes, MTU, DNS. */
    public static DhcpLease of(EndpointRecord r, NetworkRecord network) {
        Cidr address = Cidr.parse(r.address());
        Inet4Address gateway = (Inet4Address) Cidr.parseAddress(r.gateway(), "gateway");
        List<DhcpLease.Route> routes = new ArrayList<>();
        for (String route : r.routes()) {
            String[] p = route.split(" via ", 2);
            Cidr dst = Cidr.parse(p[0]);
            if (dst.isIpv4()) {
                routes.add(
                        new DhcpLease.Route((Inet4Address) dst.network().address(), dst.prefixLength(), (Inet4Address)
                                Cidr.parseAddress(p[1], "route gateway")));
            }
        }
        List<Inet4Address> dns = new ArrayList<>();
        for (String s : network.pod().nameservers()) {
            if (Cidr.parseAddress(s, "nameserver") instanceof Inet4Address a) {
                dns.add(a);
            }
        }
        int mtu = r.mtu() != 0 ? r.mtu() : network.mtu();
        return new DhcpLease(
                MacAddress.parse(r.mac()),
                (Inet4Address) address.address(),
                address.prefixLength(),
                network.pod().defaultRoute() ? gateway : null,
                mtu,
                routes,
                dns,
                network.pod().domain(),
                network.pod().search(),
                LEASE_SECONDS,
                gateway);
    }
}
