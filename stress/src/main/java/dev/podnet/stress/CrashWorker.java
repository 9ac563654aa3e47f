package dev.podnet.stress;

import dev.podnet.api.Dataplane;
import dev.podnet.api.DataplaneOptions;
import dev.podnet.api.EndpointSpec;
import dev.podnet.api.NetworkSpec;
import dev.podnet.api.internal.FaultInjection;
import dev.podnet.dataplane.internal.engine.StepObserver;
import dev.podnet.dataplane.netns.NetNs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code podnet crash-worker}: the process the crash harness kills. Opens the dataplane on the
 * given state and sandbox, then either churns forever (random adds and removes over the given pod
 * namespaces, at most one operation per pod at a time) or runs a script of operations; with
 * {@code --crash-at STEP} it halts the JVM ({@code Runtime.halt}, no shutdown hook, no close: what
 * {@code kill -9} leaves) right after that step of the script's last operation.
 *
 * <p>It appends one line per event to {@code --log}: {@code A+ key} / {@code A= key} when an add
 * starts / completes, {@code R+ key} / {@code R= key} for removes. A killed process's writes are in
 * the page cache, so the harness knows which operations completed before the kill.
 */
public final class CrashWorker {
    static final String NETWORK = "crash";
    private static final Duration T = Duration.ofMinutes(2);

    private final Path stateDir;
    private final NetNs host;
    private final PrintStream out;
    private final List<String> pods;
    private final String shape;
    private final Path logFile;
    private final long seed;
    private final int concurrency;
    private final String script;
    private final String crashAt;
    /** Every pod publishes a port ({@link ChurnOptions#hostPort}), so that kills land amid nf_tables work too. */
    private final boolean publish;

    private final AtomicBoolean armed = new AtomicBoolean();
    private FileChannel log;

    /** The worker child's entry: {@code CrashWorker STATE_DIR HOST_NETNS [worker options]}; exits with {@link #run}'s code. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: CrashWorker STATE_DIR HOST_NETNS [--pods ...] (started by the crash harness)");
            System.exit(2);
        }
        System.exit(new CrashWorker(
                        Path.of(args[0]),
                        NetNs.named(args[1]),
                        java.util.Arrays.copyOfRange(args, 2, args.length),
                        System.out)
                .run());
    }

    public CrashWorker(Path stateDir, NetNs host, String[] argv, PrintStream out) {
        this.stateDir = stateDir;
        this.host = host;
        this.out = out;
        String cmd = "crash-worker";
        Args a = Args.parse(
                cmd,
                argv,
                0,
                Set.of("--pods", "--shape", "--log", "--seed", "--concurrency", "--script", "--crash-at"),
                Set.of("--publish"));
        if (host == null) {
            throw new UsageException(cmd + ": --host-netns is required (the sandbox)");
        }
        pods = a.all("--pods");
        if (pods.isEmpty()) {
            throw new UsageException(cmd + ": --pods NETNS,... is required");
        }
        shape = a.get("--shape", "bridge");
        logFile = Path.of(
                a.get("--log", stateDir.resolveSibling("crash-worker.log").toString()));
        seed = Long.parseLong(a.get("--seed", "1"));
        concurrency = a.intValue(cmd, "--concurrency", 8, 1, 1024);
        script = a.get("--script", null);
        crashAt = a.get("--crash-at", null);
        publish = a.has("--publish");
    }

    /** The harness's network, per shape. */
    static NetworkSpec network(String shape) {
        return shape.equals("ptp")
                ? NetworkSpec.ptp(NETWORK, "198.19.0.0/16")
                : NetworkSpec.bridge(NETWORK, "pnbr0", "198.18.0.0/16");
    }

