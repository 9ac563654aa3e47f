package dev.podnet.stress;

import dev.podnet.api.Dataplane;
import dev.podnet.api.DataplaneOptions;
import dev.podnet.api.Endpoint;
import dev.podnet.api.EndpointSpec;
import dev.podnet.api.NetworkSpec;
import dev.podnet.dataplane.netns.NetNs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * {@code podnet churn --rate R --duration S [--live N]}: keeps N pods plugged in while plugging in
 * R new ones and unplugging the R oldest every second, open loop (an operation starts on its
 * schedule whether or not earlier ones have finished, so queueing shows in the latencies). Latencies
 * go into HdrHistograms, per second and overall; the per-second series is written as CSV, with a
 * self-contained HTML page plotting it next to it.
 */
final class SteadyChurn {
    private static final Duration T = Duration.ofMinutes(5);
    private static final long MAX_NANOS = Duration.ofMinutes(2).toNanos();

    private final PrintStream out;
    private final SteadyOptions options;
    private final SandboxFixture sandbox;

    private final Deque<Integer> free = new ArrayDeque<>();
    private final Deque<long[]> plugged = new ArrayDeque<>(); // {container number, pool index}
    private final Recorder addRec = new Recorder(MAX_NANOS, 3);
    private final Recorder rmRec = new Recorder(MAX_NANOS, 3);
    private final Histogram addAll = new Histogram(MAX_NANOS, 3);
    private final Histogram rmAll = new Histogram(MAX_NANOS, 3);
    private final AtomicInteger errors = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong nextId = new AtomicLong();
    private final List<String> firstErrors = new ArrayList<>();

    /** Runs over {@code sandbox}'s pods, which {@link SteadyOptions#pods} sized. */
    SteadyChurn(PrintStream out, SteadyOptions options, SandboxFixture sandbox) {
        this.out = out;
        this.options = options;
        this.sandbox = sandbox;
    }

    /** Pod namespaces a run needs: the live set plus three seconds of adds in flight. */
    static int poolSize(int rate, int live) {
        return live + 3 * rate + 8;
    }

