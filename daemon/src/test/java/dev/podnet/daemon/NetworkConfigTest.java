package dev.podnet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.api.Json;
import dev.podnet.api.NetworkSpec;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The plugin configuration read into a NetworkSpec, and every bad field named with its code. */
class NetworkConfigTest {
    private static final String BRIDGE = """
            {"cniVersion": "1.1.0", "name": "pods", "type": "podnet", "bridge": "pnbr0", "mtu": 1450,
             "socket": "/run/podnet/podnet.sock", "stateDir": "/var/lib/podnet", "unknownField": [1, 2],
             "ipam": {"type": "host-local",
                      "ranges": [[{"subnet": "198.18.0.0/16", "rangeStart": "198.18.0.10",
                                   "rangeEnd": "198.18.0.200", "gateway": "198.18.0.1"},
                                  {"subnet": "198.19.41.0/24", "gateway": "198.19.41.254"}],
                                 [{"subnet": "fd00:18::/64", "gateway": "fd00:18::1"}]],
                      "routes": [{"dst": "0.0.0.0/0"}, {"dst": "198.20.0.0/24", "gw": "198.18.0.254"}]},
             "dns": {"nameservers": ["198.18.0.53"], "domain": "cluster.local", "search": ["svc.cluster.local"],
                     "options": ["ndots:5"]},
             "runtimeConfig": {"ips": ["198.18.0.7/16", "fd00:18::7"], "mac": "02:00:00:00:00:07"}}
            """;

    @Test
    void aBridgeConfigGivesItsSubnetsRangesRoutesAndDns() {
        NetworkConfig c = NetworkConfig.parse(bytes(BRIDGE));
        NetworkSpec expected = NetworkSpec.bridge("pods", "pnbr0", "198.18.0.0/16")
                .withMtu(1450)
                .withGateway("198.18.0.1")
                .withRange("198.18.0.10", "198.18.0.200")
                .withSubnetRange("198.19.41.0/24", "198.19.41.254")
                .withIpv6("fd00:18::/64")
                .withIpv6Gateway("fd00:18::1")
                .withRoute("198.20.0.0/24", "198.18.0.254")
                .withDns(List.of("198.18.0.53"), "cluster.local", List.of("svc.cluster.local"), List.of("ndots:5"));
        assertEquals(expected, c.spec());
        assertEquals("1.1.0", c.cniVersion());
        assertEquals("pods", c.name());
        assertEquals(
                List.of(Cidr.parseAddress("198.18.0.7", "ip"), Cidr.parseAddress("fd00:18::7", "ip")), c.runtimeIps());
        assertEquals(MacAddress.parse("02:00:00:00:00:07"), c.runtimeMac());
    }

    @Test
    void aPtpConfigWithRoutesButNoDefaultRouteGivesOnlyThoseRoutes() {
        NetworkConfig c = NetworkConfig.parse(bytes("""
                        {"cniVersion": "0.4.0", "name": "routed", "type": "podnet", "mode": "ptp",
                         "ipam": {"ranges": [[{"subnet": "198.19.0.0/24"}]], "routes": [{"dst": "198.20.0.0/24"}]}}
                        """));
        NetworkSpec expected = NetworkSpec.ptp("routed", "198.19.0.0/24")
                .withRoute("198.20.0.0/24", null)
                .withDefaultRoute(false);
        assertEquals(expected, c.spec());
        assertEquals("0.4.0", c.cniVersion());
        assertEquals(List.of(), c.runtimeIps());
        assertNull(c.runtimeMac());

        NetworkConfig ll = NetworkConfig.parse(bytes("""
                        {"cniVersion": "1.0.0", "name": "routed", "type": "podnet", "mode": "ptp",
                         "linkLocalGateway": true, "ipam": {"ranges": [[{"subnet": "198.19.0.0/24"}]]}}
                        """));
        assertTrue(ll.spec().linkLocalGateway());
        assertEquals(NetworkSpec.ptp("routed", "198.19.0.0/24").withLinkLocalGateway(true), ll.spec());
    }