    public int run() throws IOException {
        StepObserver observer = step -> {
            if (armed.get() && step.equals(crashAt)) {
                Runtime.getRuntime().halt(137);
            }
            return Mono.empty();
        };
        log = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        Dataplane dp = Dataplane.open(FaultInjection.withObserver(
                        DataplaneOptions.of(stateDir).hostNetns(host).maxEndpoints(Math.max(1024, pods.size() * 4)),
                        observer))
                .block(T);
        dp.networks().create(network(shape)).block(T);
        log("O open");
        if (script != null) {
            String[] ops = script.split(",");
            for (int i = 0; i < ops.length; i++) {
                armed.set(crashAt != null && i == ops.length - 1);
                String[] op = ops[i].split(":");
                int pod = Integer.parseInt(op[1]);
                (op[0].equals("add") ? add(dp, pod) : remove(dp, pod)).block(T);
            }
            if (crashAt != null) {
                out.println("crash-worker: the script ended without reaching step " + crashAt);
                return 3;
            }
            dp.close();
            return 0;
        }
        // churn until killed
        Random random = new Random(seed);
        boolean[] present = new boolean[pods.size()];
        boolean[] busy = new boolean[pods.size()];
        dp.endpoints().list().toIterable().forEach(r -> {
            for (int i = 0; i < pods.size(); i++) {
                if (r.containerId().equals(ChurnCommand.containerId(i))) {
                    present[i] = true;
                }
            }
        });
        // fewer operations in flight than pods, so a free pod always exists: one operation per pod at a
        // time keeps the log's last event of a pod the truth about it
        int inFlight = Math.max(1, Math.min(concurrency, pods.size() / 2));
        Flux.<Integer>generate(sink -> {
                    synchronized (busy) {
                        int i = random.nextInt(pods.size());
                        while (busy[i]) {
                            i = (i + 1) % pods.size();
                        }
                        busy[i] = true;
                        sink.next(i);
                    }
                })
                .flatMap(
                        i -> {
                            boolean wasPresent;
                            synchronized (busy) {
                                wasPresent = present[i];
                            }
                            return (wasPresent ? remove(dp, i) : add(dp, i))
                                    .then(Mono.fromRunnable(() -> {
                                        synchronized (busy) {
                                            present[i] = !wasPresent;
                                        }
                                    }))
                                    .onErrorResume(e -> {
                                        log("E " + ChurnCommand.containerId(i) + " "
                                                + String.valueOf(e.getMessage()).replace('\n', ' '));
                                        return Mono.empty();
                                    })
                                    .doFinally(s -> {
                                        synchronized (busy) {
                                            busy[i] = false;
                                        }
                                    });
                        },
                        inFlight,
                        1)
                .blockLast();
        return 0;
    }

    private Mono<Void> add(Dataplane dp, int i) {
        String key = ChurnCommand.containerId(i) + "/eth0";
        return Mono.defer(() -> {
            log("A+ " + key);
            EndpointSpec spec = EndpointSpec.of(NETWORK, ChurnCommand.containerId(i), NetNs.named(pods.get(i)));
            return dp.endpoints()
                    .add(
                            publish
                                    ? spec.withPortMapping(new dev.podnet.dataplane.PortMapping(
                                            "tcp", null, ChurnOptions.hostPort(i), 80))
                                    : spec)
                    .doOnSuccess(ep -> log("A= " + key))
                    .then();
        });
    }

    private Mono<Void> remove(Dataplane dp, int i) {
        String key = ChurnCommand.containerId(i) + "/eth0";
        return Mono.defer(() -> {
            log("R+ " + key);
            return dp.endpoints().remove(ChurnCommand.containerId(i), "eth0").doOnSuccess(v -> log("R= " + key));
        });
    }

    private synchronized void log(String line) {
        try {
            ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                log.write(b);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The pods argument of a worker for {@code names}. */
    static String podsArg(List<String> names) {
        return String.join(",", names);
    }

    @Override
    public String toString() {
        return "crash-worker " + Arrays.asList(pods.size(), shape, script, crashAt);
    }
}
