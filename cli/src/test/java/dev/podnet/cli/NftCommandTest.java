package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.api.Json;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code podnet nft list} against nft's own listing of the same table: podnet's design table
 * ({@code nft/podnet-design.nft}, loaded with nft) with elements of every shape podnet adds — map
 * elements with and without comments, single-field intervals, a concatenated interval, an ifname.
 */
@KernelTest
class NftCommandTest {
    private static final String[][] ELEMENTS = {
        {"ports4", "{ tcp . 8080 comment \"ep\" : 198.18.0.5 . 80 }"},
        {"ports4", "{ udp . 53 : 198.18.0.6 . 5353 }"},
        {"ports6", "{ tcp . 8443 comment \"podnet:cafe0001\" : fd00:88::5 . 443 }"},
        {"hostports4", "{ 192.0.2.1 . tcp . 9090 comment \"hp\" : 198.18.0.5 . 90 }"},
        {"hostports6", "{ 2001:db8::1 . udp . 5353 : fd00:88::6 . 53 }"},
        {"masq4", "{ 198.18.0.0/16, 10.89.0.0/24 }"},
        {"masq6", "{ fd00:88::/64 }"},
        {"same4", "{ 198.18.0.0/16 . 198.18.0.0/16 }"},
        {"same6", "{ fd00:88::/64 . fd00:88::/64 }"},
        {"bridges", "{ \"pnbr0\", \"pnbr1\" }"}
    };

    @TempDir
    Path dir;

    Sandbox sandbox;

    @BeforeEach
    void loadTheTable(Sandbox sandbox) throws Exception {
        Assumptions.assumeTrue(nftInstalled(), "nft (nftables) is not installed");
        this.sandbox = sandbox;
        Path file = dir.resolve("podnet-design.nft");
        try (InputStream in = NftCommandTest.class.getResourceAsStream("/nft/podnet-design.nft")) {
            assertNotNull(in, "test resource nft/podnet-design.nft");
            Files.write(file, in.readAllBytes());
        }
        nft("-f", file.toString());
        for (String[] e : ELEMENTS) {
            nft("add", "element", "inet", "podnet", e[0], e[1]);
        }
    }

