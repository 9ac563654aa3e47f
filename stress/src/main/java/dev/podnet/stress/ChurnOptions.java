package dev.podnet.stress;

import static dev.podnet.stress.ChurnCommand.CMD;

/**
 * The options of plain {@code podnet churn} (the burst that {@link BurstChurn} runs): how many pods,
 * how many operations in flight, the network's shape and stack, the untimed warm-up, and whether to
 * keep the sandbox for inspection. {@link #parse} makes the checks the command always made, in the
 * order it made them, the other modes' options included, so a command line gets the same error as
 * before.
 *
 * @param pods        pod namespaces, each plugged in once ({@code --pods}, default 200)
 * @param warmup      pods per untimed warm-up round ({@code --warmup}, default 200; at most {@code pods})
 * @param concurrency operations in flight ({@code --concurrency}, default 64)
 * @param shape       {@code bridge}, {@code ptp}, {@code ptp-ll} (ptp with a link-local gateway) or {@code vm}
 *                    ({@code --shape}, default bridge)
 * @param ipv6        dual stack ({@code --ipv6})
 * @param keep        leave the sandbox, its pods and the state for inspection ({@code --keep})
 * @param json        a last line of JSON ({@code --json})
 * @param viaDaemon   through a daemon's socket instead of the library's API ({@code --via-daemon})
 * @param publish     every pod publishes a port (pod i: host port 10000 + i to its port 80, {@code --publish}), and
 *                    the network masquerades
 * @param sandbox     the sandbox's name and state directory
 */
record ChurnOptions(
        int pods,
        int warmup,
        int concurrency,
        String shape,
        boolean ipv6,
        boolean keep,
        boolean json,
        boolean viaDaemon,
        boolean publish,
        SandboxFixture.Options sandbox)
        implements ChurnCommand.Mode {

    static ChurnOptions parse(Args a) {
        int warmup = WARMUP.of(a);
        SteadyOptions.refuse(a);
        int pods = a.intValue(CMD, "--pods", 200, 1, 60000);
        CrashOptions.refuse(a);
        int concurrency = ChurnCommand.CONCURRENCY.of(a);
        String shape = ChurnCommand.shape(a);
        if (a.has("--publish") && pods > 55000) {
            throw new UsageException(CMD + ": --publish gives pod i host port 10000 + i: at most 55000 pods");
        }
        if (a.has("--via-daemon") && shape.equals("vm")) {
            throw new UsageException(CMD + ": --via-daemon: CNI has no VM shape (bridge or ptp)");
        }
        return new ChurnOptions(
                pods,
                warmup,
                concurrency,
                shape,
                a.has("--ipv6"),
                a.has("--keep"),
                a.has("--json"),
                a.has("--via-daemon"),
                a.has("--publish"),
                SandboxFixture.Options.parse(a));
    }

    /** {@code --warmup}, which every mode checks (first of all), though only this one uses it. */
    static final ChurnCommand.IntOption WARMUP = new ChurnCommand.IntOption("--warmup", 200, 0, 100000);

    /** ptp, with the host ends holding the gateway (CNI ptp's recipe) or not ({@code ptp-ll}). */
    boolean ptp() {
        return shape.startsWith("ptp");
    }

    /** ptp with a link-local gateway and no address on the host ends (Calico's recipe). */
    boolean linkLocalGateway() {
        return shape.equals("ptp-ll");
    }

    /** A bridge network whose pods each hold a tap for a VM, instead of being the workload themselves. */
    boolean vm() {
        return shape.equals("vm");
    }

    /** The host port pod {@code i} publishes with {@code --publish}. */
    static int hostPort(int i) {
        return 10000 + i;
    }

    /** The network's IPv4 gateway. */
    String gateway() {
        return ptp() ? "198.19.0.1" : "198.18.0.1";
    }
}
