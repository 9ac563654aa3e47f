package dev.podnet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * podman, a real container runtime, runs containers on a podnet network: inside the sandbox
 * namespace ({@code nsenter --net}, so its host side is the sandbox's), with private configuration,
 * storage, run, temporary and plugin directories (nothing of the machine's own is read or changed),
 * image-free over a busybox-static root. The plugin is the one the build made; the daemon runs in
 * this JVM.
 */
@KernelTest
class PodmanTest {
    private static final Path PLUGIN = Path.of("target/cni/podnet").toAbsolutePath();

    @TempDir
    Path dir;

    private Sandbox sandbox;

    private Path p(String name) {
        return dir.resolve(name);
    }

    /** The private world podman sees: containers.conf, the conflist, the plugin, a busybox root. */
    private void prepare() throws IOException {
        Files.createDirectories(p("plugins"));
        Files.copy(PLUGIN, p("plugins/podnet"));
        p("plugins/podnet").toFile().setExecutable(true);
        Files.createDirectories(p("net.d"));
        Files.writeString(p("net.d/podnet.conflist"), """
                {"cniVersion": "1.0.0", "name": "pnet", "plugins": [{
                  "type": "podnet", "socket": "%s", "stateDir": "%s", "bridge": "pmbr0",
                  "ipam": {"ranges": [[{"subnet": "198.18.7.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}}]}
                """.formatted(p("run/podnet.sock"), p("state")));
        Files.writeString(p("containers.conf"), """
                [containers]
                netns = "private"
                [network]
                network_backend = "cni"
                cni_plugin_dirs = ["%s"]
                network_config_dir = "%s"
                [engine]
                cgroup_manager = "cgroupfs"
                events_logger = "file"
                events_logfile_path = "%s"
                runtime = "runc"
                """.formatted(p("plugins"), p("net.d"), p("events.log")));
        Path root = p("rootfs");
        Files.createDirectories(root.resolve("bin"));
        for (String d : List.of("proc", "sys", "dev", "etc", "tmp", "run")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        root.resolve("bin/busybox").toFile().setExecutable(true);
        for (String tool : List.of("sh", "ip", "ping", "sleep", "cat")) {
            Files.createSymbolicLink(root.resolve("bin/" + tool), Path.of("busybox"));
        }
    }

    /** podman in the sandbox's network namespace with every directory of its own. */
    private String podman(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                "nsenter",
                "--net=/run/netns/" + sandbox.name(),
                "podman",
                "--root",
                p("storage").toString(),
                "--runroot",
                p("runroot").toString(),
                "--tmpdir",
                p("libpod").toString(),
                "--network-config-dir",
                p("net.d").toString(),
                "--cgroup-manager",
                "cgroupfs",
                "--events-backend",
                "file",
                "--runtime",
                "runc"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CONTAINERS_CONF", p("containers.conf").toString());
        pb.environment().put("CONTAINERS_STORAGE_CONF", p("storage.conf").toString());
        pb.environment().put("CONTAINERS_REGISTRIES_CONF", p("registries.conf").toString());
        pb.environment().put("TMPDIR", p("tmp").toString());
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(120, TimeUnit.SECONDS), "podman returned");
        if (proc.exitValue() != 0) {
            throw new AssertionError("podman " + String.join(" ", args) + " failed (" + proc.exitValue() + "): " + out);
        }
        return out.strip();
    }

    private String run(String name, String... cmd) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "run",
                "-d",
                "--name",
                name,
                "--network",
                "pnet",
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024",
                "--rootfs",
                p("rootfs").toString()));
        args.addAll(List.of(cmd));
        return podman(args.toArray(String[]::new));
    }

    @Test
    void podmanRunsContainersOnAPodnetNetworkAndRmLeavesNothing(Sandbox sandbox) throws Exception {
        this.sandbox = sandbox;
        prepare();
        Files.writeString(
                p("storage.conf"),
                "[storage]\ndriver = \"vfs\"\nrunroot = \"" + p("runroot") + "\"\ngraphroot = \"" + p("storage")
                        + "\"\n");
        Files.writeString(p("registries.conf"), "");
        Files.createDirectories(p("state"));
        Files.createDirectories(p("tmp"));
        List<String> left;
        try (Daemon.Running daemon = new Daemon(Daemon.Options.defaults()
                        .withSocket(p("run/podnet.sock"))
                        .withStateDir(p("state"))
                        .withHostNetns(sandbox.name()))
                .start()) {
            try {
                run("web", "sleep", "300");
                run("client", "sleep", "300");
                String addr = podman("exec", "web", "ip", "-4", "-o", "addr", "show", "dev", "eth0");
                assertTrue(addr.contains("198.18.7."), addr);
                String route = podman("exec", "web", "ip", "route");
                assertTrue(route.contains("default via 198.18.7.1"), route);
                String webIp = addr.replaceAll(".*inet (198\\.18\\.7\\.\\d+)/.*", "$1");
                String ping = podman("exec", "client", "ping", "-c", "1", "-W", "2", webIp);
                assertTrue(ping.contains("1 packets received"), ping);
                assertEquals(2, daemon.dataplane().endpoints().list().count().block());

                podman("rm", "-f", "-t", "0", "web", "client");
                assertEquals(0, daemon.dataplane().endpoints().list().count().block(), "podman rm leaves no record");
                assertEquals(0, daemon.dataplane().ipam().reservedCount("pnet"), "nor a reservation");
                assertFalse(sandbox.ip("-o", "link").matches("(?s).*pn[0-9a-f]{12}.*"), "nor a host link");

                // a burst of containers, then all removed: nothing behind
                List<String> names = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    names.add("burst" + i);
                    run("burst" + i, "sleep", "300");
                }
                assertEquals(8, daemon.dataplane().endpoints().list().count().block());
                List<String> rm = new ArrayList<>(List.of("rm", "-f", "-t", "0"));
                rm.addAll(names);
                podman(rm.toArray(String[]::new));
                assertEquals(0, daemon.dataplane().endpoints().list().count().block());
                assertEquals(0, daemon.dataplane().ipam().reservedCount("pnet"));
            } finally {
                try {
                    podman("rm", "-a", "-f", "-t", "0");
                } catch (AssertionError ignored) {
                    // the test's own failure is the one to report
                }
                // while the daemon still answers: the cleanups call the plugin's DEL
                left = awaitProcessesGone();
            }
        }
        assertEquals(List.of(), left, "podman's monitors and cleanups end after rm");
    }

    /**
     * {@code podman rm} returns before the processes it started are gone: each container's
     * {@code conmon}, on the container's exit, runs {@code podman container cleanup}, which writes
     * into the private directories (state database, locks, events log) a moment later. Wait for
     * every process that names those directories to end, so none outlives the test or writes into
     * its directory while it is deleted; after 30 s kill them and name them.
     */
    private List<String> awaitProcessesGone() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<ProcessHandle> using = ProcessHandle.allProcesses()
                    .filter(ph -> ph.info()
                            .commandLine()
                            .filter(line -> line.contains(dir.toString()))
                            .isPresent())
                    .toList();
            if (using.isEmpty()) {
                return List.of();
            }
            if (System.nanoTime() > deadline) {
                using.forEach(ProcessHandle::destroyForcibly);
                return using.stream()
                        .map(ph -> ph.pid() + " " + ph.info().command().orElse("?"))
                        .toList();
            }
            Thread.sleep(50);
        }
    }
}
