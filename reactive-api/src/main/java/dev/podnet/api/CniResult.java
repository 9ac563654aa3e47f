package dev.podnet.api;

import dev.podnet.dataplane.endpoint.EndpointRecord;

import java.util.List;
import java.util.Map;

/**
 * An endpoint as a CNI 1.1 result: what a runtime expects on a CNI plugin's stdout after ADD.
 * Interfaces: the host end of the veth, then the sandbox interface (with its MAC and sandbox path);
 * one IP on the sandbox interface with its gateway; the default route via the gateway; no DNS.
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
        sandbox.put("sandbox", r.netns());
        Map<String, Object> ip = Json.object();
        ip.put("address", r.address());
        ip.put("gateway", r.gateway());
        ip.put("interface", 1);
        Map<String, Object> route = Json.object();
        route.put("dst", r.gateway().contains(":") ? "::/0" : "0.0.0.0/0");
        route.put("gw", r.gateway());
        Map<String, Object> result = Json.object();
        result.put("cniVersion", CNI_VERSION);
        result.put("interfaces", List.of(host, sandbox));
        result.put("ips", List.of(ip));
        result.put("routes", List.of(route));
        result.put("dns", Json.object());
        return result;
    }

    /** {@link #of} written as JSON. */
    public static String json(EndpointRecord r) {
        return Json.write(of(r));
    }
}
