package dev.podnet.stress;

import java.io.PrintStream;
import java.util.Arrays;

/** The {@code podnet} command line. */
public final class Main {
    static final String USAGE = """
            usage: podnet <command> [options]

            commands:
              churn   plug N pods into a bridge network inside a sandbox namespace, check they talk, unplug them
                      [--pods N] [--shape bridge|ptp] [--sandbox NAME] [--state-dir DIR] [--concurrency K] [--keep] [--json]
              ip      podnet's own netlink reading of the kernel's tables, as iproute2 prints them
                      link|addr|route|neigh show [--netns NAME] [-6] [--json]
              help    this text
            """;

    private Main() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0) {
            err.print(USAGE);
            return 2;
        }
        try {
            return switch (argv[0]) {
                case "churn" -> new ChurnCommand(Arrays.copyOfRange(argv, 1, argv.length), out, err).run();
                case "ip" -> new IpCommand(Arrays.copyOfRange(argv, 1, argv.length), out).run(err);
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    yield 0;
                }
                default -> throw new UsageException("unknown command '" + argv[0] + "' (try: podnet help)");
            };
        } catch (UsageException e) {
            err.println("podnet: " + e.getMessage());
            return 2;
        }
    }
}
