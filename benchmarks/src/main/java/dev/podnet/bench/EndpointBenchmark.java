package dev.podnet.bench;

import dev.podnet.api.Dataplane;
import dev.podnet.api.DataplaneOptions;
import dev.podnet.api.EndpointSpec;
import dev.podnet.api.NetworkSpec;
import dev.podnet.dataplane.internal.netns.Namespaces;
import dev.podnet.dataplane.internal.netns.NetnsThread;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.internal.sys.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;

/**
 * End to end: one endpoint add and one remove through the {@link Dataplane} API against the real
 * kernel, in a sandbox namespace the benchmark creates and deletes (with pod namespaces of its own),
 * on a bridge network that already holds {@code live} other pods. Needs root.
 *
 * <pre>bin/bench EndpointBenchmark</pre>
 *
 * {@code add}: one add with nothing else in flight (its remove runs outside the measurement);
 * {@code addThenRemove}: one add and its remove, sequentially, i.e. a pod's set-up and tear-down
 * (a lone remove pays the kernel's RCU grace period for the veth). {@code burst64}: 64 adds in flight at once,
 * then their 64 removes (coalesced into group deletes): the time per pod when the dataplane
 * pipelines.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EndpointBenchmark {
    private static final Duration T = Duration.ofMinutes(2);
    private static final int POOL = 64;

    @Param({"0", "200"})
    public int live;

    private NetnsThread thread;
    private Namespaces namespaces;
    private final List<String> created = new ArrayList<>();
    private Path state;
    private Dataplane dp;
    private String sandbox;
    private long counter;
    private String lastAdded;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (!LibC.isRoot()) {
            throw new IllegalStateException("EndpointBenchmark needs root: it creates network namespaces");
        }
        thread = NetnsThread.start();
        namespaces = new Namespaces(thread);
        sandbox = "podnet-bench-" + ProcessHandle.current().pid();
        Runtime.getRuntime().addShutdownHook(new Thread(this::cleanUp));
        create(sandbox);
        for (int i = 0; i < POOL + live; i++) {
            create(sandbox + "-p" + i);
        }
        state = Files.createTempDirectory("podnet-bench");
        dp = Dataplane.open(DataplaneOptions.of(state)
                        .hostNetns(NetNs.named(sandbox))
                        .maxEndpoints(4096))
                .block(T);
        dp.networks()
                .create(NetworkSpec.bridge("bench", "pnbr0", "198.18.0.0/16"))
                .block(T);
        Flux.range(0, live)
                .flatMap(
                        i -> dp.endpoints()
                                .add(EndpointSpec.of("bench", "live" + i, NetNs.named(sandbox + "-p" + (POOL + i)))),
                        32)
                .blockLast(T);
    }

    private void create(String name) {
        namespaces.create(name).block(T);
        created.add(name);
    }

    /** The add alone; its remove runs after the measured call (a per-invocation teardown: the calls take milliseconds). */
    @Benchmark
    public Object add() {
        int pod = (int) (counter % POOL);
        lastAdded = "b" + counter++;
        return dp.endpoints()
                .add(EndpointSpec.of("bench", lastAdded, NetNs.named(sandbox + "-p" + pod)))
                .block(T);
    }

    @TearDown(Level.Invocation)
    public void removeLastAdded() {
        if (lastAdded != null) {
            dp.endpoints().remove(lastAdded, "eth0").block(T);
            lastAdded = null;
        }
    }

    @Benchmark
    public Object addThenRemove() {
        int pod = (int) (counter % POOL);
        String id = "b" + counter++;
        Object ep = dp.endpoints()
                .add(EndpointSpec.of("bench", id, NetNs.named(sandbox + "-p" + pod)))
                .block(T);
        dp.endpoints().remove(id, "eth0").block(T);
        return ep;
    }

    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(POOL)
    public Object burst64() {
        long base = counter;
        counter += POOL;
        List<dev.podnet.api.Endpoint> eps = Flux.range(0, POOL)
                .flatMap(
                        i -> dp.endpoints()
                                .add(EndpointSpec.of("bench", "b" + (base + i), NetNs.named(sandbox + "-p" + i))),
                        POOL)
                .collectList()
                .block(T);
        Flux.range(0, POOL)
                .flatMap(i -> dp.endpoints().remove("b" + (base + i), "eth0"), POOL)
                .blockLast(T);
        return eps;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cleanUp();
    }

    private synchronized void cleanUp() {
        try {
            if (dp != null) {
                dp.close();
                dp = null;
            }
        } catch (RuntimeException ignored) {
            // the namespaces go below either way
        }
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                namespaces.delete(created.get(i)).block(T);
            } catch (RuntimeException ignored) {
                // best effort: one failure must not keep the others
            }
        }
        created.clear();
        if (state != null) {
            try (Stream<Path> files = Files.walk(state)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir
            }
            state = null;
        }
        if (thread != null) {
            try {
                thread.close();
            } catch (Exception ignored) {
                // best effort
            }
            thread = null;
        }
    }
}
