package dev.podnet.stress;

import dev.podnet.api.Dataplane;
import dev.podnet.api.DataplaneOptions;
import dev.podnet.api.Endpoint;
import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.ReconcileReport;
import dev.podnet.dataplane.netns.NetNs;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code podnet churn --crash-test}: churn in a child JVM ({@link CrashWorker}), {@code kill -9} at
 * an instant drawn uniformly from the child's whole life (JVM start, state open and recovery,
 * network attach, steady churn: inside Chronicle Map writes and between netlink messages alike),
 * then recover in this process (open = recover the maps + reconcile with the kernel, timed), check
 * the invariants against an independent kernel read ({@link CrashInvariants}), and go again.
 *
 * @param out     where the report goes
 * @param options the cycles, kill instants, seed and shape
 * @param sandbox the pods it runs over, its state, and its {@link SandboxFixture#crashDir} for the workers' log
 */
record CrashHarness(PrintStream out, CrashOptions options, SandboxFixture sandbox) {
    private static final Duration T = Duration.ofMinutes(2);

    /**
     * The command line of a worker child: this JVM's binary, flags and class path; the worker's pods,
     * shape and log, then {@code more} of its options.
     */
    static List<String> workerCommand(
            Path stateDir, String sandbox, List<String> pods, String shape, Path log, String... more) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-javaagent")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                CrashWorker.class.getName(),
                stateDir.toString(),
                sandbox));
        cmd.addAll(List.of("--pods", CrashWorker.podsArg(pods), "--shape", shape, "--log", log.toString()));
        cmd.addAll(List.of(more));
        return cmd;
    }

    int run() throws Exception {
        String name = sandbox.name();
        List<String> pods = sandbox.pods();
        Path stateDir = sandbox.stateDir();
        Path workDir = sandbox.crashDir();
        String shape = options.shape();
        int cycles = options.cycles();
        Report results = new Report(out, options.json())
                .detail("podnet churn --crash-test: sandbox %s, state %s, seed %d", name, stateDir, options.seed());
        Files.createDirectories(workDir);
        Path log = workDir.resolve("worker.log");
        Random random = new Random(options.seed());
        String gateway = shape.equals("ptp") ? "198.19.0.1" : "198.18.0.1";
        // the first recovery runs in a cold JVM (class loading, interpreter): kept apart, as what a
        // restarted agent pays; the percentiles are over the later, warm ones: the recovery work itself
        Latencies recovery = new Latencies();
        double coldMs = 0;
        int leakedLinks = 0;
        int leakedAddresses = 0;
        int lost = 0;
        int duplicates = 0;
        int unreachable = 0;
        int notReady = 0;
        int reconcileActions = 0;
        List<String> problems = new ArrayList<>();
        int[] kills = new int[Phase.values().length];
        long startupMs = 0; // how long the last worker took to open its state: where start-up kills land
        for (int cycle = 1; cycle <= cycles; cycle++) {
            Path childOut = workDir.resolve("worker.out");
            long logOffset = Files.exists(log) ? Files.size(log) : 0;
            // most kills come while the worker churns, timed from its first operation; a share lands
            // on purpose in its start-up (JVM start, map opening, recovery), which churn kills never see
            boolean inStartup = startupMs > 0 && random.nextInt(STARTUP_SHARE) == 0;
            int killAfter = random.nextInt((inStartup ? (int) startupMs : options.maxKillMs()) + 1);
            long started = System.nanoTime();
            Process child = new ProcessBuilder(workerCommand(
                            stateDir,
                            name,
                            pods,
                            shape,
                            log,
                            options.publish()
                                    ? new String[] {"--seed", Long.toString(random.nextLong()), "--publish"}
                                    : new String[] {"--seed", Long.toString(random.nextLong())}))
                    .redirectErrorStream(true)
                    .redirectOutput(childOut.toFile())
                    .start();
            if (!inStartup) {
                long churning = waitForFirstOperation(child, log, logOffset);
                startupMs = (churning - started) / 1_000_000;
            }
            boolean exited = child.waitFor(killAfter, TimeUnit.MILLISECONDS);
            if (exited) {
                problems.add("cycle " + cycle + ": the worker exited by itself (" + child.exitValue() + "): "
                        + tail(childOut));
            }
            child.destroyForcibly(); // SIGKILL
            child.waitFor();
            List<String> childLines = newLines(log, logOffset);
            Phase phase = Phase.of(childLines);
            kills[phase.ordinal()]++;

            long t0 = System.nanoTime();
            Dataplane dp = Dataplane.open(DataplaneOptions.of(stateDir)
                            .hostNetns(NetNs.named(name))
                            .maxEndpoints(Math.max(1024, pods.size() * 4)))
                    .block(T);
            long recoveredNanos = System.nanoTime() - t0;
            if (cycle == 1) {
                coldMs = recoveredNanos / 1e6;
            } else {
                recovery.record(recoveredNanos);
            }
            try {
                dp.networks().create(CrashWorker.network(shape)).block(T); // absent when killed before the first create
                ReconcileReport report = dp.reconciler().openReport();
                reconcileActions += report.actions().size();
                CrashInvariants.Findings f =
                        CrashInvariants.check(dp, name, pods, gateway, CrashInvariants.lastEvents(log));
                leakedLinks += f.leakedLinks();
                leakedAddresses += f.leakedAddresses();
                lost += f.lostEndpoints();
                duplicates += f.duplicateIps();
                unreachable += f.unreachable();
                notReady += f.notReady();
                for (String d : f.details()) {
                    problems.add("cycle " + cycle + " (killed " + killAfter + " ms into its "
                            + (inStartup ? "start-up" : "operations") + "): " + d);
                }
                results.detail(
                        "  cycle %3d: killed %4d ms into its %-10s (%3d ops done), recovered in %6.1f ms, "
                                + "%2d reconcile actions, %s",
                        cycle,
                        killAfter,
                        inStartup ? "start-up" : "operations",
                        opsCompleted(childLines),
                        recoveredNanos / 1e6,
                        report.actions().size(),
                        f.clean() ? "ok" : "PROBLEMS");
                settle(dp, log);
            } finally {
                dp.close();
            }
        }
        int ops = countOps(log);
        // leave nothing: remove every endpoint, then the network
        Dataplane dp = Dataplane.open(DataplaneOptions.of(stateDir)
                        .hostNetns(NetNs.named(name))
                        .maxEndpoints(Math.max(1024, pods.size() * 4)))
                .block(T);
        try {
            for (Endpoint r : dp.endpoints().list().collectList().block(T)) {
                dp.endpoints().remove(r.containerId(), r.ifName()).block(T);
            }
            dp.networks().delete(CrashWorker.NETWORK, true).block(T);
        } finally {
            dp.close();
        }
        results.line(
                "podnet churn --crash-test: %d cycles over %d pods (%s shape), %d operations completed by the "
                        + "killed workers",
                cycles, pods.size(), shape, ops);
        int midOperations = kills[Phase.OPERATIONS.ordinal()];
        results.line(
                "  kills: %d in start-up or recovery, %d with the worker open but idle, %d in the middle of operations",
                kills[Phase.STARTUP.ordinal()], kills[Phase.IDLE.ordinal()], midOperations);
        if (midOperations * 2 < cycles) {
            problems.add("only " + midOperations + " of " + cycles
                    + " kills came in the middle of operations: the run tested too little");
        }
        results.line(
                        "  leaked links %d, leaked addresses %d, lost endpoints %d, duplicate IPs %d, unreachable %d, "
                                + "not ready %d",
                        leakedLinks, leakedAddresses, lost, duplicates, unreachable, notReady)
                .line(
                        "  recovery (open + reconcile) p50 %.1f ms, p99 %.1f ms (cycles 2..%d); first, in a cold JVM, %.1f ms; "
                                + "%d reconcile actions",
                        recovery.percentileMillis(50), recovery.percentileMillis(99), cycles, coldMs, reconcileActions)
                .problems(problems.subList(0, Math.min(problems.size(), 20)))
                .put("cycles", cycles)
                .put("pods", pods.size())
                .put("shape", shape)
                .put("ops_completed", ops)
                .put("leaked_links", leakedLinks)
                .put("leaked_addresses", leakedAddresses)
                .put("lost_endpoints", lost)
                .put("duplicate_ips", duplicates)
                .put("unreachable", unreachable)
                .put("not_ready", notReady)
                .put("recovery_p50_ms", Report.round(recovery.percentileMillis(50), 3))
                .put("recovery_p99_ms", Report.round(recovery.percentileMillis(99), 3))
                .put("recovery_cold_ms", Report.round(coldMs, 3))
                .put("reconcile_actions", reconcileActions)
                .put("kills_in_startup", kills[Phase.STARTUP.ordinal()])
                .put("kills_idle", kills[Phase.IDLE.ordinal()])
                .put("kills_in_operations", midOperations)
                .put("sandbox", name)
                .end();
        boolean clean = leakedLinks + leakedAddresses + lost + duplicates + unreachable + notReady == 0
                && problems.stream().noneMatch(p -> p.contains("exited by itself") || p.contains("tested too little"));
        return clean ? 0 : 1;
    }

    /** One kill in {@value} is drawn from the worker's start-up instead of its operations. */
    static final int STARTUP_SHARE = 5;

    /** Where a kill found the worker, from what it had logged by then. */
    enum Phase {
        /** before its state was open: JVM start, map opening, recovery and reconciliation */
        STARTUP,
        /** open, no operation started yet */
        IDLE,
        /** at least one operation started */
        OPERATIONS;

        static Phase of(List<String> lines) {
            boolean open = lines.contains("O open");
            boolean started = lines.stream().anyMatch(l -> l.startsWith("A+ ") || l.startsWith("R+ "));
            return !open ? STARTUP : started ? OPERATIONS : IDLE;
        }
    }

    /** Operations a worker completed before its kill, from its log lines. */
    private static int opsCompleted(List<String> lines) {
        return (int) lines.stream()
                .filter(l -> l.startsWith("A= ") || l.startsWith("R= "))
                .count();
    }

    /** The lines a worker appended to the log past {@code offset}. */
    private static List<String> newLines(Path log, long offset) throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(offset, all.length);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8)
                .lines()
                .toList();
    }

    /** Waits (at most a minute) until the worker logs its first operation; the instant it saw it. */
    private static long waitForFirstOperation(Process child, Path log, long offset)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline && child.isAlive()) {
            if (newLines(log, offset).stream().anyMatch(l -> l.startsWith("A+ ") || l.startsWith("R+ "))) {
                return System.nanoTime();
            }
            Thread.sleep(2);
        }
        return System.nanoTime();
    }

    /** After a check, the log records what recovery settled: present endpoints as added, the rest as removed. */
    private void settle(Dataplane dp, Path log) throws IOException {
        Set<String> ready = new HashSet<>();
        for (Endpoint r : dp.endpoints().list().toIterable()) {
            if (r.state() == EndpointState.READY) {
                ready.add(r.id());
            }
        }
        StringBuilder b = new StringBuilder("# settled\n");
        for (int i = 0; i < sandbox.pods().size(); i++) {
            String key = ChurnCommand.containerId(i) + "/eth0";
            b.append(ready.contains(key) ? "A= " : "R= ").append(key).append('\n');
        }
        Files.writeString(log, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static int countOps(Path log) throws IOException {
        // the workers' completions only: an A= or R= that follows its start within one worker's life
        int n = 0;
        Set<String> started = new HashSet<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.equals("# settled")) {
                started.clear();
            } else if (line.startsWith("A+ ") || line.startsWith("R+ ")) {
                started.add(line.substring(3));
            } else if ((line.startsWith("A= ") || line.startsWith("R= ")) && started.remove(line.substring(3))) {
                n++;
            }
        }
        return n;
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