    @Test
    void anIpv6OnlyNetworkAndHostLocalsOlderSingleSubnetForm() {
        NetworkConfig v6 = NetworkConfig.parse(bytes("""
                        {"cniVersion": "1.0.0", "name": "v6", "type": "podnet",
                         "ipam": {"ranges": [[{"subnet": "fd00:19::/64", "rangeStart": "fd00:19::a",
                                               "rangeEnd": "fd00:19::ff"}]]}}
                        """));
        assertEquals(
                NetworkSpec.bridge("v6", NetworkConfig.DEFAULT_BRIDGE, null)
                        .withIpv6("fd00:19::/64")
                        .withRange6("fd00:19::a", "fd00:19::ff"),
                v6.spec());
        NetworkConfig legacy = NetworkConfig.parse(bytes("""
                        {"cniVersion": "0.3.1", "name": "old", "type": "podnet",
                         "ipam": {"type": "host-local", "subnet": "198.18.0.0/24", "gateway": "198.18.0.254"}}
                        """));
        assertEquals(
                NetworkSpec.bridge("old", NetworkConfig.DEFAULT_BRIDGE, "198.18.0.0/24")
                        .withGateway("198.18.0.254"),
                legacy.spec());
    }

    @Test
    void cniVersionsChoosesTheNewestSupported() {
        Map<String, Object> c = base();
        c.remove("cniVersion");
        c.put("cniVersions", List.of("0.4.0", "1.1.0", "9.9.9", "1.0.0"));
        assertEquals("1.1.0", NetworkConfig.parse(bytes(c)).cniVersion());
        assertEquals("1.1.0", NetworkConfig.version(bytes(c)));
        assertTrue(NetworkConfig.atLeast("1.0.0", "0.4.0"));
        assertFalse(NetworkConfig.atLeast("0.3.1", "0.4.0"));
    }

    @Test
    void versionsPodnetDoesNotSpeakAreCode1() {
        assertError(CniError.INCOMPATIBLE_VERSION, "cniVersion '0.2.0'", c -> c.put("cniVersion", "0.2.0"));
        assertError(CniError.INCOMPATIBLE_VERSION, "cniVersions: none of", c -> {
            c.remove("cniVersion");
            c.put("cniVersions", List.of("0.1.0", "0.2.0"));
        });
        assertEquals(NetworkConfig.LATEST, NetworkConfig.replyVersion(bytes("{\"cniVersion\": \"0.2.0\"}")));
        assertEquals("0.3.1", NetworkConfig.replyVersion(bytes("{\"cniVersion\": \"0.3.1\"}")));
    }

    @Test
    void ipMasqHairpinModeAndThePortMappingsCapability() {
        Map<String, Object> c = base();
        c.put("ipMasq", true);
        c.put("hairpinMode", true);
        c.put(
                "runtimeConfig",
                Map.of(
                        "portMappings",
                        List.of(
                                Map.of("hostPort", 8080, "containerPort", 80, "protocol", "tcp"),
                                Map.of(
                                        "hostPort",
                                        5353,
                                        "containerPort",
                                        53,
                                        "protocol",
                                        "udp",
                                        "hostIP",
                                        "198.18.0.1"),
                                Map.of("hostPort", 9000, "containerPort", 90, "hostIP", ""))));
        NetworkConfig parsed = NetworkConfig.parse(bytes(c));
        assertTrue(parsed.spec().ipMasq());
        assertTrue(parsed.spec().hairpin());
        assertEquals(
                List.of(
                        dev.podnet.dataplane.PortMapping.parse("8080:80/tcp"),
                        dev.podnet.dataplane.PortMapping.parse("198.18.0.1:5353:53/udp"),
                        dev.podnet.dataplane.PortMapping.parse("9000:90/tcp")),
                parsed.runtimePorts());
        assertFalse(NetworkConfig.parse(bytes(base())).spec().ipMasq(), "off unless asked for, as CNI bridge");
        assertError(
                CniError.INVALID_CONFIG,
                "runtimeConfig.portMappings[0]: port mapping: host port must be 1 to 65535, got 0",
                x -> x.put("runtimeConfig", Map.of("portMappings", List.of(Map.of("containerPort", 80)))));
        assertError(
                CniError.INVALID_CONFIG,
                "runtimeConfig.portMappings[0]",
                x -> x.put(
                        "runtimeConfig",
                        Map.of(
                                "portMappings",
                                List.of(Map.of("hostPort", 1, "containerPort", 1, "protocol", "sctp")))));
    }

