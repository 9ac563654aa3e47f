package dev.podnet.stress;

import dev.podnet.api.Dataplane;
import dev.podnet.api.DataplaneOptions;
import dev.podnet.api.Endpoint;
import dev.podnet.api.EndpointSpec;
import dev.podnet.api.NetworkSpec;
import dev.podnet.dataplane.endpoint.HostNames;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.dataplane.netns.Namespaces;
import dev.podnet.dataplane.netns.NetnsThread;
import dev.podnet.dataplane.state.NetworkMode;
import dev.podnet.dataplane.link.Links;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.sys.LibC;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code podnet churn}: everything in a sandbox namespace this command creates and deletes. Adds N
 * endpoints through the {@link Dataplane} API, verifies a sample (kernel read-back and ping),
 * removes them all, checks nothing leaked, and reports rates and latencies.
 */
public final class ChurnCommand {
    private static final String CMD = "churn";
    private static final String DEFAULT_PREFIX = "podnet-sbx-";
    private static final Pattern OURS = Pattern.compile(Pattern.quote(DEFAULT_PREFIX) + "(\\d+)(-p\\d+)?");
    private static final Pattern HOST_LINK = Pattern.compile(HostNames.PREFIX + "[0-9a-f]{12}");
    private static final Duration T = Duration.ofMinutes(5);
    private static final String NETWORK = "churn";
    private static final String BRIDGE = "pnbr0";
    private static final String SUBNET6 = "fd00:18::/64";
    private static final String GATEWAY6 = "fd00:18::1";

    private final PrintStream out;
    private final PrintStream err;
    private final int pods;
    private final String sandbox;
    private final Path stateDir;
    private final boolean ownStateDir;
    private final int concurrency;
    private final boolean keep;
    private final boolean json;
    private final NetworkMode shape;
    private final boolean vm;
    private final boolean ipv6;
    private final String gateway;
    private final boolean crashTest;
    private final int cycles;
    private final int maxKillMs;
    private final long seed;
    private final int rate;
    private final int durationS;
    private final int live;
    private final String outPrefix;
    private final int warmup;
    private final int warmupS;
    private static final int MAX_WARMUP_ROUNDS = 40;
    private long jitDuringAddMs = -1;
    private int warmupRounds;
    private final boolean tty = System.console() != null;
    private final List<String> created = new CopyOnWriteArrayList<>();

