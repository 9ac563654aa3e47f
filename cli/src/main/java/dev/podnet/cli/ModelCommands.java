package dev.podnet.cli;

import dev.podnet.api.Dataplane;
import dev.podnet.api.DataplaneOptions;
import dev.podnet.api.Json;
import dev.podnet.dataplane.EndpointOperationException;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.NetworkInUseException;
import dev.podnet.dataplane.ReconcileReport;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.stress.Args;
import dev.podnet.stress.UsageException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

/**
 * {@code podnet network ...}, {@code podnet endpoint ...}, {@code podnet ipam ...}, {@code podnet reconcile}: the
 * dataplane's model from the command line, on the state under {@code --state-dir}, with the host side in
 * {@code --host-netns} (default: this process's namespace). This class dispatches: it parses a command's options
 * (through {@link NetworkCommands} or {@link EndpointCommands}), opens the dataplane, runs the command, and maps
 * failures to exit codes (a bad spec or a network in use: 2; a failed endpoint operation or state that cannot be
 * opened: 1); it runs {@code reconcile} itself.
 */
final class ModelCommands {
    /** How long a command waits for one dataplane operation (opening also waits up to the lock wait). */
    static final Duration T = Duration.ofMinutes(2);

    private final Path stateDir;
    private final NetNs hostNetns;
    private final Duration lockWait;
    private final PrintStream out;
    private final PrintStream err;

    ModelCommands(Path stateDir, NetNs hostNetns, Duration lockWait, PrintStream out, PrintStream err) {
        this.stateDir = stateDir;
        this.lockWait = lockWait;
        this.hostNetns = hostNetns;
        this.out = out;
        this.err = err;
    }

    int run(String command, String[] argv) {
        if (argv.length == 0) {
            throw new UsageException(command + ": say what to do (see podnet help)");
        }
        String verb = argv[0];
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        String cmd = command + " " + verb;
        Args a = switch (command) {
            case "network", "ipam" -> NetworkCommands.parse(cmd, rest);
            case "endpoint" -> EndpointCommands.parse(cmd, rest);
            case "reconcile" -> {
                if (!cmd.equals("reconcile run")) {
                    throw unknown(cmd);
                }
                yield Args.parse(cmd, rest, 0, Set.of(), Set.of("--dry-run", "--json"));
            }
            default -> throw unknown(cmd);
        };
        Dataplane dp;
        try {
            // every command but reconcile itself reconciles on open (so that a dry run sees the leftovers);
            // a dry run opens read-only: it creates, changes and writes nothing
            dp = Dataplane.open(DataplaneOptions.of(stateDir)
                            .hostNetns(hostNetns)
                            .lockWait(lockWait)
                            .reconcileOnOpen(!command.equals("reconcile"))
                            .readOnly(a.has("--dry-run")))
                    .block(T.plus(lockWait));
        } catch (RuntimeException e) {
            err.println("podnet: cannot open the state in " + stateDir + ": " + e.getMessage());
            return 1;
        }
        try {
            return switch (command) {
                case "network", "ipam" -> new NetworkCommands(dp, out).run(cmd, a);
                case "endpoint" -> new EndpointCommands(dp, out).run(cmd, a);
                case "reconcile" -> reconcile(dp, a);
                default -> throw new UsageException("unknown command '" + cmd + "'");
            };
        } catch (InvalidSpecException | NetworkInUseException e) {
            err.println("podnet: " + e.getMessage());
            return 2;
        } catch (EndpointOperationException e) {
            err.println("podnet: " + e.getMessage());
            return 1;
        } finally {
            dp.close();
        }
    }

    /** {@code reconcile [--dry-run] [--json]}: what it did (or would do), one line each. */
    private int reconcile(Dataplane dp, Args a) {
        ReconcileReport r = dp.reconciler().run(a.has("--dry-run")).block(T);
        if (a.has("--json")) {
            out.println(Json.write(ModelJson.report(r)));
        } else {
            out.println("reconcile" + (r.dryRun() ? " (dry run)" : "") + ": " + r.endpointsChecked()
                    + " endpoints checked, "
                    + (r.clean()
                            ? "nothing to do"
                            : r.actions().size() + " action" + (r.actions().size() == 1 ? "" : "s")));
            r.actions().forEach(x -> out.println("  " + x));
            r.notes().forEach(x -> out.println("  (" + x + ")"));
        }
        return 0;
    }

    /** The usage error for a command no handler knows. */
    static UsageException unknown(String cmd) {
        return new UsageException("unknown command '" + cmd + "' (see podnet help)");
    }

    /** The value of {@code option}, which {@code cmd} cannot go without: absent or empty is a usage error. */
    static String required(String cmd, Args a, String option) {
        String v = a.get(option, null);
        if (v == null || v.isEmpty()) {
            throw new UsageException(cmd + ": " + option + " is required");
        }
        return v;
    }
}
