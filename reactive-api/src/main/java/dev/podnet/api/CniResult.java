package dev.podnet.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An endpoint as a CNI 1.1 result: what a runtime expects on a CNI plugin's stdout after ADD.
 * Interfaces: the host end of the veth (with its MAC), the sandbox interface (with its MAC and
 * sandbox path), and for a VM endpoint its tap (in the sandbox: what the VM attaches to); one IP per
 * family on the sandbox interface with its gateway; a default route per family when the network
 * gives one, then the network's and the endpoint's further routes; the network's DNS.
 */
public final class CniResult {
    /** The CNI specification version this result follows. */
    public static final String CNI_VERSION = "1.1.0";

    private CniResult() {}

    /** The result as a JSON object (key order as the specification lists them). */
    public static Map<String, Object> of(Endpoint r, Network network) {
        boolean defaultRoute = network == null || network.defaultRoute();
        Map<String, Object> host = Json.object();
        host.put("name", r.hostIfName());
        if (r.hostMac() != null) {
            host.put("mac", r.hostMac());
        }
        Map<String, Object> sandbox = Json.object();
        sandbox.put("name", r.ifName());
        sandbox.put("mac", r.mac());
        if (r.mtu() > 0) {
            sandbox.put("mtu", r.mtu());
        }
        sandbox.put("sandbox", r.netns());
        List<Object> ips = new ArrayList<>();
        List<Object> routes = new ArrayList<>();
        int ipOn = r.tap() == null ? 1 : 2; // the sandbox interface, or the VM's tap
        if (r.address() != null) {
            ips.add(ip(r.address(), r.gateway(), ipOn));
            if (defaultRoute) {
                routes.add(route("0.0.0.0/0", r.gateway()));
            }
        }
        if (r.address6() != null) {
            ips.add(ip(r.address6(), r.gateway6(), ipOn));
            if (defaultRoute) {
                routes.add(route("::/0", r.gateway6()));
            }
        }
        for (String extra : r.routes()) {
            String[] p = extra.split(" via ", 2);
            routes.add(route(p[0], p[1]));
        }
        Map<String, Object> result = Json.object();
        result.put("cniVersion", CNI_VERSION);
        List<Object> interfaces = new ArrayList<>(List.of(host, sandbox));
        if (r.tap() != null) {
            // the VM takes the endpoint's MAC and addresses through the tap (the sandbox interface got a new MAC)
            Map<String, Object> tap = Json.object();
            tap.put("name", r.tap());
            tap.put("mac", r.mac());
            if (r.mtu() > 0) {
                tap.put("mtu", r.mtu());
            }
            tap.put("sandbox", r.netns());
            interfaces.add(tap);
        }
        result.put("interfaces", interfaces);
        result.put("ips", ips);
        result.put("routes", routes);
        result.put("dns", dns(network));
        return result;
    }

    /** CNI's {@code dns}: only the keys that have values. */
    static Map<String, Object> dns(Network network) {
        Map<String, Object> dns = Json.object();
        if (network == null) {
            return dns;
        }
        if (!network.nameservers().isEmpty()) {
            dns.put("nameservers", network.nameservers());
        }
        if (network.domain() != null) {
            dns.put("domain", network.domain());
        }
        if (!network.search().isEmpty()) {
            dns.put("search", network.search());
        }
        if (!network.dnsOptions().isEmpty()) {
            dns.put("options", network.dnsOptions());
        }
        return dns;
    }

    private static Map<String, Object> ip(String address, String gateway, int iface) {
        Map<String, Object> ip = Json.object();
        ip.put("address", address);
        ip.put("gateway", gateway);
        ip.put("interface", iface);
        return ip;
    }

    private static Map<String, Object> route(String dst, String gw) {
        Map<String, Object> route = Json.object();
        route.put("dst", dst);
        route.put("gw", gw);
        return route;
    }

    /** {@link #of} written as JSON. */
    public static String json(Endpoint r, Network network) {
        return Json.write(of(r, network));
    }
}