    @Test
    void eachBadTopLevelFieldIsNamed() {
        assertError(CniError.INVALID_CONFIG, "cniVersion: is required", c -> c.remove("cniVersion"));
        assertError(CniError.INVALID_CONFIG, "name: is required", c -> c.remove("name"));
        assertError(CniError.INVALID_CONFIG, "type: 'bridge' is not 'podnet'", c -> c.put("type", "bridge"));
        assertError(CniError.INVALID_CONFIG, "ipMasq: must be true or false", c -> c.put("ipMasq", "yes"));
        assertError(CniError.INVALID_CONFIG, "mode: 'macvlan' is not bridge or ptp", c -> c.put("mode", "macvlan"));
        assertError(CniError.INVALID_CONFIG, "mtu: must be a whole number", c -> c.put("mtu", "1500"));
        assertError(CniError.INVALID_CONFIG, "bridge: 'br0': a ptp network has no bridge", c -> {
            c.put("mode", "ptp");
            c.put("bridge", "br0");
        });
        assertError(
                CniError.INVALID_CONFIG,
                "linkLocalGateway: true: a link-local gateway is for mode ptp",
                c -> c.put("linkLocalGateway", true));
        assertError(CniError.INVALID_CONFIG, "linkLocalGateway: must be true or false", c -> {
            c.put("mode", "ptp");
            c.put("linkLocalGateway", "yes");
        });
        assertError(CniError.INVALID_CONFIG, "ipam: is required", c -> c.remove("ipam"));
        assertError(CniError.INVALID_CONFIG, "ipam: must be an object", c -> c.put("ipam", "host-local"));
        assertError(
                CniError.INVALID_CONFIG,
                "dns.nameservers[0]: 'ns1'",
                c -> c.put("dns", Map.of("nameservers", List.of("ns1"))));
        assertError(
                CniError.INVALID_CONFIG,
                "runtimeConfig.ips: two IPv4 addresses",
                c -> c.put("runtimeConfig", Map.of("ips", List.of("198.18.0.7/16", "198.18.0.8/16"))));
        assertError(
                CniError.INVALID_CONFIG,
                "runtimeConfig.ips[0]: '198.18.0.300'",
                c -> c.put("runtimeConfig", Map.of("ips", List.of("198.18.0.300"))));
        assertError(CniError.INVALID_CONFIG, "runtimeConfig.mac", c -> c.put("runtimeConfig", Map.of("mac", "02:00")));
    }

    @Test
    void eachBadIpamFieldIsNamedByItsPath() {
        assertError(CniError.INVALID_CONFIG, "ipam.type: 'dhcp' is not host-local", c -> ipam(c).put("type", "dhcp"));
        assertError(CniError.INVALID_CONFIG, "ipam.ranges: is required", c -> ipam(c).remove("ranges"));
        assertError(CniError.INVALID_CONFIG, "ipam.ranges: must hold at least one", c -> ranges(c, List.of()));
        assertError(
                CniError.INVALID_CONFIG,
                "ipam.ranges[0][0].subnet: '198.18.0.0/33' is not a CIDR",
                c -> ranges(c, List.of(List.of(Map.of("subnet", "198.18.0.0/33")))));
        assertError(
                CniError.INVALID_CONFIG,
                "ipam.ranges[0][0].gateway: 198.19.0.1 is outside 198.18.0.0/16",
                c -> ranges(c, List.of(List.of(Map.of("subnet", "198.18.0.0/16", "gateway", "198.19.0.1")))));
        assertError(
                CniError.INVALID_CONFIG,
                "ipam.ranges[0][0].rangeStart: 'x.1' is not an IP address",
                c -> ranges(c, List.of(List.of(Map.of("subnet", "198.18.0.0/16", "rangeStart", "x.1")))));
        assertError(
                CniError.INVALID_CONFIG,
                "ipam.ranges[1]: a second IPv4 range set",
                c -> ranges(
                        c,
                        List.of(
                                List.of(Map.of("subnet", "198.18.0.0/16")),
                                List.of(Map.of("subnet", "198.19.0.0/16")))));
        assertError(
                CniError.INVALID_CONFIG,
                "ipam.ranges[0][1].subnet: fd00:18::/64 is not of the family",
                c -> ranges(c, List.of(List.of(Map.of("subnet", "198.18.0.0/16"), Map.of("subnet", "fd00:18::/64")))));
        assertError(
                CniError.UNSUPPORTED_FIELD,
                "ipam.ranges[0][1].rangeStart: '198.19.0.10'",
                c -> ranges(
                        c,
                        List.of(List.of(
                                Map.of("subnet", "198.18.0.0/16"),
                                Map.of("subnet", "198.19.0.0/24", "rangeStart", "198.19.0.10")))));
        assertError(
                CniError.INVALID_CONFIG,
                "ipam.routes[0].dst: 'default' is not a CIDR",
                c -> ipam(c).put("routes", List.of(Map.of("dst", "default"))));
        assertError(
                CniError.UNSUPPORTED_FIELD,
                "ipam.routes[0].gw: '198.18.0.254': a default route goes via the network's gateway 198.18.0.1",
                c -> ipam(c).put("routes", List.of(Map.of("dst", "0.0.0.0/0", "gw", "198.18.0.254"))));
        assertError(
                CniError.INVALID_CONFIG,
                "ipam.routes[0].dst: ::/0: the network has no IPv6 range set",
                c -> ipam(c).put("routes", List.of(Map.of("dst", "::/0"))));
    }

