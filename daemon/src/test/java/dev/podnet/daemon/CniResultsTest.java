package dev.podnet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.api.Endpoint;
import dev.podnet.api.Json;
import dev.podnet.api.Network;
import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.NetworkMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ADD result's shape per CNI version: IPs carry "version" before 1.0.0 only; interfaces carry MACs. */
class CniResultsTest {
    private static final Network NETWORK = new Network(
            "pods",
            NetworkMode.BRIDGE,
            "pnbr0",
            7,
            "198.18.0.0/16",
            "198.18.0.1",
            "fd00:18::/64",
            "fd00:18::1",
            false,
            0,
            List.of(),
            List.of(),
            List.of(),
            false,
            false,
            null,
            true,
            List.of(),
            List.of("198.18.0.53"),
            null,
            List.of(),
            List.of(),
            false,
            false);

    private static final Endpoint ENDPOINT = new Endpoint(
            "c1/eth0",
            "c1",
            "eth0",
            "pods",
            "/run/netns/pod-1",
            "pn0a1b2c3d",
            "02:00:00:00:00:01",
            "02:00:00:00:00:02",
            "198.18.0.2/16",
            "198.18.0.1",
            "fd00:18::2/64",
            "fd00:18::1",
            null,
            0,
            List.of(),
            EndpointState.READY,
            "web-0",
            "default",
            null,
            Instant.EPOCH,
            List.of());

    @Test
    void version110IsTheApisResultWithoutIpVersions() {
        Map<String, Object> r = CniResults.of(ENDPOINT, NETWORK, "1.1.0");
        assertEquals("1.1.0", r.get("cniVersion"));
        assertEquals("cniVersion", r.keySet().iterator().next(), "cniVersion first");
        for (Map<?, ?> ip : maps(r.get("ips"))) {
            assertFalse(ip.containsKey("version"), ip.toString());
        }
        assertEquals(List.of("198.18.0.2/16", "fd00:18::2/64"), addresses(r));
    }

    @Test
    void version100TooHasNoIpVersions() {
        Map<String, Object> r = CniResults.of(ENDPOINT, NETWORK, "1.0.0");
        assertEquals("1.0.0", r.get("cniVersion"));
        maps(r.get("ips")).forEach(ip -> assertFalse(ip.containsKey("version"), ip.toString()));
    }

    @Test
    void version040And03xCarryTheFamilyOfEachIp() {
        for (String v : List.of("0.4.0", "0.3.1", "0.3.0")) {
            Map<String, Object> r = CniResults.of(ENDPOINT, NETWORK, v);
            assertEquals(v, r.get("cniVersion"));
            List<Map<?, ?>> ips = maps(r.get("ips"));
            assertEquals("4", ips.get(0).get("version"));
            assertEquals("6", ips.get(1).get("version"));
            assertEquals("version", ips.get(0).keySet().iterator().next(), "version first, as 0.x writes it");
            assertEquals("198.18.0.2/16", ips.get(0).get("address"));
            assertEquals("198.18.0.1", ips.get(0).get("gateway"));
            assertEquals(1L, ((Number) ips.get(0).get("interface")).longValue(), "the sandbox interface");
        }
    }

    @Test
    void everyInterfaceHasItsMacAndTheSandboxItsPath() {
        Map<String, Object> r = CniResults.of(ENDPOINT, NETWORK, "1.1.0");
        List<Map<?, ?>> interfaces = maps(r.get("interfaces"));
        assertEquals(2, interfaces.size());
        assertEquals("pn0a1b2c3d", interfaces.get(0).get("name"));
        assertEquals("02:00:00:00:00:01", interfaces.get(0).get("mac"));
        assertEquals("eth0", interfaces.get(1).get("name"));
        assertEquals("02:00:00:00:00:02", interfaces.get(1).get("mac"));
        assertEquals("/run/netns/pod-1", interfaces.get(1).get("sandbox"));
    }

    @Test
    void theJsonReadsBackTheSame() {
        String json = CniResults.json(ENDPOINT, NETWORK, "0.4.0");
        Object back = Json.read(json);
        Map<?, ?> m = assertInstanceOf(Map.class, back);
        assertEquals("0.4.0", m.get("cniVersion"));
        assertTrue(json.contains("\"version\":\"4\""), json);
        Map<?, ?> dns = assertInstanceOf(Map.class, m.get("dns"));
        assertEquals(List.of("198.18.0.53"), dns.get("nameservers"));
    }

    private static List<String> addresses(Map<String, Object> r) {
        return maps(r.get("ips")).stream().map(ip -> (String) ip.get("address")).toList();
    }

    private static List<Map<?, ?>> maps(Object list) {
        List<?> l = assertInstanceOf(List.class, list);
        List<Map<?, ?>> out = new ArrayList<>();
        for (Object o : l) {
            Map<?, ?> m = assertInstanceOf(Map.class, o);
            out.add(m);
        }
        return out;
    }
}
