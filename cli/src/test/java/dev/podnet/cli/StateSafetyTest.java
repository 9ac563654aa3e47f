package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.api.Json;
import dev.podnet.dataplane.internal.state.StateStore;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state directory belongs to one host namespace; a dry run changes nothing; concurrent command
 * lines wait for the state's owner.
 */
@KernelTest
class StateSafetyTest {
    @TempDir
    Path state;

    private MainTest.Result podnet(String hostNetns, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("--state-dir", state.toString()));
        if (hostNetns != null) {
            all.addAll(List.of("--host-netns", hostNetns));
        }
        all.addAll(List.of(args));
        return MainTest.run(all.toArray(String[]::new));
    }

    @Test
    void aStateDirectoryIsRefusedFromAnotherHostNamespaceBeforeAnythingIsMade(Sandbox sandbox) throws Exception {
        String bridge = "pnsafe" + (ProcessHandle.current().pid() % 1000);
        MainTest.Result created =
                podnet(sandbox.name(), "network", "create", "pods", "--bridge", bridge, "--subnet", "198.18.0.0/24");
        assertEquals(0, created.code(), created.err());
        assertTrue(sandbox.ip("-br", "link", "show", bridge).contains(bridge));
        assertFalse(Sandbox.run("ip", "-br", "link").contains(bridge), "made in the sandbox only");
        String other = sandbox.newNamespace("other");
        // the root namespace (no --host-netns), another sandbox, and a dry run: each refused, naming both namespaces
        for (String host : new String[] {null, other}) {
            for (String[] cmd : new String[][] {{"reconcile", "--dry-run"}, {"reconcile"}, {"network", "list"}}) {
                MainTest.Result r = podnet(host, cmd);
                assertEquals(1, r.code(), String.join(" ", cmd) + ": " + r.out());
                assertTrue(r.err().contains("belongs to host namespace '" + sandbox.name() + "'"), r.err());
                assertTrue(
                        r.err().contains(host == null ? "the root namespace" : "namespace '" + other + "'"), r.err());
                assertTrue(r.err().contains("--host-netns " + sandbox.name()), r.err());
            }
        }
        assertFalse(Sandbox.run("ip", "-br", "link").contains(bridge), "no bridge in the root namespace");
        assertFalse(Sandbox.ipIn(other, "-br", "link").contains(bridge), "none in the other namespace either");
        assertEquals(0, podnet(sandbox.name(), "network", "delete", "pods").code());
    }

    @Test
    void aDryRunChangesNothingInTheKernelOrTheStateFiles(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        String pod2 = sandbox.newNamespace("q");
        String bridge = "pndry" + (ProcessHandle.current().pid() % 1000);
        assertEquals(
                0,
                podnet(sandbox.name(), "network", "create", "pods", "--bridge", bridge, "--subnet", "198.18.0.0/24")
                        .code());
        assertEquals(
                0,
                podnet(sandbox.name(), "network", "create", "routed", "--mode", "ptp", "--subnet", "198.19.0.0/24")
                        .code());
        assertEquals(
                0,
                podnet(sandbox.name(), "endpoint", "add", "--network", "pods", "--container-id", "dry1", "--netns", pod)
                        .code());
        assertEquals(
                0,
                podnet(
                                sandbox.name(),
                                "endpoint",
                                "add",
                                "--network",
                                "routed",
                                "--container-id",
                                "dry2",
                                "--netns",
                                pod2)
                        .code());
        // work to do: a bridge to re-create (with its endpoint's link gone), a ptp endpoint's link vanished, forwarding
        // off
        String hostEnd2 = podnetHostEnd(sandbox.name(), "dry2");
        sandbox.ip("link", "del", bridge);
        sandbox.ip("link", "del", hostEnd2);
        Sandbox.run("ip", "netns", "exec", sandbox.name(), "sysctl", "-qw", "net.ipv4.ip_forward=0");

        Map<String, String> kernelBefore = kernel(sandbox, pod, pod2);
        Map<String, String> filesBefore = files();
        MainTest.Result dry = podnet(sandbox.name(), "reconcile", "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("bridge " + bridge + " is missing"), dry.out());
        assertTrue(dry.out().contains("released dry2/eth0"), dry.out());
        assertEquals(kernelBefore, kernel(sandbox, pod, pod2), "the kernel is as it was");
        assertEquals(filesBefore, files(), "every state file is as it was");

        // the real run does what the dry run said
        MainTest.Result real = podnet(sandbox.name(), "reconcile");
        assertEquals(0, real.code(), real.err());
        assertTrue(sandbox.ip("-br", "link", "show", bridge).contains(bridge));
        assertNotEquals(filesBefore, files());
    }

    private String podnetHostEnd(String hostNetns, String containerId) {
        MainTest.Result shown = podnet(hostNetns, "endpoint", "show", "--container-id", containerId);
        assertEquals(0, shown.code(), shown.err());
        return (String) ((Map<?, ?>) Json.read(shown.out())).get("host_if_name");
    }

    /** What iproute2 and sysctl say of the sandbox and the pods: links, addresses, routes, forwarding. */
    private static Map<String, String> kernel(Sandbox sandbox, String... pods) throws Exception {
        Map<String, String> k = new TreeMap<>();
        for (String ns : java.util.stream.Stream.concat(
                        java.util.stream.Stream.of(sandbox.name()), java.util.Arrays.stream(pods))
                .toList()) {
            k.put(ns + " link", Sandbox.ipIn(ns, "-d", "link", "show"));
            k.put(ns + " addr", Sandbox.ipIn(ns, "addr", "show"));
            k.put(ns + " route4", Sandbox.ipIn(ns, "-4", "route", "show", "table", "all"));
            k.put(ns + " route6", Sandbox.ipIn(ns, "-6", "route", "show", "table", "all"));
            k.put(
                    ns + " forwarding",
                    Sandbox.run(
                            "ip",
                            "netns",
                            "exec",
                            ns,
                            "sysctl",
                            "-n",
                            "net.ipv4.ip_forward",
                            "net.ipv6.conf.all.forwarding"));
        }
        return k;
    }

    /** Every file under the state directory: its name, size, content digest and mode. */
    private Map<String, String> files() throws Exception {
        Map<String, String> f = new TreeMap<>();
        try (var walk = Files.walk(state)) {
            for (Path p : walk.toList()) {
                String mode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                if (Files.isRegularFile(p)) {
                    byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
                    f.put(
                            state.relativize(p).toString(),
                            mode + " " + HexFormat.of().formatHex(digest));
                } else {
                    f.put(state.relativize(p) + "/", mode);
                }
            }
        }
        return f;
    }

    @Test
    void aSecondCommandWaitsForTheOwnerThenNamesIt(Sandbox sandbox) throws Exception {
        assertEquals(
                0,
                podnet(sandbox.name(), "network", "create", "pods", "--bridge", "pnwait0", "--subnet", "198.18.0.0/24")
                        .code());
        try (StateStore owner = StateStore.open(state, 64)) {
            MainTest.Result refused = MainTest.run(
                    "--state-dir",
                    state.toString(),
                    "--host-netns",
                    sandbox.name(),
                    "--wait",
                    "0.3",
                    "network",
                    "list");
            assertEquals(1, refused.code());
            assertTrue(
                    refused.err()
                            .contains("in use by pid " + ProcessHandle.current().pid() + ", still after waiting 0.3 s"),
                    refused.err());
            assertTrue(owner.networks().containsKey("pods"));
        }
        StateStore owner = StateStore.open(state, 64);
        CompletableFuture<Void> releaseLater = CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(700);
                owner.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long start = System.nanoTime();
        MainTest.Result waited =
                MainTest.run("--state-dir", state.toString(), "--host-netns", sandbox.name(), "network", "list");
        releaseLater.join();
        assertEquals(0, waited.code(), waited.err());
        assertTrue(waited.out().contains("pods"), waited.out());
        assertTrue(System.nanoTime() - start >= 600_000_000L, "it waited for the owner rather than failing");
        assertEquals(0, podnet(sandbox.name(), "network", "delete", "pods").code());
    }
}