    public ChurnCommand(String[] argv, PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        Args a = Args.parse(CMD, argv, 0, Set.of("--pods", "--sandbox", "--state-dir", "--concurrency", "--shape", "--cycles",
                "--max-kill-ms", "--seed", "--rate", "--duration", "--live", "--out", "--warmup", "--warmup-s"), Set.of("--keep", "--json", "--ipv6", "--crash-test"));
        if (!a.positional().isEmpty()) {
            throw new UsageException(CMD + ": unexpected argument '" + a.positional().get(0) + "'");
        }
        crashTest = a.has("--crash-test");
        warmup = a.intValue(CMD, "--warmup", 200, 0, 100000);
        warmupS = a.intValue(CMD, "--warmup-s", 20, 0, 3600);
        rate = a.intValue(CMD, "--rate", 0, 1, 100000);
        durationS = a.intValue(CMD, "--duration", 60, 1, 86400);
        live = a.intValue(CMD, "--live", 500, 0, 50000);
        outPrefix = a.get("--out", Path.of(System.getProperty("java.io.tmpdir"), "podnet-steady-"
                + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toString());
        if (rate == 0 && (a.has("--duration") || a.has("--live") || a.has("--out") || a.has("--warmup-s"))) {
            throw new UsageException(CMD + ": --duration, --live, --warmup-s and --out go with --rate");
        }
        if (rate > 0 && (crashTest || a.has("--pods") || a.has("--keep"))) {
            throw new UsageException(CMD + ": --rate (steady churn) takes --live, not --pods; and no --crash-test or --keep");
        }
        pods = rate > 0 ? SteadyChurn.poolSize(rate, live) : a.intValue(CMD, "--pods", crashTest ? 40 : 200, 1, 60000);
        cycles = a.intValue(CMD, "--cycles", 20, 1, 100000);
        maxKillMs = a.intValue(CMD, "--max-kill-ms", 3000, 0, 600000);
        try {
            seed = Long.parseLong(a.get("--seed", Long.toString(System.nanoTime())));
        } catch (NumberFormatException e) {
            throw new UsageException(CMD + ": --seed must be a whole number");
        }
        if (!crashTest && (a.has("--cycles") || a.has("--max-kill-ms") || a.has("--seed"))) {
            throw new UsageException(CMD + ": --cycles, --max-kill-ms and --seed go with --crash-test");
        }
        concurrency = a.intValue(CMD, "--concurrency", 64, 1, 4096);
        String shapeName = a.get("--shape", "bridge");
        shape = switch (shapeName) {
            case "bridge", "vm" -> NetworkMode.BRIDGE;
            case "ptp" -> NetworkMode.PTP;
            default -> throw new UsageException(CMD + ": --shape must be bridge, ptp or vm, got '" + shapeName + "'");
        };
        vm = shapeName.equals("vm");
        ipv6 = a.has("--ipv6");
        if (rate > 0 && (vm || ipv6)) {
            throw new UsageException(CMD + ": --rate (steady churn) runs the bridge or ptp shape, IPv4");
        }
        if (crashTest && (vm || ipv6 || a.has("--keep"))) {
            throw new UsageException(CMD + ": --crash-test runs the bridge or ptp shape, IPv4, without --keep");
        }
        gateway = shape == NetworkMode.PTP ? "198.19.0.1" : "198.18.0.1";
        sandbox = a.get("--sandbox", DEFAULT_PREFIX + ProcessHandle.current().pid());
        try {
            NetNs.validateName(sandbox);
        } catch (IllegalArgumentException e) {
            throw new UsageException(CMD + ": --sandbox: " + e.getMessage());
        }
        if (sandbox.length() > 200) {
            throw new UsageException(CMD + ": --sandbox name is too long (at most 200 bytes)");
        }
        ownStateDir = !a.has("--state-dir");
        stateDir = ownStateDir ? Path.of(System.getProperty("java.io.tmpdir"), "podnet-churn-" + ProcessHandle.current().pid())
                : Path.of(a.get("--state-dir", ""));
        keep = a.has("--keep");
        json = a.has("--json");
    }

    public int run() {
        if (!LibC.isRoot()) {
            err.println("podnet: churn needs root (it creates network namespaces)");
            return 1;
        }
        NetnsThread thread;
        try {
            thread = NetnsThread.start();
        } catch (IOException e) {
            err.println("podnet: " + e.getMessage());
            return 1;
        }
        Namespaces namespaces = new Namespaces(thread);
        Thread cleanupOnSignal = new Thread(() -> deleteCreated(namespaces), "podnet-churn-cleanup");
        if (!keep) {
            Runtime.getRuntime().addShutdownHook(cleanupOnSignal);
        }
        try {
            removeStaleSandboxes(namespaces);
            if (namespaces.exists(sandbox)) {
                err.println("podnet: netns " + sandbox + " already exists; choose another --sandbox");
                return 1;
            }
            return churn(namespaces);
        } catch (Exception e) {
            err.println("podnet: churn failed: " + e.getMessage());
            return 1;
        } finally {
            if (!keep) {
                deleteCreated(namespaces);
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanupOnSignal);
                } catch (IllegalStateException ignored) {
                    // already shutting down
                }
                if (ownStateDir) {
                    deleteTree(stateDir);
                    deleteTree(stateDir.resolveSibling(stateDir.getFileName() + "-crash"));
                }
            }
            try {
                thread.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    private int churn(Namespaces namespaces) throws Exception {
        long t0 = System.nanoTime();
        namespaces.create(sandbox).block(T);
        created.add(sandbox);
        List<String> podNames = new ArrayList<>(pods);
        for (int i = 0; i < pods; i++) {
            String name = sandbox + "-p" + i;
            namespaces.create(name).block(T);
            created.add(name);
            podNames.add(name);
        }
        double nsSeconds = (System.nanoTime() - t0) / 1e9;
        progress("created " + pods + " pod namespaces in " + fmt(nsSeconds) + " s");
        if (rate > 0) {
            return new SteadyChurn(out, sandbox, podNames, stateDir, shapeName(), rate, durationS, live, warmupS, concurrency, json,
                    Path.of(outPrefix)).run();
        }
        if (crashTest) {
            if (!json) {
                out.println("podnet churn --crash-test: sandbox " + sandbox + ", state " + stateDir + ", seed " + seed);
            }
            return new CrashHarness(out, sandbox, podNames, stateDir, stateDir.resolveSibling(stateDir.getFileName() + "-crash"),
                    shapeName(), cycles, maxKillMs, json, seed).run();
        }

        Dataplane dp = Dataplane.open(DataplaneOptions.of(stateDir).hostNetns(NetNs.named(sandbox))
                .maxConcurrent(concurrency).maxEndpoints(Math.max(1024, pods * 2))).block(T);
        try {
            dp.createNetwork(shape == NetworkMode.PTP
                    ? NetworkSpec.ptp(NETWORK, "198.19.0.0/16").withGateway(gateway).withIpv6(ipv6 ? SUBNET6 : null)
                    : NetworkSpec.bridge(NETWORK, BRIDGE, "198.18.0.0/16").withGateway(gateway)
                    .withIpv6(ipv6 ? SUBNET6 : null)).block(T);

            // untimed: a long-lived agent runs compiled code; a fresh JVM first interprets and compiles
            // (on two cores the JIT compilers would take a third of the CPU of the timed phase)
            int warm = Math.min(warmup, pods);
            if (warm > 0) {
                warmUp(dp, podNames, warm);
            }
            long jit0 = jitMillis();

            Latencies addLat = new Latencies();
            AtomicInteger errors = new AtomicInteger();
            List<String> firstErrors = new CopyOnWriteArrayList<>();
            Endpoint[] endpoints = new Endpoint[pods];
            long addStart = System.nanoTime();
            addAll(dp, podNames, "", pods, addLat, errors, firstErrors, endpoints, true);
            double addSeconds = (System.nanoTime() - addStart) / 1e9;
            jitDuringAddMs = jitMillis() - jit0;
            progressDone();

            boolean verified = verify(dp, podNames, endpoints, firstErrors);

            Latencies delLat = new Latencies();
            double delSeconds = 0;
            int leakedLinks = 0;
            int leakedAddresses = 0;
            if (!keep) {
                long delStart = System.nanoTime();
                removeAll(dp, "", pods, delLat, errors, firstErrors, true);
                delSeconds = (System.nanoTime() - delStart) / 1e9;
                progressDone();
                // leftovers as the kernel shows them through iproute2, then what the state still holds
                leakedLinks = KernelLeftovers.hostLinks(sandbox);
                leakedAddresses = KernelLeftovers.podAddresses(podNames) + dp.reservedAddresses(NETWORK)
                        + dp.endpoints().count().block(T).intValue();
            }
            report(addLat, addSeconds, delLat, delSeconds, errors.get(), verified, leakedLinks, leakedAddresses, firstErrors);
            boolean ok = errors.get() == 0 && verified && leakedLinks == 0 && leakedAddresses == 0;
            return ok ? 0 : 1;
        } finally {
            dp.close().block(T);
        }
    }

    private String shapeName() {
        return vm ? "vm" : shape.name().toLowerCase(Locale.ROOT);
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
            String[] f = java.nio.file.Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long user = Long.parseLong(f[1]);
            long nice = Long.parseLong(f[2]);
            long system = Long.parseLong(f[3]);
            long idle = Long.parseLong(f[4]);
            long iowait = Long.parseLong(f[5]);
            long irq = Long.parseLong(f[6]);
            long softirq = Long.parseLong(f[7]);
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            return new long[]{user + nice + system + irq + softirq + steal, idle + iowait};
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
    private void warmUp(Dataplane dp, List<String> podNames, int warm) throws InterruptedException {
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
                throw new IllegalStateException("warm-up: " + errors.get() + " operations failed, the first: " + firstErrors.get(0));
            }
            long roundMs = Math.max(1, (System.nanoTime() - r0) / 1_000_000);
            jitShare = j0 < 0 ? 0 : (jitMillis() - j0) * 100 / roundMs;
            quietRounds = jitShare < 10 ? quietRounds + 1 : 0;
        } while (quietRounds < 2 && rounds < MAX_WARMUP_ROUNDS);
        waitQuiet();
        warmupRounds = rounds;
        progress("warm-up: " + rounds + " round(s) of " + warm + " pods added and removed in "
                + fmt((System.nanoTime() - w0) / 1e9) + " s (untimed; JIT at " + jitShare + "% of the last round)");
    }

    /**
     * Adds pods 0..count-1 ({@code prefix + containerId(i)}, {@code concurrency} in flight), each
     * timed into {@code lat}: the code of the timed phase, which the warm-up runs too, so that it is
     * compiled before the timed run.
     */
    private void addAll(Dataplane dp, List<String> podNames, String prefix, int count, Latencies lat, AtomicInteger errors,
                        List<String> firstErrors, Endpoint[] endpoints, boolean ticks) {
        Flux.range(0, count)
                .flatMap(i -> timed(dp.add(EndpointSpec.of(NETWORK, prefix + containerId(i), NetNs.named(podNames.get(i)))
                                .withPod((prefix.isEmpty() ? "pod-" : prefix + "-") + i, "churn").withVm(vm)), lat)
                        .doOnNext(ep -> endpoints[i] = ep)
                        .onErrorResume(e -> failed(e, errors, firstErrors)), concurrency)
                .doOnNext(x -> {
                    if (ticks) {
                        tick("adding", lat.count());
                    }
                })
                .blockLast(T);
    }

    /** Removes what {@link #addAll} added, the same way. */
    private void removeAll(Dataplane dp, String prefix, int count, Latencies lat, AtomicInteger errors, List<String> firstErrors,
                           boolean ticks) {
        Flux.range(0, count)
                .flatMap(i -> timed(dp.remove(prefix + containerId(i), "eth0"), lat)
                        .onErrorResume(e -> failed(e, errors, firstErrors)), concurrency)
                .doOnNext(x -> {
                    if (ticks) {
                        tick("removing", lat.count());
                    }
                })
                .blockLast(T);
    }

    static String containerId(int i) {
        return String.format(Locale.ROOT, "churn%08d", i);
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

    /**
     * Reads the kernel back: every endpoint's host end must be a port of the bridge, and a sample of
     * pods (first, second, middle, last) must hold their address and reach the gateway and each other.
     */
    private boolean verify(Dataplane dp, List<String> podNames, Endpoint[] endpoints, List<String> problems) {
        int bridge = dp.bridgeIndex(NETWORK);
        // bridge: every host end is an up port of the bridge; ptp: every host end is up, with no master
        List<LinkMessage> ports = hostLinks(dp).stream().filter(l -> l.master() == bridge && l.isUp()).toList();
        boolean ok = true;
        if (ports.size() != pods) {
            problems.add("expected " + pods + (shape == NetworkMode.PTP ? " host veths up" : " bridge ports up")
                    + ", the kernel shows " + ports.size());
            ok = false;
        }
        int[] sample = Stream.of(0, 1, pods / 2, pods - 1).mapToInt(Integer::intValue).distinct().filter(i -> i < pods).toArray();
        for (int i : sample) {
            Endpoint ep = endpoints[i];
            if (ep == null) {
                problems.add("pod " + i + " has no endpoint");
                ok = false;
                continue;
            }
            String ip = ep.address().split("/")[0];
            if (vm) {
                // no VM runs here: check the structure the VM would attach to instead of pinging
                String tap = exec("ip", "-n", podNames.get(i), "-o", "-d", "link", "show", "dev", ep.tap());
                String eth0 = exec("ip", "-n", podNames.get(i), "-o", "-4", "addr", "show", "dev", "eth0");
                if (tap == null || !tap.contains("master br") || eth0 == null || !eth0.isBlank()) {
                    problems.add("pod " + i + ": tap " + ep.tap() + " is not on the sandbox bridge, or eth0 kept its address");
                    ok = false;
                }
                continue;
            }
            String shown = exec("ip", "-n", podNames.get(i), "-o", "-4", "addr", "show", "dev", "eth0");
            if (shown == null || !shown.contains("inet " + ep.address())) {
                problems.add("pod " + i + ": eth0 does not hold " + ep.address() + ": " + shown);
                ok = false;
            }
            if (!ping(podNames.get(i), gateway)) {
                problems.add("pod " + i + " (" + ip + ") cannot ping the gateway " + gateway);
                ok = false;
            }
            if (ipv6 && !ping(podNames.get(i), GATEWAY6)) {
                problems.add("pod " + i + " (" + ep.address6() + ") cannot ping the IPv6 gateway " + GATEWAY6);
                ok = false;
            }
        }
        if (pods > 1 && !vm) {
            int[][] pairs = {{0, pods - 1}, {1, pods / 2}};
            for (int[] p : pairs) {
                if (p[0] == p[1] || endpoints[p[0]] == null || endpoints[p[1]] == null) {
                    continue;
                }
                List<String> targets = new ArrayList<>(List.of(endpoints[p[1]].address().split("/")[0]));
                if (ipv6) {
                    targets.add(endpoints[p[1]].address6().split("/")[0]);
                }
                for (String target : targets) {
                    if (!ping(podNames.get(p[0]), target)) {
                        problems.add("pod " + p[0] + " cannot ping pod " + p[1] + " (" + target + ")");
                        ok = false;
                    }
                }
            }
        }
        return ok;
    }

    private List<LinkMessage> hostLinks(Dataplane dp) {
        return dp.hostNetlink().dump(Links.dumpAll()).cast(LinkMessage.class)
                .filter(l -> l.name() != null && HOST_LINK.matcher(l.name()).matches())
                .collectList().block(T);
    }

    private static boolean ping(String netns, String target) {
        // a sandbox bridge port forwards at once (no STP), but ARP may need a retry
        return exec("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "2", target) != null
                || exec("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "2", target) != null;
    }

    /** Runs a command; its stdout, or null when it failed. */
    private static String exec(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? output : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void report(Latencies add, double addS, Latencies del, double delS, int errors, boolean verified,
                        int leakedLinks, int leakedAddresses, List<String> problems) {
        double addRate = addS > 0 ? pods / addS : 0;
        double delRate = delS > 0 ? pods / delS : 0;
        out.printf(Locale.ROOT, "podnet churn: %d pods, %s shape%s, sandbox %s%n", pods, shapeName(), ipv6 ? ", dual stack" : "",
                sandbox);
        out.printf(Locale.ROOT, "  add     %8.3f s  %8.1f pods/s  p50 %7.2f ms  p99 %7.2f ms%n", addS, addRate,
                add.percentileMillis(50), add.percentileMillis(99));
        if (!keep) {
            out.printf(Locale.ROOT, "  remove  %8.3f s  %8.1f pods/s  p50 %7.2f ms  p99 %7.2f ms%n", delS, delRate,
                    del.percentileMillis(50), del.percentileMillis(99));
        }
        out.printf(Locale.ROOT, "  errors %d, verified %s, leaked links %d, leaked addresses %d%n", errors,
                verified ? "yes" : "NO", leakedLinks, leakedAddresses);
        for (String p : problems) {
            out.println("  ! " + p);
        }
        if (keep) {
            out.println("  kept for inspection: sandbox " + sandbox + ", pods " + sandbox + "-p0 .. " + sandbox + "-p" + (pods - 1)
                    + "; state in " + stateDir);
            out.println("  try: ip -n " + sandbox + " -br link; ip -n " + sandbox + "-p0 addr; ip netns del <name> to clean up");
        }
        if (json) {
            out.println(new Report().put("pods", pods).put("shape", shapeName()).put("ipv6", ipv6)
                    .put("add_s", Report.round(addS, 4)).put("add_per_s", Report.round(addRate, 1))
                    .put("add_p50_ms", Report.round(add.percentileMillis(50), 3)).put("add_p99_ms", Report.round(add.percentileMillis(99), 3))
                    .put("del_s", Report.round(delS, 4)).put("del_per_s", Report.round(delRate, 1))
                    .put("del_p50_ms", Report.round(del.percentileMillis(50), 3)).put("del_p99_ms", Report.round(del.percentileMillis(99), 3))
                    .put("errors", errors).put("verified", verified).put("leaked_links", leakedLinks)
                    .put("leaked_addresses", leakedAddresses).put("warmup_rounds", warmupRounds).put("jit_ms_during_add", jitDuringAddMs)
                    .put("sandbox", sandbox).json());
        }
    }

    private void tick(String what, int done) {
        if (tty && !json && (done % 25 == 0 || done == pods)) {
            out.print("\r  " + what + " " + done + "/" + pods + "   ");
            out.flush();
        }
    }

    private void progress(String line) {
        if (tty && !json) {
            out.println("  " + line);
        }
    }

    private void progressDone() {
        if (tty && !json) {
            out.print("\r" + " ".repeat(40) + "\r");
        }
    }

    /** Deletes what this run created: pods first, the sandbox last (it holds the bridge). */
    private void deleteCreated(Namespaces namespaces) {
        List<String> names = new ArrayList<>(created);
        for (int i = names.size() - 1; i >= 0; i--) {
            String n = names.get(i);
            try {
                namespaces.delete(n).block(Duration.ofSeconds(30));
                created.remove(n);
            } catch (RuntimeException e) {
                err.println("podnet: could not delete netns " + n + ": " + e.getMessage());
            }
        }
    }

    /** Removes sandboxes left by churn runs whose process is gone (killed before it could clean up). */
    private void removeStaleSandboxes(Namespaces namespaces) throws IOException {
        for (String n : namespaces.list()) {
            Matcher m = OURS.matcher(n);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                namespaces.delete(n).block(T);
                progress("removed stale netns " + n + " (its churn process is gone)");
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
