package dev.podnet.stress;

import dev.podnet.api.Dataplane;
import dev.podnet.api.Endpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Plain {@code podnet churn}, the burst: in a {@link SandboxFixture}'s pods, adds every pod's endpoint
 * through the {@link Dataplane} API (or, with {@code --via-daemon}, a daemon's socket: {@link PodDriver}) ({@code --concurrency} in flight, after an untimed warm-up), verifies
 * a sample ({@link BurstVerifier}), removes them all, checks nothing leaked, and reports rates and
 * latencies through {@link Report}.
 */
final class BurstChurn {
    static final String NETWORK = PodDriver.NETWORK;
    private static final Duration T = Duration.ofMinutes(5);
    private static final int MAX_WARMUP_ROUNDS = 40;

    private final PrintStream out;
    private final ChurnOptions options;
    private final SandboxFixture sandbox;
    private final boolean tty;
    private long jitDuringAddMs = -1;
    private int warmupRounds;

    /** @param tty whether to show progress (never with {@code --json}) */
    BurstChurn(PrintStream out, ChurnOptions options, SandboxFixture sandbox, boolean tty) {
        this.out = out;
        this.options = options;
        this.sandbox = sandbox;
        this.tty = tty;
    }

    int run() throws Exception {
        String name = sandbox.name();
        List<String> podNames = sandbox.pods();
        int pods = options.pods();
        try (PodDriver driver = options.viaDaemon()
                ? PodDriver.daemon(options, name, sandbox.stateDir(), out)
                : PodDriver.library(options, name, sandbox.stateDir())) {
            Dataplane dp = driver.dp();
            // untimed: a long-lived agent runs compiled code; a fresh JVM first interprets and compiles
            // (on two cores the JIT compilers would take a third of the CPU of the timed phase)
            int warm = Math.min(options.warmup(), pods);
            if (warm > 0) {
                warmUp(driver, podNames, warm);
            }
            long jit0 = jitMillis();

            Latencies addLat = new Latencies();
            AtomicInteger errors = new AtomicInteger();
            List<String> firstErrors = new CopyOnWriteArrayList<>();
            Endpoint[] endpoints = new Endpoint[pods];
            long addStart = System.nanoTime();
            addAll(driver, podNames, "", pods, addLat, errors, firstErrors, endpoints, true);
            double addSeconds = (System.nanoTime() - addStart) / 1e9;
            jitDuringAddMs = jitMillis() - jit0;
            progressDone();
            // untimed: the endpoints that a way in without API results (the daemon's CNI answers) made
            for (int i = 0; i < pods; i++) {
                if (endpoints[i] == null) {
                    endpoints[i] = dp.endpoints()
                            .get(ChurnCommand.containerId(i), "eth0")
                            .block(T);
                }
            }

            boolean verified = BurstVerifier.verify(dp, sandbox, options, podNames, endpoints, firstErrors);
            if (options.publish()) {
                // every pod's port in podnet's table, once per family (read with nft: -1 when not installed)
                int published = KernelLeftovers.publishedPorts(name);
                int expected = pods * (options.ipv6() ? 2 : 1) - errors.get();
                if (published >= 0 && published != expected) {
                    verified = false;
                    firstErrors.add("published ports: nft lists " + published + " elements, expected " + expected);
                }
            }

            Latencies delLat = new Latencies();
            double delSeconds = 0;
            int leakedLinks = 0;
            int leakedAddresses = 0;
            if (!options.keep()) {
                long delStart = System.nanoTime();
                removeAll(driver, "", pods, delLat, errors, firstErrors, true);
                delSeconds = (System.nanoTime() - delStart) / 1e9;
                progressDone();
                // leftovers as the kernel shows them through iproute2, then what the state still holds
                leakedLinks = KernelLeftovers.hostLinks(name);
                leakedAddresses = KernelLeftovers.podAddresses(podNames)
                        + dp.ipam().reservedCount(NETWORK)
                        + dp.endpoints().list().count().block(T).intValue();
                leakedLinks += Math.max(0, KernelLeftovers.publishedPorts(name)); // a port left is a leak too
            }
            report(
                    addLat,
                    addSeconds,
                    delLat,
                    delSeconds,
                    errors.get(),
                    verified,
                    leakedLinks,
                    leakedAddresses,
                    firstErrors);
            boolean ok = errors.get() == 0 && verified && leakedLinks == 0 && leakedAddresses == 0;
            return ok ? 0 : 1;
        }
    }

    /**
     * Waits until the machine is quiet, as every peer trial does before it starts (shared/peers'
     * {@code wait_quiet}): two half-second windows in a row with the CPUs at least 85% idle, or
     * 30 s. The kernel finishes deleting the warm-up's links in its workers, for a while after the
     * removes have returned; the timed adds should not pay for that.
     */
    private static void waitQuiet() throws InterruptedException {
        int quiet = 0;
        long[] before = cpuTimes();
        for (int i = 0; i < 60 && quiet < 2 && before != null; i++) {
            Thread.sleep(500);
            long[] now = cpuTimes();
            if (now == null) {
                return;
            }
            long busy = now[0] - before[0];
            long idle = now[1] - before[1];
            quiet = busy + idle > 0 && idle * 100 / (busy + idle) >= 85 ? quiet + 1 : 0;
            before = now;
        }
    }

    /** {busy, idle} jiffies of all CPUs from /proc/stat, or null where there is none. */
    private static long[] cpuTimes() {
        try {
            String[] f = java.nio.file.Files.readAllLines(Path.of("/proc/stat"))
                    .get(0)
                    .trim()
                    .split("\\s+");
            long user = Long.parseLong(f[1]);
            long nice = Long.parseLong(f[2]);
            long system = Long.parseLong(f[3]);
            long idle = Long.parseLong(f[4]);
            long iowait = Long.parseLong(f[5]);
            long irq = Long.parseLong(f[6]);
            long softirq = Long.parseLong(f[7]);
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            return new long[] {user + nice + system + irq + softirq + steal, idle + iowait};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Milliseconds the JIT compilers have spent so far (-1 where the JVM does not say). */
    private static long jitMillis() {
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /**
     * Adds and removes {@code warm} pods shaped like the timed ones, with the timed phase's code, in
     * rounds, until two rounds in a row leave the JIT compilers nearly idle (under a tenth of the
     * round's time) or {@link #MAX_WARMUP_ROUNDS}
     * have run; then waits for a quiet machine ({@link #waitQuiet}).
     */
    private void warmUp(PodDriver dp, List<String> podNames, int warm) throws InterruptedException {
        long w0 = System.nanoTime();
        int rounds = 0;
        int quietRounds = 0;
        long jitShare;
        do {
            long r0 = System.nanoTime();
            long j0 = jitMillis();
            String prefix = "warm" + rounds++;
            AtomicInteger errors = new AtomicInteger();
            List<String> firstErrors = new CopyOnWriteArrayList<>();
            addAll(dp, podNames, prefix, warm, new Latencies(), errors, firstErrors, new Endpoint[warm], false);
            removeAll(dp, prefix, warm, new Latencies(), errors, firstErrors, false);
            if (errors.get() > 0) {
                throw new IllegalStateException(
                        "warm-up: " + errors.get() + " operations failed, the first: " + firstErrors.get(0));
            }
            long roundMs = Math.max(1, (System.nanoTime() - r0) / 1_000_000);
            jitShare = j0 < 0 ? 0 : (jitMillis() - j0) * 100 / roundMs;
            quietRounds = jitShare < 10 ? quietRounds + 1 : 0;
        } while (quietRounds < 2 && rounds < MAX_WARMUP_ROUNDS);
        waitQuiet();
        warmupRounds = rounds;
        progress("warm-up: " + rounds + " round(s) of " + warm + " pods added and removed in "
                + String.format(Locale.ROOT, "%.3f", (System.nanoTime() - w0) / 1e9) + " s (untimed; JIT at " + jitShare
                + "% of the last round)");
    }

    /**
     * Adds pods 0..count-1 ({@code prefix + containerId(i)}, {@code concurrency} in flight), each
     * timed into {@code lat}: the code of the timed phase, which the warm-up runs too, so that it is
     * compiled before the timed run.
     */
    private void addAll(
            PodDriver dp,
            List<String> podNames,
            String prefix,
            int count,
            Latencies lat,
            AtomicInteger errors,
            List<String> firstErrors,
            Endpoint[] endpoints,
            boolean ticks) {
        forEach(
                count,
                i -> timed(
                                dp.add(
                                        prefix + ChurnCommand.containerId(i),
                                        podNames.get(i),
                                        (prefix.isEmpty() ? "pod-" : prefix + "-") + i,
                                        options.publish() ? ChurnOptions.hostPort(i) : 0),
                                lat)
                        .doOnNext(ep -> endpoints[i] = ep),
                errors,
                firstErrors,
                ticks ? () -> tick("adding", lat.count()) : null);
    }

    /** Removes what {@link #addAll} added, the same way. */
    private void removeAll(
            PodDriver dp,
            String prefix,
            int count,
            Latencies lat,
            AtomicInteger errors,
            List<String> firstErrors,
            boolean ticks) {
        forEach(
                count,
                i -> timed(dp.remove(prefix + ChurnCommand.containerId(i)), lat),
                errors,
                firstErrors,
                ticks ? () -> tick("removing", lat.count()) : null);
    }

    /**
     * Runs {@code op} for 0..count-1, {@code concurrency} in flight, to the end: a failure is counted
     * ({@link #failed}), not thrown; {@code tick} (unless null) runs on each value they give.
     */
    private void forEach(
            int count, IntFunction<Mono<?>> op, AtomicInteger errors, List<String> firstErrors, Runnable tick) {
        Flux.range(0, count)
                .flatMap(i -> op.apply(i).onErrorResume(e -> failed(e, errors, firstErrors)), options.concurrency())
                .doOnNext(x -> {
                    if (tick != null) {
                        tick.run();
                    }
                })
                .blockLast(T);
    }

    private static <T> Mono<T> timed(Mono<T> op, Latencies lat) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return op.doOnSuccess(v -> lat.record(System.nanoTime() - start));
        });
    }

    private static <T> Mono<T> failed(Throwable e, AtomicInteger errors, List<String> firstErrors) {
        errors.incrementAndGet();
        if (firstErrors.size() < 5) {
            firstErrors.add(e.getMessage());
        }
        return Mono.empty();
    }

    private void report(
            Latencies add,
            double addS,
            Latencies del,
            double delS,
            int errors,
            boolean verified,
            int leakedLinks,
            int leakedAddresses,
            List<String> problems) {
        String name = sandbox.name();
        int pods = options.pods();
        double addRate = addS > 0 ? pods / addS : 0;
        double delRate = delS > 0 ? pods / delS : 0;
        Report r = new Report(out, options.json())
                .line(
                        "podnet churn: %d pods, %s shape%s, %s, sandbox %s",
                        pods,
                        options.shape(),
                        (options.ipv6() ? ", dual stack" : "") + (options.publish() ? ", a published port each" : ""),
                        options.viaDaemon() ? "through the daemon's socket" : "through the library",
                        name)
                .line(
                        "  add     %8.3f s  %8.1f pods/s  p50 %7.2f ms  p99 %7.2f ms",
                        addS, addRate, add.percentileMillis(50), add.percentileMillis(99));
        if (!options.keep()) {
            r.line(
                    "  remove  %8.3f s  %8.1f pods/s  p50 %7.2f ms  p99 %7.2f ms",
                    delS, delRate, del.percentileMillis(50), del.percentileMillis(99));
        }
        r.line(
                "  errors %d, verified %s, leaked links %d, leaked addresses %d",
                errors, verified ? "yes" : "NO", leakedLinks, leakedAddresses);
        r.problems(problems);
        if (options.keep()) {
            r.text("  kept for inspection: sandbox " + name + ", pods " + name + "-p0 .. " + name + "-p" + (pods - 1)
                    + "; state in " + sandbox.stateDir());
            r.text("  try: ip -n " + name + " -br link; ip -n " + name + "-p0 addr; ip netns del <name> to clean up");
        }
        r.put("pods", pods)
                .put("shape", options.shape())
                .put("ipv6", options.ipv6())
                .put("via", options.viaDaemon() ? "daemon" : "library")
                .put("publish", options.publish())
                .put("add_s", Report.round(addS, 4))
                .put("add_per_s", Report.round(addRate, 1))
                .put("add_p50_ms", Report.round(add.percentileMillis(50), 3))
                .put("add_p99_ms", Report.round(add.percentileMillis(99), 3))
                .put("del_s", Report.round(delS, 4))
                .put("del_per_s", Report.round(delRate, 1))
                .put("del_p50_ms", Report.round(del.percentileMillis(50), 3))
                .put("del_p99_ms", Report.round(del.percentileMillis(99), 3))
                .put("errors", errors)
                .put("verified", verified)
                .put("leaked_links", leakedLinks)
                .put("leaked_addresses", leakedAddresses)
                .put("warmup_rounds", warmupRounds)
                .put("jit_ms_during_add", jitDuringAddMs)
                .put("sandbox", name)
                .end();
    }

    private void tick(String what, int done) {
        if (tty && !options.json() && (done % 25 == 0 || done == options.pods())) {
            out.print("\r  " + what + " " + done + "/" + options.pods() + "   ");
            out.flush();
        }
    }

    private void progress(String line) {
        if (tty && !options.json()) {
            out.println("  " + line);
        }
    }

    private void progressDone() {
        if (tty && !options.json()) {
            out.print("\r" + " ".repeat(40) + "\r");
        }
    }
}
