package dev.podnet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.podnet.api.Json;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CNI contract as a runtime sees it: the plugin binary ({@code target/cni/podnet}, built from
 * {@code cni-shim/}) exec'd exactly as libcni execs it (the {@code CNI_*} variables, the network
 * configuration on stdin, the exit code and stdout read back) against a daemon on a socket of the
 * test's own, its host side in a sandbox namespace. Covers what podman never sends: CHECK, STATUS,
 * GC, results in every version, every error code, and the daemon being down.
 */
@KernelTest
class CniContractTest {
    private static final Path PLUGIN = Path.of("target/cni/podnet").toAbsolutePath();

    @TempDir
    Path dir;

    private Path socket() {
        return dir.resolve("run/podnet.sock");
    }

    private Path state() {
        return dir.resolve("state");
    }

    private Daemon.Running start(Sandbox sandbox) throws IOException {
        Files.createDirectories(state());
        return new Daemon(Daemon.Options.defaults()
                        .withSocket(socket())
                        .withStateDir(state())
                        .withHostNetns(sandbox.name()))
                .start();
    }

    private String config(String version, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"cnitest\",\"type\":\"podnet\",\"socket\":\"" + socket()
                + "\",\"stateDir\":\"" + state() + "\",\"bridge\":\"cnibr0\",\"ipam\":{\"ranges\":[[{\"subnet\":"
                + "\"198.18.0.0/24\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}" + extra + "}";
    }

    /** What one exec of the plugin gave back. */
    record Call(int exit, String stdout, long micros) {
        JsonNode json() throws IOException {
            return Json.mapper().readTree(stdout);
        }

        int code() throws IOException {
            return json().path("code").asInt();
        }

        /** Fails unless the plugin answered with the CNI error {@code code} and a message that says {@code says}. */
        void assertError(int code, String says) throws IOException {
            assertEquals(code, code(), stdout);
            assertTrue(json().path("msg").asText().contains(says), stdout);
        }
    }

