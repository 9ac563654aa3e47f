package dev.podnet.dataplane.internal.state;

import java.util.List;

/**
 * What a network gives each of its pods beyond an address: whether its default route goes through
 * this network, further routes, and DNS settings (CNI's {@code routes} and {@code dns}).
 *
 * @param defaultRoute the pod's default route (per family) goes via this network's gateway; off for a
 *                     pod's second network, so that each pod has one default route per family
 * @param routes       routes installed in every pod, each {@code dst} (via the gateway of its family) or
 *                     {@code dst=gw}
 * @param nameservers  DNS servers, returned to the runtime (CNI {@code dns.nameservers})
 * @param domain       the DNS domain, or empty
 * @param search       DNS search domains
 * @param options      resolver options (e.g. {@code ndots:5})
 */
public record PodConfig(
        boolean defaultRoute,
        List<String> routes,
        List<String> nameservers,
        String domain,
        List<String> search,
        List<String> options) {
    /** A default route, no further routes, no DNS: what every network had before these settings. */
    public static final PodConfig DEFAULT = new PodConfig(true, List.of(), List.of(), "", List.of(), List.of());

    public PodConfig {
        routes = List.copyOf(routes == null ? List.of() : routes);
        nameservers = List.copyOf(nameservers == null ? List.of() : nameservers);
        domain = domain == null ? "" : domain;
        search = List.copyOf(search == null ? List.of() : search);
        options = List.copyOf(options == null ? List.of() : options);
    }

    /** True when there is any DNS setting to hand out. */
    public boolean hasDns() {
        return !nameservers.isEmpty() || !domain.isEmpty() || !search.isEmpty() || !options.isEmpty();
    }

    /** The route entry's destination ({@code dst} or {@code dst=gw}). */
    public static String destination(String route) {
        int eq = route.indexOf('=');
        return eq < 0 ? route : route.substring(0, eq);
    }

    /** The route entry's gateway, or null for the gateway of its family. */
    public static String gateway(String route) {
        int eq = route.indexOf('=');
        return eq < 0 ? null : route.substring(eq + 1);
    }
}
