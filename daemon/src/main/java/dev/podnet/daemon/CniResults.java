package dev.podnet.daemon;

import dev.podnet.api.CniResult;
import dev.podnet.api.Endpoint;
import dev.podnet.api.Json;
import dev.podnet.api.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An endpoint as the CNI result of an ADD, in the version the runtime asked for: 1.0.0 and 1.1.0 as
 * {@link CniResult} writes it, 0.3.0, 0.3.1 and 0.4.0 the same with each IP's {@code version} ("4" or
 * "6"), which those versions require. Every interface carries its MAC where podnet knows it (the
 * sandbox interface always: podman refuses a result without it).
 */
public final class CniResults {
    private CniResults() {}

    /** The result of adding {@code endpoint} to {@code network}, in {@code cniVersion}. */
    public static Map<String, Object> of(Endpoint endpoint, Network network, String cniVersion) {
        Map<String, Object> result = CniResult.of(endpoint, network);
        // the key exists, so it keeps its place (first)
        result.put("cniVersion", cniVersion);
        if (!NetworkConfig.atLeast(cniVersion, "1.0.0")) {
            result.put("ips", withIpVersions(result.get("ips")));
        }
        return result;
    }

    /** {@link #of} as JSON. */
    public static String json(Endpoint endpoint, Network network, String cniVersion) {
        return Json.write(of(endpoint, network, cniVersion));
    }

    /** The ips with {@code "version"} first in each, as the 0.3 and 0.4 results write it. */
    private static List<Object> withIpVersions(Object ips) {
        List<Object> out = new ArrayList<>();
        if (ips instanceof List<?> list) {
            for (Object ip : list) {
                if (ip instanceof Map<?, ?> m) {
                    Map<String, Object> v = Json.object();
                    v.put("version", String.valueOf(m.get("address")).contains(":") ? "6" : "4");
                    m.forEach((k, val) -> v.put(String.valueOf(k), val));
                    out.add(v);
                }
            }
        }
        return out;
    }
}
