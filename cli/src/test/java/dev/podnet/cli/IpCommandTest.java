package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.podnet.api.Json;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code podnet ip ... --json} against {@code ip -j} on the same namespace: podnet prints every field of
 * the lists below that iproute2 prints, with the same value, and the link fields iproute2 prints only
 * sometimes exactly when it does.
 */
@KernelTest
class IpCommandTest {
    /**
     * Link fields compared wherever iproute2 prints them. As iproute2 prints it, {@code link} is the name of
     * the link's peer or lower device in the same namespace ({@code null} for index 0); a peer in another
     * namespace is {@code link_index}, its index there, with {@code link_netnsid} instead.
     */
    static final List<String> LINK_KEYS = List.of(
            "ifindex",
            "ifname",
            "flags",
            "mtu",
            "operstate",
            "link_type",
            "address",
            "broadcast",
            "master",
            "group",
            "txqlen",
            "link",
            "link_index",
            "link_netnsid",
            "qdisc",
            "linkmode",
            "linkmode_index",
            "ifalias");
    /**
     * Link fields podnet prints exactly when iproute2 does, so a stray one fails as a missing one does
     * ({@code linkmode}, {@code linkinfo} and {@code ifalias} come with {@code ip link} or {@code -d} only).
     * Not {@code txqlen}: iproute2 leaves out a zero one.
     */
    static final List<String> LINK_KEYS_EXACT = List.of(
            "link",
            "link_index",
            "link_netnsid",
            "qdisc",
            "master",
            "linkmode",
            "linkmode_index",
            "ifalias",
            "linkinfo");

    static final List<String> LINKINFO_KEYS = List.of("info_kind", "info_slave_kind");
    static final List<String> ADDR_KEYS = List.of("family", "local", "prefixlen", "broadcast", "scope", "label");
    static final List<String> ROUTE_KEYS =
            List.of("dst", "gateway", "dev", "protocol", "scope", "type", "table", "prefsrc", "metric", "flags");
    static final List<String> NEIGH_KEYS = List.of("dst", "dev", "lladdr", "state");

    Sandbox sandbox;