    int run() throws IOException, InterruptedException {
        List<String> pool = sandbox.pods();
        int rate = options.rate();
        int warmupS = options.warmupS();
        int concurrency = options.concurrency();
        for (int i = 0; i < pool.size(); i++) {
            free.add(i);
        }
        Dataplane dp = Dataplane.open(DataplaneOptions.of(sandbox.stateDir())
                        .hostNetns(NetNs.named(sandbox.name()))
                        .maxConcurrent(concurrency)
                        .maxEndpoints(Math.max(1024, pool.size() * 2)))
                .block(T);
        try {
            dp.networks()
                    .create(
                            options.shape().equals("ptp")
                                    ? NetworkSpec.ptp("steady", "198.19.0.0/16")
                                    : NetworkSpec.bridge("steady", "pnbr0", "198.18.0.0/16"))
                    .block(T);
            // warm up: the live set
            long w0 = System.nanoTime();
            Flux.range(0, options.live())
                    .flatMap(
                            i -> {
                                int ns = takeFree();
                                long id = nextId.getAndIncrement();
                                return dp.endpoints()
                                        .add(EndpointSpec.of("steady", cid(id), NetNs.named(pool.get(ns))))
                                        .doOnSuccess(ep -> {
                                            synchronized (plugged) {
                                                plugged.add(new long[] {id, ns});
                                            }
                                        });
                            },
                            concurrency)
                    .blockLast(T);
            double warmS = (System.nanoTime() - w0) / 1e9;

            List<String> series = new ArrayList<>();
            series.add(
                    "second,adds,removes,add_p50_ms,add_p99_ms,add_max_ms,del_p50_ms,del_p99_ms,del_max_ms,live,errors,measured,"
                            + "rss_mb,heap_mb,direct_mb,state_kb");
            addRec.reset();
            rmRec.reset();
            long start = System.nanoTime();
            long period = 1_000_000_000L / rate;
            AtomicInteger second = new AtomicInteger();
            Disposable sampler = Flux.interval(Duration.ofSeconds(1), Duration.ofSeconds(1), Schedulers.single())
                    .subscribe(t -> series.add(sample(second.incrementAndGet(), dp)));
            Flux.interval(Duration.ZERO, Duration.ofNanos(period), Schedulers.parallel())
                    .take((long) rate * (warmupS + options.durationS()))
                    .doOnNext(t -> {
                        startAdd(dp);
                        startRemove(dp);
                    })
                    .blockLast(
                            Duration.ofSeconds(warmupS + options.durationS()).plus(T)); // the schedule, and then some
            long deadline = System.nanoTime() + T.toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                sleep(5);
            }
            double steadyS = (System.nanoTime() - start) / 1e9 - warmupS;
            sampler.dispose();
            series.add(sample(second.incrementAndGet(), dp));

            // unplug the rest, and look for leftovers
            List<Endpoint> left = dp.endpoints().list().collectList().block(T);
            Flux.fromIterable(left)
                    .flatMap(r -> dp.endpoints().remove(r.containerId(), r.ifName()), concurrency)
                    .blockLast(T);
            // leftovers as the kernel shows them through iproute2, then what the state still holds
            long leakedLinks = KernelLeftovers.hostLinks(sandbox.name());
            int leakedAddresses = KernelLeftovers.podAddresses(pool)
                    + dp.ipam().reservedCount("steady")
                    + dp.endpoints().list().count().block(T).intValue();
            dp.networks().delete("steady", true).block(T);

            Path outPrefix = Path.of(options.outPrefix());
            Path csv = Path.of(outPrefix + ".csv");
            Path html = Path.of(outPrefix + ".html");
            Files.writeString(csv, String.join("\n", series) + "\n", StandardCharsets.UTF_8);
            Files.writeString(html, SteadyPlot.html(title(), series), StandardCharsets.UTF_8);
            report(warmS, steadyS, leakedLinks, leakedAddresses, csv, html);
            return errors.get() == 0 && leakedLinks == 0 && leakedAddresses == 0 ? 0 : 1;
        } finally {
            dp.close();
        }
    }

    private String title() {
        return String.format(
                Locale.ROOT,
                "podnet steady churn: %d adds/s + %d removes/s, %d live, %d s measured after %d s of "
                        + "warm-up, %s shape",
                options.rate(),
                options.rate(),
                options.live(),
                options.durationS(),
                options.warmupS(),
                options.shape());
    }

    private static String cid(long id) {
        return String.format(Locale.ROOT, "steady%010d", id);
    }

    private int takeFree() {
        synchronized (free) {
            Integer i = free.poll();
            return i == null ? -1 : i;
        }
    }

    private void giveBack(int ns) {
        synchronized (free) {
            free.add(ns);
        }
    }

    private void startAdd(Dataplane dp) {
        int ns = takeFree();
        if (ns < 0) {
            failed("no free pod namespace: adds are more than 3 s behind");
            return;
        }
        long id = nextId.getAndIncrement();
        long t0 = System.nanoTime();
        inFlight.incrementAndGet();
        dp.endpoints()
                .add(EndpointSpec.of(
                        "steady", cid(id), NetNs.named(sandbox.pods().get(ns))))
                .subscribe(
                        ep -> {
                            long d = System.nanoTime() - t0;
                            addRec.recordValue(Math.min(d, MAX_NANOS));
                            synchronized (plugged) {
                                plugged.add(new long[] {id, ns});
                            }
                            inFlight.decrementAndGet();
                        },
                        e -> {
                            failed(e.getMessage());
                            giveBack(ns);
                            inFlight.decrementAndGet();
                        });
    }

    private void startRemove(Dataplane dp) {
        long[] oldest;
        synchronized (plugged) {
            oldest = plugged.poll();
        }
        if (oldest == null) {
            return; // the adds are behind: nothing old enough to remove yet
        }
        long t0 = System.nanoTime();
        inFlight.incrementAndGet();
        dp.endpoints()
                .remove(cid(oldest[0]), "eth0")
                .subscribe(
                        null,
                        e -> {
                            failed(e.getMessage());
                            inFlight.decrementAndGet();
                        },
                        () -> {
                            rmRec.recordValue(Math.min(System.nanoTime() - t0, MAX_NANOS));
                            giveBack((int) oldest[1]);
                            inFlight.decrementAndGet();
                        });
    }

    private void failed(String message) {
        errors.incrementAndGet();
        synchronized (firstErrors) {
            if (firstErrors.size() < 5) {
                firstErrors.add(message);
            }
        }
    }

    /**
     * One row of the series, with the process's memory: resident size, heap in use, direct buffers
     * and the state's off-heap maps. The seconds after the warm-up also go into the overall
     * histograms.
     */
    private String sample(int second, Dataplane dp) {
        Histogram a = addRec.getIntervalHistogram();
        Histogram r = rmRec.getIntervalHistogram();
        boolean measured = second > options.warmupS();
        if (measured) {
            synchronized (addAll) {
                addAll.add(a);
                rmAll.add(r);
            }
        }
        int liveNow;
        synchronized (plugged) {
            liveNow = plugged.size();
        }
        return String.format(
                Locale.ROOT,
                "%d,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%d,%d,%.1f,%.1f,%.1f,%d",
                second,
                a.getTotalCount(),
                r.getTotalCount(),
                ms(a, 50),
                ms(a, 99),
                a.getMaxValue() / 1e6,
                ms(r, 50),
                ms(r, 99),
                r.getMaxValue() / 1e6,
                liveNow,
                errors.get(),
                measured ? 1 : 0,
                Memory.residentBytes() / 1e6,
                Memory.heapUsedBytes() / 1e6,
                Memory.directBytes() / 1e6,
                dp.stateOffHeapBytes() / 1000);
    }

    private static double ms(Histogram h, double p) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p) / 1e6;
    }

    private void report(double warmS, double steadyS, long leakedLinks, int leakedAddresses, Path csv, Path html) {
        long adds = addAll.getTotalCount();
        long rms = rmAll.getTotalCount();
        new Report(out, options.json())
                .text(title())
                .line("  warm-up: %d pods in %.2f s", options.live(), warmS)
                .line(
                        "  add     %6d done  %7.1f /s  p50 %7.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  max %7.2f ms",
                        adds,
                        adds / steadyS,
                        ms(addAll, 50),
                        ms(addAll, 99),
                        ms(addAll, 99.9),
                        addAll.getMaxValue() / 1e6)
                .line(
                        "  remove  %6d done  %7.1f /s  p50 %7.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  max %7.2f ms",
                        rms, rms / steadyS, ms(rmAll, 50), ms(rmAll, 99), ms(rmAll, 99.9), rmAll.getMaxValue() / 1e6)
                .line("  errors %d, leaked links %d, leaked addresses %d", errors.get(), leakedLinks, leakedAddresses)
                .problems(firstErrors)
                .text("  series: " + csv + "  plot: " + html)
                .put("mode", "steady")
                .put("shape", options.shape())
                .put("rate", options.rate())
                .put("duration_s", options.durationS())
                .put("warmup_s", options.warmupS())
                .put("live", options.live())
                .put("adds", adds)
                .put("removes", rms)
                .put("add_per_s", Report.round(adds / steadyS, 1))
                .put("del_per_s", Report.round(rms / steadyS, 1))
                .put("add_p50_ms", Report.round(ms(addAll, 50), 3))
                .put("add_p99_ms", Report.round(ms(addAll, 99), 3))
                .put("add_max_ms", Report.round(addAll.getMaxValue() / 1e6, 3))
                .put("del_p50_ms", Report.round(ms(rmAll, 50), 3))
                .put("del_p99_ms", Report.round(ms(rmAll, 99), 3))
                .put("del_max_ms", Report.round(rmAll.getMaxValue() / 1e6, 3))
                .put("errors", errors.get())
                .put("leaked_links", leakedLinks)
                .put("leaked_addresses", leakedAddresses)
                .put("series", csv.toString())
                .put("plot", html.toString())
                .end();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
