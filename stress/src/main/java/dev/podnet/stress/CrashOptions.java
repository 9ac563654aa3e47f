package dev.podnet.stress;

import static dev.podnet.stress.ChurnCommand.CMD;

/**
 * The options of the crash test, {@code podnet churn --crash-test} ({@link CrashHarness}): the pods
 * the workers churn over, how many kill-and-recover cycles, the latest kill instant, the seed that
 * draws them, and the network's shape. {@link #parse} makes the checks the command always made, in
 * the order it made them, the other modes' options included; {@link #refuse} is what the other
 * modes do with these.
 *
 * @param pods      pod namespaces the workers churn over ({@code --pods}, default 40)
 * @param cycles    kills, each followed by a recovery and a check ({@code --cycles}, default 20)
 * @param maxKillMs the latest kill, in ms after the worker's first operation ({@code --max-kill-ms}, default 3000)
 * @param seed      draws the kill instants and the workers' operations ({@code --seed}, default the clock)
 * @param shape     {@code bridge} or {@code ptp} ({@code --shape}, default bridge)
 * @param json      a last line of JSON, and no line per cycle ({@code --json})
 * @param publish   every pod publishes a port ({@code --publish}): kills land amid nf_tables work too
 * @param sandbox   the sandbox's name and state directory
 */
record CrashOptions(
        int pods,
        int cycles,
        int maxKillMs,
        long seed,
        String shape,
        boolean json,
        boolean publish,
        SandboxFixture.Options sandbox)
        implements ChurnCommand.Mode {
    private static final ChurnCommand.IntOption CYCLES = new ChurnCommand.IntOption("--cycles", 20, 1, 100000);
    private static final ChurnCommand.IntOption MAX_KILL_MS =
            new ChurnCommand.IntOption("--max-kill-ms", 3000, 0, 600000);

    static CrashOptions parse(Args a) {
        ChurnOptions.WARMUP.of(a); // checked, as always, though a crash test has no warm-up
        SteadyOptions.refuse(a);
        int pods = a.intValue(CMD, "--pods", 40, 1, 60000);
        int cycles = CYCLES.of(a);
        int maxKillMs = MAX_KILL_MS.of(a);
        long seed = seed(a);
        ChurnCommand.CONCURRENCY.of(a); // checked, as always, though the workers choose their own
        String shape = ChurnCommand.shape(a);
        if (shape.equals("vm") || a.has("--ipv6") || a.has("--keep")) {
            throw new UsageException(CMD + ": --crash-test runs the bridge or ptp shape, IPv4, without --keep");
        }
        return new CrashOptions(
                pods,
                cycles,
                maxKillMs,
                seed,
                shape,
                a.has("--json"),
                a.has("--publish"),
                SandboxFixture.Options.parse(a));
    }

    /** Without {@code --crash-test}: this mode's values are checked (as they always were), then refused. */
    static void refuse(Args a) {
        CYCLES.of(a);
        MAX_KILL_MS.of(a);
        seed(a);
        ChurnCommand.refuse(a, "--crash-test", "--cycles", "--max-kill-ms", "--seed");
    }

    private static long seed(Args a) {
        try {
            return Long.parseLong(a.get("--seed", Long.toString(System.nanoTime())));
        } catch (NumberFormatException e) {
            throw new UsageException(CMD + ": --seed must be a whole number");
        }
    }
}