    private static boolean nftInstalled() {
        try {
            Sandbox.run("nft", "--version");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String nft(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", sandbox.name(), "nft"));
        cmd.addAll(List.of(args));
        return Sandbox.run(cmd.toArray(String[]::new));
    }

    private MainTest.Result podnet(String... args) {
        List<String> all = new ArrayList<>(List.of("--host-netns", sandbox.name(), "nft"));
        all.addAll(List.of(args));
        return MainTest.run(all.toArray(String[]::new));
    }

    /** The objects of a {@code {"nftables": [...]}} listing, as {@code kind -> list of objects}. */
    @SuppressWarnings("unchecked")
    private static Map<String, List<Map<String, Object>>> objects(String json) {
        Map<String, Object> root = (Map<String, Object>) Json.read(json);
        Map<String, List<Map<String, Object>>> out = new LinkedHashMap<>();
        for (Object item : (List<Object>) root.get("nftables")) {
            Map<String, Object> wrapper = (Map<String, Object>) item;
            assertEquals(1, wrapper.size(), "one object per item: " + wrapper);
            wrapper.forEach((kind, value) ->
                    out.computeIfAbsent(kind, k -> new ArrayList<>()).add((Map<String, Object>) value));
        }
        return out;
    }

    /** A set or map as compared: its fields (handles aside) and its elements in a canonical order. */
    private static Map<String, Object> comparable(String kind, Map<String, Object> set) {
        Map<String, Object> out = new TreeMap<>();
        out.put("kind", kind);
        for (String key : List.of("family", "name", "table", "type", "map", "flags")) {
            out.put(key, Json.write(set.get(key)));
        }
        List<String> elements = new ArrayList<>();
        Object elem = set.get("elem");
        if (elem != null) {
            for (Object e : (List<?>) elem) {
                elements.add(Json.write(e));
            }
        }
        elements.sort(null);
        out.put("elem", elements);
        return out;
    }

    private static Map<String, Map<String, Object>> sets(Map<String, List<Map<String, Object>>> objects) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (String kind : List.of("set", "map")) {
            for (Map<String, Object> s : objects.getOrDefault(kind, List.of())) {
                out.put((String) s.get("name"), comparable(kind, s));
            }
        }
        return out;
    }

    private static Map<String, String> chains(Map<String, List<Map<String, Object>>> objects) {
        Map<String, String> out = new TreeMap<>();
        for (Map<String, Object> c : objects.getOrDefault("chain", List.of())) {
            Map<String, Object> fields = new LinkedHashMap<>();
            for (String key : List.of("family", "table", "name", "type", "hook", "prio", "policy")) {
                fields.put(key, c.get(key));
            }
            out.put((String) c.get("name"), Json.write(fields));
        }
        return out;
    }

    /** Per chain, its rules' expressions in order. */
    private static Map<String, List<String>> rules(Map<String, List<Map<String, Object>>> objects) {
        Map<String, List<String>> out = new TreeMap<>();
        for (Map<String, Object> r : objects.getOrDefault("rule", List.of())) {
            out.computeIfAbsent((String) r.get("chain"), k -> new ArrayList<>()).add(Json.write(r.get("expr")));
        }
        return out;
    }

    private static Map<String, Integer> counts(Map<String, List<String>> rules) {
        Map<String, Integer> out = new TreeMap<>();
        rules.forEach((chain, list) -> out.put(chain, list.size()));
        return out;
    }

    @Test
    void theTableAsNftListsItInJson() throws Exception {
        MainTest.Result r = podnet("list", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, List<Map<String, Object>>> ours = objects(r.out());
        Map<String, List<Map<String, Object>>> theirs = objects(nft("-j", "list", "table", "inet", "podnet"));

        assertEquals(1, ours.get("table").size());
        Map<String, Object> table = ours.get("table").getFirst();
        assertEquals("inet", table.get("family"));
        assertEquals("podnet", table.get("name"));
        assertEquals(theirs.get("table").getFirst().get("handle"), table.get("handle"));

        Map<String, Map<String, Object>> sets = sets(ours);
        assertEquals(9, sets.size(), sets.keySet().toString());
        assertEquals(sets(theirs), sets, "sets and maps with their elements");
        assertEquals(5, chains(ours).size());
        assertEquals(chains(theirs), chains(ours), "chains with their hooks, priorities and policies");
        assertEquals(counts(rules(theirs)), counts(rules(ours)), "rules per chain");
        assertEquals(
                Map.of("forward", 3, "hostports", 4, "output", 2, "postrouting", 7, "prerouting", 1),
                counts(rules(ours)));

        // and once the table is gone: only the metainfo, where nft fails with ENOENT
        nft("delete", "table", "inet", "podnet");
        MainTest.Result none = podnet("list", "--json");
        assertEquals(0, none.code(), none.err());
        Map<String, List<Map<String, Object>>> empty = objects(none.out());
        assertEquals(List.of("metainfo"), new ArrayList<>(empty.keySet()));
        MainTest.Result noText = podnet("list");
        assertEquals(0, noText.code(), noText.err());
        assertEquals("", noText.out());
    }

    /** The rules put back together from their expressions, as nft prints them (JSON and text). */
    @Test
    void rulesAsNftPrintsThem() throws Exception {
        MainTest.Result json = podnet("list", "--json");
        assertEquals(0, json.code(), json.err());
        Map<String, List<String>> ours = rules(objects(json.out()));
        Map<String, List<String>> theirs = rules(objects(nft("-j", "list", "table", "inet", "podnet")));
        for (String chain : theirs.keySet()) {
            assertEquals(theirs.get(chain), ours.get(chain), "the rules of chain " + chain);
        }

        MainTest.Result text = podnet("list");
        assertEquals(0, text.code(), text.err());
        String nftText = nft("list", "table", "inet", "podnet");
        List<String> missing = new ArrayList<>();
        boolean inChain = false;
        for (String line : nftText.split("\n")) {
            if (line.startsWith("\tchain ")) {
                inChain = true;
            } else if (line.equals("\t}")) {
                inChain = false;
            }
            if (inChain && !text.out().contains(line + "\n")) {
                missing.add(line);
            }
        }
        assertTrue(missing.isEmpty(), "lines of nft's listing podnet does not print: " + missing + "\n" + text.out());
        assertTrue(text.out().startsWith("table inet podnet {\n"), text.out());
        assertTrue(text.out().contains("\t\ttype inet_proto . inet_service : ipv4_addr . inet_service\n"));
        assertTrue(text.out().contains("tcp . 8080 comment \"ep\" : 198.18.0.5 . 80"), text.out());
        assertTrue(text.out().contains("\t\telements = { 10.89.0.0/24,"), text.out());
        assertTrue(text.out().contains("\t\telements = { 198.18.0.0/16 . 198.18.0.0/16 }\n"), text.out());
        nft("delete", "table", "inet", "podnet");
    }
}
