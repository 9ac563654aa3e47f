package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.api.Endpoint;
import dev.podnet.api.Json;
import dev.podnet.daemon.Daemon;
import dev.podnet.daemon.DaemonClient;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model commands while a daemon owns the state directory: they go through the daemon (with
 * {@code --wait 0} a command that tried to open the state itself would fail on the lock at once),
 * print what they print without one, and see what the daemon's CNI calls made; a caller meaning
 * another host namespace is refused; once the daemon stops, the commands open the state themselves.
 */
@KernelTest
class ThroughDaemonTest {
    @TempDir
    Path dir;

    private Path state() {
        return dir.resolve("state");
    }

    private MainTest.Result podnet(String hostNetns, String... args) {
        String[] all = new String[args.length + 6];
        all[0] = "--state-dir";
        all[1] = state().toString();
        all[2] = "--host-netns";
        all[3] = hostNetns;
        all[4] = "--wait";
        all[5] = "0";
        System.arraycopy(args, 0, all, 6, args.length);
        return MainTest.run(all);
    }

    private Daemon.Running start(Sandbox sandbox) throws Exception {
        Files.createDirectories(state());
        return new Daemon(Daemon.Options.defaults()
                        .withSocket(dir.resolve("run/podnet.sock"))
                        .withStateDir(state())
                        .withHostNetns(sandbox.name())
                        .withCommands(ModelCommands.handler()))
                .start();
    }

    @Test
    @SuppressWarnings("unchecked")
    void modelCommandsGoThroughARunningDaemon(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        try (Daemon.Running daemon = start(sandbox)) {
            assertTrue(DaemonClient.locate(state()).isPresent(), "the daemon leaves its note in the state directory");

            MainTest.Result created = podnet(
                    sandbox.name(), "network", "create", "pods", "--bridge", "pnbr0", "--subnet", "198.18.0.0/24");
            assertEquals(0, created.code(), created.err());
            assertTrue(created.out().contains("pods"), created.out());
            // made by the daemon's dataplane, in the sandbox
            assertNotNull(daemon.dataplane().networks().get("pods").block());
            assertTrue(sandbox.ip("-br", "link", "show", "pnbr0").contains("pnbr0"));

            MainTest.Result added = podnet(
                    sandbox.name(),
                    "endpoint",
                    "add",
                    "--network",
                    "pods",
                    "--container-id",
                    "cafe0001",
                    "--netns",
                    pod,
                    "--json");
            assertEquals(0, added.code(), added.err());
            Map<String, Object> cni = (Map<String, Object>) Json.read(added.out());
            Map<String, Object> ip = ((List<Map<String, Object>>) cni.get("ips")).get(0);
            assertEquals("198.18.0.2/24", ip.get("address"));
            Endpoint ep = daemon.dataplane().endpoints().get("cafe0001", "eth0").block();
            assertNotNull(ep, "the endpoint is in the daemon's dataplane");

            MainTest.Result list = podnet(sandbox.name(), "endpoint", "list");
            assertEquals(0, list.code(), list.err());
            assertTrue(list.out().contains("cafe0001"), list.out());

            // errors keep their exit codes and messages through the daemon
            MainTest.Result bad = podnet(
                    sandbox.name(), "network", "create", "other", "--bridge", "pnbr1", "--subnet", "198.18.0.0/33");
            assertEquals(2, bad.code(), bad.out());
            assertTrue(bad.err().contains("198.18.0.0/33"), bad.err());
            MainTest.Result usage = podnet(sandbox.name(), "endpoint", "add", "--network");
            assertEquals(2, usage.code());

            MainTest.Result dry = podnet(sandbox.name(), "reconcile", "--dry-run");
            assertEquals(0, dry.code(), dry.err());
            assertTrue(dry.out().startsWith("reconcile (dry run)"), dry.out());

            // another host namespace than the daemon's: refused, nothing done
            MainTest.Result other = podnet("podnet-not-" + sandbox.name(), "network", "list");
            assertEquals(2, other.code(), other.out());
            assertTrue(other.err().contains("serves host namespace " + sandbox.name()), other.err());

            MainTest.Result removed = podnet(sandbox.name(), "endpoint", "del", "--container-id", "cafe0001");
            assertEquals(0, removed.code(), removed.err());
            assertEquals(
                    null, daemon.dataplane().endpoints().get("cafe0001", "eth0").block());
        }
        assertFalse(Files.exists(state().resolve(DaemonClient.LOCATOR)), "the note goes with the daemon");
        // without a daemon the command opens the state itself (the lock is free again)
        MainTest.Result after = podnet(sandbox.name(), "network", "delete", "pods");
        assertEquals(0, after.code(), after.err());
        assertFalse(sandbox.ip("-br", "link").contains("pnbr0"));
    }

    @Test
    void aNoteWhoseDaemonIsGoneIsIgnored(Sandbox sandbox) throws Exception {
        Files.createDirectories(state());
        // a daemon killed with SIGKILL leaves its note; pid 2^22+1 is above any pid_max default
        Files.writeString(
                state().resolve(DaemonClient.LOCATOR),
                "{\"socket\":\"" + dir.resolve("gone.sock") + "\",\"pid\":4194305}");
        assertTrue(DaemonClient.locate(state()).isEmpty());
        MainTest.Result list = podnet(sandbox.name(), "network", "list");
        assertEquals(0, list.code(), list.err());
    }

    @Test
    void churnThroughTheDaemonsSocket(Sandbox unused) throws Exception {
        for (String shape : new String[] {"bridge", "ptp"}) {
            String sandbox = "pnt-viad-" + shape + "-" + ProcessHandle.current().pid();
            MainTest.Result r = MainTest.run(
                    "churn",
                    "--pods",
                    "5",
                    "--warmup",
                    "2",
                    "--shape",
                    shape,
                    "--ipv6",
                    "--via-daemon",
                    "--sandbox",
                    sandbox,
                    "--state-dir",
                    dir.resolve(shape).toString(),
                    "--json");
            MainTest.assertReports(
                    MainTest.reportLine(r),
                    "\"via\":\"daemon\"",
                    "\"errors\":0",
                    "\"verified\":true",
                    "\"leaked_links\":0",
                    "\"leaked_addresses\":0");
            assertFalse(Sandbox.run("ip", "netns", "list").contains(sandbox), "the sandbox and its pods are gone");
            assertFalse(Files.exists(dir.resolve(shape).resolve(DaemonClient.LOCATOR)), "the daemon stopped");
        }
        assertEquals(2, MainTest.run("churn", "--via-daemon", "--shape", "vm").code());
        assertEquals(2, MainTest.run("churn", "--via-daemon", "--rate", "10").code());
    }
}
