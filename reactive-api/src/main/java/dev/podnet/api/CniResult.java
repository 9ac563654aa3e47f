package dev.podnet.api;

import dev.podnet.dataplane.endpoint.EndpointRecord;

import java.util.List;
import java.util.Map;

/**
 * An endpoint as a CNI 1.1 result: what a runtime expects on a CNI plugin's stdout after ADD.
 * Interfaces: the host end of the veth, then the sandbox interface (with its MAC and sandbox path);
 * one IP per family on the sandbox interface with its gateway; a default route per family; no DNS.
 */
public final class CniResult {
    /** The CNI specification version this result follows. */
    public static final String CNI_VERSION = "1.1.0";

    private CniResult() {
    }

    /** The result as a JSON object (key order as the specification lists them). */
    public static Map<String, Object> of(EndpointRecord r) {
        Map<String, Object> host = Json.object();
        host.put("name", r.hostIfName());
        Map<String, Object> sandbox = Json.object();
        sandbox.put("name", r.ifName());
        sandbox.put("mac", r.mac());
        if (r.mtu() > 0) {
            sandbox.put("mtu", r.mtu());
        }
        sandbox.put("sandbox", r.netns());
        java.util.List<Object> ips = new java.util.ArrayList<>();
        java.util.List<Object> routes = new java.util.ArrayList<>();
        ips.add(ip(r.address(), r.gateway()));
        routes.add(route("0.0.0.0/0", r.gateway()));
        if (!r.address6().isEmpty()) {
            ips.add(ip(r.address6(), r.gateway6()));
            routes.add(route("::/0", r.gateway6()));
        }
        for (String extra : r.routes()) {
            String[] p = extra.split(" via ", 2);
            routes.add(route(p[0], p[1]));
        }
        Map<String, Object> result = Json.object();
        result.put("cniVersion", CNI_VERSION);
        result.put("interfaces", List.of(host, sandbox));
        result.put("ips", ips);
        result.put("routes", routes);
        result.put("dns", Json.object());
        return result;
    }

    private static Map<String, Object> ip(String address, String gateway) {
        Map<String, Object> ip = Json.object();
        ip.put("address", address);
        ip.put("gateway", gateway);
        ip.put("interface", 1);
        return ip;
    }

    private static Map<String, Object> route(String dst, String gw) {
        Map<String, Object> route = Json.object();
        route.put("dst", dst);
        route.put("gw", gw);
        return route;
    }

    /** {@link #of} written as JSON. */
    public static String json(EndpointRecord r) {
        return Json.write(of(r));
    }
}