    private static Call cni(String command, String containerId, String netns, String ifName, String config)
            throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        if (containerId != null) {
            env.put("CNI_CONTAINERID", containerId);
        }
        if (netns != null) {
            env.put("CNI_NETNS", netns);
        }
        if (ifName != null) {
            env.put("CNI_IFNAME", ifName);
        }
        env.put("CNI_PATH", PLUGIN.getParent().toString());
        return exec(env, config);
    }

    private static Call exec(Map<String, String> env, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(PLUGIN.toString());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the plugin returned");
        return new Call(p.exitValue(), out, (System.nanoTime() - t0) / 1000);
    }

    /** An ADD of {@code containerId}'s {@code eth0} in the namespace {@code pod}. */
    private static Call add(String containerId, String pod, String config) throws Exception {
        return cni("ADD", containerId, netnsPath(pod), "eth0", config);
    }

    private static String netnsPath(String name) {
        return "/run/netns/" + name;
    }

    @Test
    void addCheckDelAsLibcniDoesThem(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        try (Daemon.Running daemon = start(sandbox)) {
            Call add = cni("ADD", "ctr00001", netnsPath(pod), "eth0", config("1.0.0", ""));
            assertEquals(0, add.exit(), add.stdout());
            JsonNode r = add.json();
            assertEquals("1.0.0", r.path("cniVersion").asText());
            JsonNode ifs = r.path("interfaces");
            assertEquals(2, ifs.size(), add.stdout());
            for (JsonNode i : ifs) {
                assertTrue(
                        i.path("mac").asText().matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"),
                        "every interface has a MAC: " + i);
            }
            assertEquals("eth0", ifs.get(1).path("name").asText());
            assertEquals(netnsPath(pod), ifs.get(1).path("sandbox").asText());
            JsonNode ip = r.path("ips").get(0);
            assertEquals("198.18.0.2/24", ip.path("address").asText());
            assertEquals("198.18.0.1", ip.path("gateway").asText());
            assertEquals(1, ip.path("interface").asInt(), "the IP is on the sandbox interface (index 1)");
            assertFalse(ip.has("version"), "1.0.0 results carry no ip version");
            // the kernel agrees: the pod has the address and its default route
            assertTrue(Sandbox.ipIn(pod, "-4", "addr", "show", "dev", "eth0").contains("198.18.0.2/24"));
            assertTrue(Sandbox.ipIn(pod, "route").contains("default via 198.18.0.1"));

            // CHECK with the ADD's result as prevResult: consistent
            String withPrev = config("1.0.0", ",\"prevResult\":" + add.stdout().strip());
            Call check = cni("CHECK", "ctr00001", netnsPath(pod), "eth0", withPrev);
            assertEquals(0, check.exit(), check.stdout());
            assertEquals("", check.stdout().strip());
            // the pod loses its address behind podnet's back: CHECK says so
            Sandbox.ipIn(pod, "addr", "flush", "dev", "eth0");
            Call broken = cni("CHECK", "ctr00001", netnsPath(pod), "eth0", withPrev);
            assertEquals(1, broken.exit(), broken.stdout());
            assertTrue(broken.code() >= 100, broken.stdout());
            assertTrue(broken.json().path("msg").asText().contains("198.18.0.2"), broken.stdout());

            // DEL, then DEL again, then DEL without a netns: all succeed, nothing is left
            assertEquals(
                    0, cni("DEL", "ctr00001", netnsPath(pod), "eth0", withPrev).exit());
            assertEquals(
                    0,
                    cni("DEL", "ctr00001", netnsPath(pod), "eth0", config("1.0.0", ""))
                            .exit());
            assertEquals(
                    0, cni("DEL", "ctr00001", null, "eth0", config("1.0.0", "")).exit());
            assertEquals(0, daemon.dataplane().endpoints().list().count().block());
            assertFalse(Sandbox.ipIn(pod, "link").contains("eth0"));
        }
    }

    @Test
    void resultsComeInTheRequestedVersion(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        try (Daemon.Running daemon = start(sandbox)) {
            assertNotNull(daemon.socket());
            Call old = cni("ADD", "ctr00002", netnsPath(pod), "eth0", config("0.4.0", ""));
            assertEquals(0, old.exit(), old.stdout());
            assertEquals("0.4.0", old.json().path("cniVersion").asText());
            assertEquals("4", old.json().path("ips").get(0).path("version").asText(), "0.4.0 ips carry a version");
            Call newest = cni("ADD", "ctr00003", netnsPath(sandbox.newNamespace("q")), "eth0", config("1.1.0", ""));
            assertEquals(0, newest.exit(), newest.stdout());
            assertEquals("1.1.0", newest.json().path("cniVersion").asText());
            // a conflist listing cniVersions: the highest supported one is used
            String listed = config("0.3.1", ",\"cniVersions\":[\"0.3.1\",\"1.0.0\",\"9.9.9\"]");
            Call picked = cni("ADD", "ctr00004", netnsPath(sandbox.newNamespace("r")), "eth0", listed);
            assertEquals(0, picked.exit(), picked.stdout());
            assertEquals("1.0.0", picked.json().path("cniVersion").asText());
            for (String c : List.of("ctr00002", "ctr00003", "ctr00004")) {
                assertEquals(0, cni("DEL", c, null, "eth0", config("1.0.0", "")).exit());
            }
        }
    }

    @Test
    void badInputGetsTheSpecsErrorCodeNamingWhatWasWrong(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        try (Daemon.Running daemon = start(sandbox)) {
            add(null, pod, config("1.0.0", "")).assertError(4, "CNI_CONTAINERID");
            exec(Map.of("CNI_CONTAINERID", "x"), config("1.0.0", "")).assertError(4, "CNI_COMMAND");
            Call notJson = add("ctr00005", pod, "{\"cniVersion\": ");
            assertEquals(6, notJson.code(), notJson.stdout());
            add("ctr00005", pod, config("1.0.0", "").replace("\"type\":\"podnet\"", "\"type\":\"bridge\""))
                    .assertError(7, "type");
            Call oldVersion = add("ctr00005", pod, config("0.2.0", ""));
            assertEquals(1, oldVersion.code(), oldVersion.stdout());
            add("ctr00005", pod, config("1.0.0", "").replace("198.18.0.0/24", "198.18.0.0/33"))
                    .assertError(7, "subnet");
            exec(
                            Map.of(
                                    "CNI_COMMAND",
                                    "ADD",
                                    "CNI_CONTAINERID",
                                    "ctr00005",
                                    "CNI_NETNS",
                                    netnsPath(pod),
                                    "CNI_IFNAME",
                                    "eth0",
                                    "CNI_ARGS",
                                    "FOO=bar"),
                            config("1.0.0", ""))
                    .assertError(2, "FOO");
            // nothing was made by any of them
            assertEquals(0, daemon.dataplane().endpoints().list().count().block());
            // the same container and interface from another namespace is refused; the first stays
            assertEquals(
                    0,
                    cni("ADD", "ctr00006", netnsPath(pod), "eth0", config("1.0.0", ""))
                            .exit());
            Call elsewhere = cni("ADD", "ctr00006", netnsPath(sandbox.newNamespace("q")), "eth0", config("1.0.0", ""));
            assertEquals(1, elsewhere.exit(), elsewhere.stdout());
            assertTrue(elsewhere.json().path("msg").asText().contains("already exists"), elsewhere.stdout());
            // a conflicting change to the network is refused naming the field
            add("ctr00007", sandbox.newNamespace("r"), config("1.0.0", ",\"mtu\":1400"))
                    .assertError(7, "mtu");
            assertEquals(
                    0, cni("DEL", "ctr00006", null, "eth0", config("1.0.0", "")).exit());
        }
    }

    @Test
    void statusAndGcAndVersion(Sandbox sandbox) throws Exception {
        try (Daemon.Running daemon = start(sandbox)) {
            Call status = cni("STATUS", null, null, null, config("1.1.0", ""));
            assertEquals(0, status.exit(), status.stdout());
            List<String> pods =
                    List.of(sandbox.newNamespace("a"), sandbox.newNamespace("b"), sandbox.newNamespace("c"));
            for (int i = 0; i < pods.size(); i++) {
                assertEquals(
                        0,
                        cni("ADD", "gc0000" + i, netnsPath(pods.get(i)), "eth0", config("1.1.0", ""))
                                .exit());
            }
            // GC keeps what the runtime lists (the newer key, then the older one) and removes the rest
            Call gc = cni(
                    "GC",
                    null,
                    null,
                    null,
                    config(
                            "1.1.0",
                            ",\"cni.dev/valid-attachments\":[{\"containerID\":\"gc00000\",\"ifname\":\"eth0\"},"
                                    + "{\"containerID\":\"gc00002\",\"ifname\":\"eth0\"}]"));
            assertEquals(0, gc.exit(), gc.stdout());
            assertEquals(List.of("gc00000", "gc00002"), containers(daemon));
            Call older = cni(
                    "GC",
                    null,
                    null,
                    null,
                    config("1.1.0", ",\"cni.dev/attachments\":[{\"containerID\":\"gc00002\",\"ifname\":\"eth0\"}]"));
            assertEquals(0, older.exit(), older.stdout());
            assertEquals(List.of("gc00002"), containers(daemon));
        }
        // VERSION needs no daemon
        Call version = cni("VERSION", null, null, null, config("1.1.0", ""));
        assertEquals(0, version.exit(), version.stdout());
        assertEquals(
                List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"),
                Json.mapper().convertValue(version.json().path("supportedVersions"), List.class));
    }

    private static List<String> containers(Daemon.Running daemon) {
        return daemon.dataplane()
                .endpoints()
                .list()
                .map(e -> e.containerId())
                .sort()
                .collectList()
                .block();
    }

    @Test
    void withTheDaemonDownAddFailsStatusSays50AndDelIsSpooledThenReplayed(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        try (Daemon.Running daemon = start(sandbox)) {
            assertNotNull(daemon.socket());
            assertEquals(
                    0,
                    cni("ADD", "down0001", netnsPath(pod), "eth0", config("1.0.0", ""))
                            .exit());
        }
        Call add = cni("ADD", "down0002", netnsPath(sandbox.newNamespace("q")), "eth0", config("1.0.0", ""));
        assertEquals(11, add.code(), add.stdout());
        Call check = cni("CHECK", "down0001", netnsPath(pod), "eth0", config("1.0.0", ",\"prevResult\":{}"));
        assertEquals(11, check.code(), check.stdout());
        Call status = cni("STATUS", null, null, null, config("1.0.0", ""));
        assertEquals(50, status.code(), status.stdout());
        // DEL cannot wait: it is written to the spool and succeeds
        Call del = cni("DEL", "down0001", netnsPath(pod), "eth0", config("1.0.0", ""));
        assertEquals(0, del.exit(), del.stdout());
        List<Path> spooled;
        try (Stream<Path> s = Files.list(state().resolve("cni-spool"))) {
            spooled = s.filter(p -> p.toString().endsWith(".del")).toList();
        }
        assertEquals(1, spooled.size(), "one DEL spooled");
        assertTrue(Sandbox.ipIn(pod, "link").contains("eth0"), "not removed yet: the daemon is down");
        // the daemon replays the spool when it starts: the endpoint goes, the spool empties
        try (Daemon.Running daemon = start(sandbox)) {
            assertEquals(0, daemon.dataplane().endpoints().list().count().block());
            assertFalse(Sandbox.ipIn(pod, "link").contains("eth0"));
            try (Stream<Path> s = Files.list(state().resolve("cni-spool"))) {
                assertEquals(0, s.filter(p -> p.toString().endsWith(".del")).count());
            }
            assertNotNull(daemon.socket());
        }
    }

    @Test
    void aCallerWithAnotherUidIsRefused(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        Files.createDirectories(state());
        // the test runs as root: a daemon that admits only uid 4242 must turn it away
        try (Daemon.Running daemon = new Daemon(Daemon.Options.defaults()
                        .withSocket(socket())
                        .withStateDir(state())
                        .withHostNetns(sandbox.name())
                        .withAllowedUid(4242))
                .start()) {
            Call add = cni("ADD", "uid00001", netnsPath(pod), "eth0", config("1.0.0", ""));
            assertEquals(1, add.exit(), add.stdout());
            assertEquals(0, daemon.dataplane().endpoints().list().count().block(), "nothing made");
            assertFalse(Sandbox.ipIn(pod, "link").contains("eth0"));
            assertEquals(
                    "rwx------",
                    java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(socket().getParent())),
                    "the socket's directory is 0700");
            assertEquals(
                    "rw-------",
                    java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())),
                    "the socket is 0600");
        }
    }
}
