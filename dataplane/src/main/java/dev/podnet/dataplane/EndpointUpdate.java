package dev.podnet.dataplane;

import dev.podnet.dataplane.ipam.Cidr;
import java.net.InetAddress;
import java.util.List;

/**
 * Changes to a live endpoint: a new MTU for both ends of its veth (0: unchanged) and routes to add
 * inside the sandbox.
 */
public record EndpointUpdate(int mtu, List<Route> addRoutes) {
    /** {@code dst via gateway} on the sandbox interface. */
    public record Route(Cidr dst, InetAddress gateway) {
        /** As the record keeps it: {@code dst via gateway}. */
        public String text() {
            return dst + " via " + dev.podnet.netlink.route.IprouteNames.address(gateway);
        }
    }

    public EndpointUpdate {
        addRoutes = List.copyOf(addRoutes == null ? List.of() : addRoutes);
    }

    public static EndpointUpdate mtu(int mtu) {
        return new EndpointUpdate(mtu, List.of());
    }

    public EndpointUpdate withRoute(String dst, String gateway) {
        java.util.List<Route> routes = new java.util.ArrayList<>(addRoutes);
        try {
            routes.add(new Route(Cidr.parse(dst).network(), Cidr.parseAddress(gateway, "route gateway")));
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(e.getMessage());
        }
        return new EndpointUpdate(mtu, routes);
    }
}
