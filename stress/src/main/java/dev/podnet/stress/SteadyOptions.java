package dev.podnet.stress;

import static dev.podnet.stress.ChurnCommand.CMD;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The options of steady churn, {@code podnet churn --rate R} ({@link SteadyChurn}): the rate, how
 * long to measure after how long a warm-up, the live set, where the series and its plot go, and the
 * network's shape. {@link #parse} makes the checks the command always made, in the order it made
 * them, the other modes' options included; {@link #refuse} is what the other modes do with these.
 *
 * @param rate        adds (and removes) per second ({@code --rate})
 * @param durationS   seconds measured after the warm-up ({@code --duration}, default 60)
 * @param live        pods kept plugged in ({@code --live}, default 500)
 * @param warmupS     seconds of churn before the measured ones ({@code --warmup-s}, default 20)
 * @param outPrefix   the series goes to {@code outPrefix.csv}, its plot to {@code outPrefix.html} ({@code --out})
 * @param concurrency operations in flight for the untimed live set ({@code --concurrency}, default 64)
 * @param shape       {@code bridge} or {@code ptp} ({@code --shape}, default bridge)
 * @param json        a last line of JSON ({@code --json})
 * @param sandbox     the sandbox's name and state directory
 */
record SteadyOptions(
        int rate,
        int durationS,
        int live,
        int warmupS,
        String outPrefix,
        int concurrency,
        String shape,
        boolean json,
        SandboxFixture.Options sandbox)
        implements ChurnCommand.Mode {
    private static final ChurnCommand.IntOption WARMUP_S = new ChurnCommand.IntOption("--warmup-s", 20, 0, 3600);
    private static final ChurnCommand.IntOption DURATION = new ChurnCommand.IntOption("--duration", 60, 1, 86400);
    private static final ChurnCommand.IntOption LIVE = new ChurnCommand.IntOption("--live", 500, 0, 50000);

    static SteadyOptions parse(Args a) {
        ChurnOptions.WARMUP.of(a); // checked, as always, though the steady churn warms up by --warmup-s
        int warmupS = WARMUP_S.of(a);
        int rate = a.intValue(CMD, "--rate", 0, 1, 100000);
        int durationS = DURATION.of(a);
        int live = LIVE.of(a);
        String outPrefix = a.get(
                "--out",
                Path.of(
                                System.getProperty("java.io.tmpdir"),
                                "podnet-steady-"
                                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                        .toString());
        if (a.has("--crash-test") || a.has("--pods") || a.has("--keep")) {
            throw new UsageException(
                    CMD + ": --rate (steady churn) takes --live, not --pods; and no --crash-test or --keep");
        }
        CrashOptions.refuse(a);
        int concurrency = ChurnCommand.CONCURRENCY.of(a);
        String shape = ChurnCommand.shape(a);
        if (shape.equals("vm") || a.has("--ipv6")) {
            throw new UsageException(CMD + ": --rate (steady churn) runs the bridge or ptp shape, IPv4");
        }
        return new SteadyOptions(
                rate,
                durationS,
                live,
                warmupS,
                outPrefix,
                concurrency,
                shape,
                a.has("--json"),
                SandboxFixture.Options.parse(a));
    }

    /** Without {@code --rate}: this mode's values are checked (as they always were), then refused. */
    static void refuse(Args a) {
        WARMUP_S.of(a);
        DURATION.of(a);
        LIVE.of(a);
        ChurnCommand.refuse(a, "--rate", "--duration", "--live", "--warmup-s", "--out");
    }

    /** Pod namespaces the run needs ({@link SteadyChurn#poolSize}). */
    @Override
    public int pods() {
        return SteadyChurn.poolSize(rate, live);
    }
}