    @BeforeEach
    void populate(Sandbox sandbox) throws Exception {
        this.sandbox = sandbox;
        String pod = sandbox.newNamespace("peer");
        StringBuilder b = new StringBuilder();
        b.append("link add br0 type bridge\n");
        b.append("link add v0 type veth peer name v1\n");
        b.append("link set v0 master br0\n");
        b.append("link add v2 type veth peer name eth0 netns ").append(pod).append('\n');
        // the same index on both sides: the kernel then sends IFLA_LINK equal to the link's own index
        b.append("link add v3 index 40 type veth peer name eth1 index 40 netns ")
                .append(pod)
                .append('\n');
        // this kernel has no vlan or ipvlan driver (no modules); macvlan, vxlan and tun are built in
        b.append("link add link v1 name mv0 type macvlan mode bridge\n");
        b.append("link add vx0 type vxlan id 42 dstport 4789 dev v1\n");
        b.append("tuntap add tap0 mode tap\n");
        for (String l : new String[] {"br0", "v0", "v1", "v2", "mv0"}) {
            b.append("link set ").append(l).append(" up\n");
        }
        b.append("link set br0 alias hello-podnet\n");
        b.append("link set tap0 mode dormant\n");
        b.append("link set v2 group 7 txqueuelen 500 mtu 1400\n");
        b.append("addr add 198.18.0.1/16 brd + dev br0\n");
        b.append("addr add 198.18.0.9/16 dev br0 label br0:x\n");
        b.append("addr add fd00::1/64 dev br0 nodad\n");
        for (int i = 0; i < 2000; i++) {
            b.append("addr add 198.19.")
                    .append(i / 250)
                    .append('.')
                    .append(i % 250 + 1)
                    .append("/32 dev v1\n");
        }
        for (int i = 0; i < 2000; i++) {
            b.append("route add 198.20.")
                    .append(i / 250)
                    .append('.')
                    .append(i % 250)
                    .append("/32 via 198.18.0.7")
                    .append(i % 3 == 0 ? " metric " + i : "")
                    .append(i % 5 == 0 ? " proto static" : "")
                    .append('\n');
        }
        b.append("route add 198.21.0.0/24 dev br0 scope link\n");
        b.append("route add blackhole 198.21.1.0/24\n");
        b.append("route add unreachable 198.21.2.0/24\n");
        b.append("route add 198.21.3.0/24 via 198.18.0.7 table 100\n");
        b.append("route add fd00:1::/64 via fd00::7 dev br0\n");
        b.append("neigh add 198.18.0.50 lladdr 02:00:00:00:00:50 dev br0 nud permanent\n");
        b.append("neigh add fd00::50 lladdr 02:00:00:00:00:51 dev br0 nud permanent\n");
        b.append("neigh add 198.18.0.51 lladdr 02:00:00:00:00:52 dev br0 nud stale\n");
        Path batch = Files.createTempFile("ip", ".batch");
        try {
            Files.writeString(batch, b);
            sandbox.ip("-batch", batch.toString());
        } finally {
            Files.delete(batch);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> podnet(String... args) {
        MainTest.Result r = MainTest.run(args);
        assertEquals(0, r.code(), r.err());
        return (List<Map<String, Object>>) Json.read(r.out());
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> iproute2(String... args) throws Exception {
        return (List<Map<String, Object>>) Json.read(sandbox.ip(args));
    }

    /**
     * Compares the keys iproute2 prints: podnet must print every one of them, with the same JSON value
     * (a number is not its string).
     */
    static int compare(String what, Map<String, Object> ours, Map<String, Object> theirs, List<String> keys) {
        int n = 0;
        for (String k : keys) {
            if (!theirs.containsKey(k)) {
                continue;
            }
            if (!ours.containsKey(k)) {
                fail(what + ": iproute2 prints " + k + "=" + theirs.get(k) + ", podnet does not: " + ours);
            }
            if (!Objects.equals(ours.get(k), theirs.get(k))) {
                fail(what + ": " + k + " differs: podnet " + describe(ours.get(k)) + ", iproute2 "
                        + describe(theirs.get(k)));
            }
            n++;
        }
        return n;
    }

    /** Fails when podnet prints one of {@code keys} that iproute2 does not print here. */
    static void noneExtra(String what, Map<String, Object> ours, Map<String, Object> theirs, List<String> keys) {
        for (String k : keys) {
            if (ours.containsKey(k) && !theirs.containsKey(k)) {
                fail(what + ": podnet prints " + k + "=" + ours.get(k) + ", iproute2 does not: " + theirs);
            }
        }
    }

    private static String describe(Object v) {
        return v instanceof String s ? '"' + s + '"' : String.valueOf(v);
    }

    @Test
    void linksAgreeWithIpDetailedJson() throws Exception {
        List<Map<String, Object>> ours = podnet("ip", "link", "show", "--netns", sandbox.name(), "--json");
        List<Map<String, Object>> theirs = iproute2("-d", "-j", "link", "show");
        assertEquals(theirs.size(), ours.size());
        Map<Object, Map<String, Object>> byIndex = new HashMap<>();
        ours.forEach(o -> byIndex.put(o.get("ifindex"), o));
        Map<String, Map<String, Object>> byName = new HashMap<>();
        List<String> kinds = new ArrayList<>();
        for (Map<String, Object> t : theirs) {
            String what = "link " + t.get("ifname");
            Map<String, Object> o = byIndex.get(t.get("ifindex"));
            assertNotNull(o, what + ": podnet does not list ifindex " + t.get("ifindex"));
            compare(what, o, t, LINK_KEYS);
            noneExtra(what, o, t, LINK_KEYS_EXACT);
            if (t.get("linkinfo") instanceof Map<?, ?> li) {
                if (!(o.get("linkinfo") instanceof Map<?, ?> ol)) {
                    throw new AssertionError(
                            what + ": iproute2 prints linkinfo " + li + ", podnet " + o.get("linkinfo"));
                }
                compare(what + " linkinfo", cast(ol), cast(li), LINKINFO_KEYS);
                noneExtra(what + " linkinfo", cast(ol), cast(li), LINKINFO_KEYS);
                if (li.containsKey("info_kind")) {
                    kinds.add(String.valueOf(li.get("info_kind")));
                }
            }
            byName.put(String.valueOf(t.get("ifname")), t);
        }
        assertTrue(kinds.containsAll(List.of("bridge", "veth", "macvlan", "vxlan", "tun")), kinds.toString());
        assertFixtureShowsEveryLinkField(byName);
    }

    /**
     * The comparison above only sees what iproute2 prints, so the fixture must make it print each field
     * (podnet then had to print the same): the values here are iproute2's.
     */
    private static void assertFixtureShowsEveryLinkField(Map<String, Map<String, Object>> byName) {
        Map<String, Object> br0 = byName.get("br0");
        assertEquals("hello-podnet", br0.get("ifalias"), "br0 " + br0);
        assertEquals("DEFAULT", br0.get("linkmode"), "br0 " + br0);
        assertEquals("noqueue", br0.get("qdisc"), "br0 " + br0);
        assertEquals("DORMANT", byName.get("tap0").get("linkmode"), "tap0 " + byName.get("tap0"));
        Map<String, Object> v0 = byName.get("v0");
        assertEquals("br0", v0.get("master"), "v0 " + v0);
        assertEquals("bridge", cast(v0.get("linkinfo")).get("info_slave_kind"), "v0 " + v0);
        assertEquals("v1", v0.get("link"), "v0 " + v0);
        assertEquals("v0", byName.get("v1").get("link"), "v1 " + byName.get("v1"));
        assertEquals("v1", byName.get("mv0").get("link"), "mv0 " + byName.get("mv0"));
        for (String peerElsewhere : List.of("v2", "v3")) {
            Map<String, Object> v = byName.get(peerElsewhere);
            assertTrue(
                    v.get("link_index") instanceof Long
                            && v.get("link_netnsid") instanceof Long
                            && !v.containsKey("link"),
                    peerElsewhere + " " + v);
        }
        assertEquals(40L, byName.get("v3").get("link_index"), "v3 " + byName.get("v3"));
        assertEquals(byName.get("v2").get("link_netnsid"), byName.get("v3").get("link_netnsid"), "one pod, one nsid");
    }

    @Test
    void addressesAgreeWithIpJson() throws Exception {
        List<Map<String, Object>> ours = podnet("ip", "addr", "show", "--netns", sandbox.name(), "--json");
        List<Map<String, Object>> theirs = iproute2("-j", "addr", "show");
        assertEquals(theirs.size(), ours.size());
        int compared = 0;
        for (int i = 0; i < theirs.size(); i++) {
            compare("link " + theirs.get(i).get("ifname"), ours.get(i), theirs.get(i), LINK_KEYS);
            noneExtra("link " + theirs.get(i).get("ifname"), ours.get(i), theirs.get(i), LINK_KEYS_EXACT);
            List<?> t = (List<?>) theirs.get(i).get("addr_info");
            List<?> o = (List<?>) ours.get(i).get("addr_info");
            assertEquals(t.size(), o.size(), "addresses of " + theirs.get(i).get("ifname"));
            for (int j = 0; j < t.size(); j++) {
                compare("address", cast(o.get(j)), cast(t.get(j)), ADDR_KEYS);
                compared++;
            }
        }
        assertTrue(compared >= 2003, "compared " + compared + " addresses");
    }

    @Test
    void routesAgreeWithIpJson() throws Exception {
        int compared = compareRoutes(
                podnet("ip", "route", "show", "--netns", sandbox.name(), "--json"), iproute2("-j", "route", "show"));
        assertTrue(compared >= 2004, "compared " + compared + " routes");
        compareRoutes(
                podnet("ip", "route", "show", "--netns", sandbox.name(), "-6", "--json"),
                iproute2("-6", "-j", "route", "show"));
    }

    private static int compareRoutes(List<Map<String, Object>> ours, List<Map<String, Object>> theirs) {
        assertEquals(theirs.size(), ours.size(), "routes: podnet " + ours.size() + ", iproute2 " + theirs.size());
        for (int i = 0; i < theirs.size(); i++) {
            compare("route " + theirs.get(i).get("dst"), ours.get(i), theirs.get(i), ROUTE_KEYS);
        }
        return theirs.size();
    }

    @Test
    void neighboursAgreeWithIpJson() throws Exception {
        List<Map<String, Object>> ours = podnet("ip", "neigh", "show", "--netns", sandbox.name(), "--json");
        List<Map<String, Object>> theirs = iproute2("-j", "neigh", "show");
        assertEquals(theirs.size(), ours.size(), "podnet " + ours + "\niproute2 " + theirs);
        for (int i = 0; i < theirs.size(); i++) {
            compare("neigh " + theirs.get(i).get("dst"), ours.get(i), theirs.get(i), NEIGH_KEYS);
        }
        assertTrue(theirs.size() >= 3);
    }

    @Test
    void badArgumentsAreOneLineAndExit2() {
        assertEquals(2, MainTest.run("ip").code());
        assertEquals(2, MainTest.run("ip", "frob", "show").code());
        assertEquals(2, MainTest.run("ip", "link", "add").code());
        MainTest.Result r = MainTest.run("ip", "link", "show", "--netns", "no-such-ns-" + System.nanoTime());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("ENOENT"), r.err());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }
}