    @Test
    void textThatIsNotAJsonObjectIsCode6() {
        for (String text : new String[] {"", "{\"cniVersion\": ", "[1, 2]"}) {
            CniError e = assertThrows(CniError.class, () -> NetworkConfig.parse(bytes(text)));
            assertEquals(CniError.DECODE_FAILURE, e.code(), e.toString());
        }
    }

    @Test
    void theHeaderOnlyNeedsAVersion() {
        NetworkConfig c = NetworkConfig.parseHeader(
                bytes("{\"cniVersion\": \"1.1.0\", \"name\": \"pods\", \"type\": \"other\", \"ipMasq\": true}"));
        assertEquals("pods", c.name());
        assertNull(c.spec());
        assertNull(
                NetworkConfig.parseHeader(bytes("{\"cniVersion\": \"1.1.0\"}")).name());
    }

    @Test
    void prevResultIpsAndValidAttachments() {
        Map<String, Object> c = base();
        c.put(
                "prevResult",
                Map.of("ips", List.of(Map.of("address", "198.18.0.7/16"), Map.of("address", "fd00:18:0::7/64"))));
        c.put(
                "cni.dev/valid-attachments",
                List.of(Map.of("containerID", "c1", "ifname", "eth0"), Map.of("containerID", "c2", "ifname", "eth1")));
        NetworkConfig parsed = NetworkConfig.parse(bytes(c));
        assertEquals(List.of("198.18.0.7/16", "fd00:18::7/64"), parsed.prevResultIps());
        assertEquals(Set.of("c1/eth0", "c2/eth1"), parsed.validAttachments());

        Map<String, Object> old = base();
        old.put("cni.dev/attachments", List.of(Map.of("containerID", "c3", "ifname", "eth0")));
        assertEquals(Set.of("c3/eth0"), NetworkConfig.parseHeader(bytes(old)).validAttachments());

        NetworkConfig none = NetworkConfig.parse(bytes(base()));
        assertNull(none.validAttachments(), "no list: nothing is known to be stale");
        CniError e = assertThrows(CniError.class, none::prevResultIps);
        assertEquals(CniError.INVALID_CONFIG, e.code());
        assertEquals("prevResult is required for CHECK", e.msg());

        Map<String, Object> bad = base();
        bad.put("cni.dev/valid-attachments", List.of(Map.of("containerID", "c1")));
        CniError missing = assertThrows(
                CniError.class, () -> NetworkConfig.parse(bytes(bad)).validAttachments());
        assertTrue(missing.msg().startsWith("cni.dev/valid-attachments[0].ifname"), missing.msg());
    }

    /** A valid bridge configuration to spoil one field of. */
    private static Map<String, Object> base() {
        Map<String, Object> ipam = Json.object();
        ipam.put("type", "host-local");
        ipam.put("ranges", List.of(List.of(Map.of("subnet", "198.18.0.0/16"))));
        Map<String, Object> c = Json.object();
        c.put("cniVersion", "1.1.0");
        c.put("name", "pods");
        c.put("type", "podnet");
        c.put("ipam", ipam);
        return c;
    }

    /** {@code c}'s ipam, which {@link #base} made as a mutable map. */
    private static Map<String, Object> ipam(Map<String, Object> c) {
        Map<String, Object> ipam = Json.object();
        if (c.get("ipam") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> ipam.put(String.valueOf(k), v));
        }
        c.put("ipam", ipam);
        return ipam;
    }

    private static void ranges(Map<String, Object> c, List<?> ranges) {
        ipam(c).put("ranges", ranges);
    }

    private static void assertError(int code, String fragment, Consumer<Map<String, Object>> spoil) {
        Map<String, Object> c = base();
        spoil.accept(c);
        CniError e = assertThrows(CniError.class, () -> NetworkConfig.parse(bytes(c)), fragment);
        assertEquals(code, e.code(), e.toString());
        assertTrue(e.msg().contains(fragment), "expected '" + fragment + "' in: " + e.msg());
    }

    private static byte[] bytes(Map<String, Object> c) {
        return bytes(Json.write(c));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
