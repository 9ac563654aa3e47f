package dev.podnet.stress;

import dev.podnet.netlink.internal.sys.LibC;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code podnet churn}: everything in a sandbox namespace this command creates and deletes
 * ({@link SandboxFixture}). Parses the command line into one of three modes and runs it: the burst
 * ({@link ChurnOptions}, {@link BurstChurn}: adds N endpoints through the {@link dev.podnet.api.Dataplane}
 * API, verifies a sample, removes them all, checks nothing leaked, and reports rates and latencies),
 * steady churn ({@code --rate}: {@link SteadyOptions}, {@link SteadyChurn}) or the crash test
 * ({@code --crash-test}: {@link CrashOptions}, {@link CrashHarness}).
 */
public final class ChurnCommand {
    static final String CMD = "churn";

    /** What the three modes' options tell the command itself: the sandbox and its pods, and the output. */
    sealed interface Mode permits ChurnOptions, SteadyOptions, CrashOptions {
        SandboxFixture.Options sandbox();

        /** Pod namespaces to create. */
        int pods();

        boolean json();

        /** Leave the sandbox for inspection (the burst's {@code --keep}). */
        default boolean keep() {
            return false;
        }
    }

    private final PrintStream out;
    private final PrintStream err;
    private final Mode mode;
    private final boolean tty = System.console() != null;

    public ChurnCommand(String[] argv, PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        Args a = Args.parse(
                CMD,
                argv,
                0,
                Set.of(
                        "--pods",
                        "--sandbox",
                        "--state-dir",
                        "--concurrency",
                        "--shape",
                        "--cycles",
                        "--max-kill-ms",
                        "--seed",
                        "--rate",
                        "--duration",
                        "--live",
                        "--out",
                        "--warmup",
                        "--warmup-s"),
                Set.of("--keep", "--json", "--ipv6", "--crash-test", "--via-daemon", "--publish"));
        if (!a.positional().isEmpty()) {
            throw new UsageException(
                    CMD + ": unexpected argument '" + a.positional().get(0) + "'");
        }
        if (a.has("--via-daemon") && (a.has("--rate") || a.has("--crash-test"))) {
            throw new UsageException(CMD + ": --via-daemon drives the burst only (not --rate or --crash-test)");
        }
        if (a.has("--publish") && a.has("--rate")) {
            throw new UsageException(CMD + ": --publish goes with the burst and --crash-test (not --rate)");
        }
        // each parse makes the checks of all the options in the order the command always made them
        if (a.has("--rate")) {
            mode = SteadyOptions.parse(a);
        } else if (a.has("--crash-test")) {
            mode = CrashOptions.parse(a);
        } else {
            mode = ChurnOptions.parse(a);
        }
    }

    public int run() {
        if (!LibC.isRoot()) {
            err.println("podnet: churn needs root (it creates network namespaces)");
            return 1;
        }
        SandboxFixture sandbox;
        try {
            sandbox = SandboxFixture.open(mode.sandbox(), mode.keep(), err);
        } catch (IOException e) {
            err.println("podnet: " + e.getMessage());
            return 1;
        }
        // the failure is reported before the clean-up (which may report its own) runs
        try (sandbox) {
            try {
                sandbox.removeStale(this::progress);
                if (sandbox.exists()) {
                    err.println("podnet: netns " + sandbox.name() + " already exists; choose another --sandbox");
                    return 1;
                }
                return churn(sandbox);
            } catch (Exception e) {
                err.println("podnet: churn failed: " + e.getMessage());
                return 1;
            }
        }
    }

    private int churn(SandboxFixture sandbox) throws Exception {
        long t0 = System.nanoTime();
        List<String> pods = sandbox.create(mode.pods());
        double nsSeconds = (System.nanoTime() - t0) / 1e9;
        progress("created " + pods.size() + " pod namespaces in " + String.format(Locale.ROOT, "%.3f", nsSeconds)
                + " s");
        return switch (mode) {
            case SteadyOptions steady -> new SteadyChurn(out, steady, sandbox).run();
            case CrashOptions crash -> new CrashHarness(out, crash, sandbox).run();
            case ChurnOptions burst -> new BurstChurn(out, burst, sandbox, tty).run();
        };
    }

    /** The container id of pod {@code i}: the burst's, and the crash test's and its worker's. */
    static String containerId(int i) {
        return String.format(Locale.ROOT, "churn%08d", i);
    }

    /** A whole-number option: its name, default and bounds, the same wherever a mode checks it. */
    record IntOption(String name, int dflt, int min, int max) {
        int of(Args a) {
            return a.intValue(CMD, name, dflt, min, max);
        }
    }

    /** Options two modes or more take: {@code --concurrency} (checked by all). */
    static final IntOption CONCURRENCY = new IntOption("--concurrency", 64, 1, 4096);

    /**
     * Another mode's {@code options}, given without its {@code modeOption}: when any of them is there, the usage
     * error that names them all, as in "--a, --b and --c go with --mode".
     */
    static void refuse(Args a, String modeOption, String... options) {
        if (Arrays.stream(options).anyMatch(a::has)) {
            int last = options.length - 1;
            throw new UsageException(CMD + ": " + String.join(", ", Arrays.copyOf(options, last)) + " and "
                    + options[last] + " go with " + modeOption);
        }
    }

    /** Options every mode takes: {@code --shape}, {@code bridge}, {@code ptp} or {@code vm}. */
    static String shape(Args a) {
        String shape = a.get("--shape", "bridge");
        return switch (shape) {
            case "bridge", "ptp", "ptp-ll", "vm" -> shape;
            default ->
                throw new UsageException(CMD + ": --shape must be bridge, ptp, ptp-ll or vm, got '" + shape + "'");
        };
    }

    private void progress(String line) {
        if (tty && !mode.json()) {
            out.println("  " + line);
        }
    }
}
