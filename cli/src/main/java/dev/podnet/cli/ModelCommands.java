package dev.podnet.cli;

import dev.podnet.api.Dataplane;
import dev.podnet.api.DataplaneOptions;
import dev.podnet.api.Json;
import dev.podnet.daemon.CommandHandler;
import dev.podnet.daemon.DaemonClient;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code podnet network ...}, {@code podnet endpoint ...}, {@code podnet ipam ...}, {@code podnet reconcile}: the
 * dataplane's model from the command line, on the state under {@code --state-dir}, with the host side in
 * {@code --host-netns} (default: this process's namespace), through the daemon when one serves that state
 * directory. This class dispatches: it parses a command's options
 * (through {@link NetworkCommands} or {@link EndpointCommands}), opens the dataplane, runs the command, and maps
 * failures to exit codes (a bad spec or a network in use: 2; a failed endpoint operation or state that cannot be
 * opened: 1); it runs {@code reconcile} itself.
 */
final class ModelCommands {
    /** How long a command waits for one dataplane operation (opening also waits up to the lock wait). */
    static final Duration T = Duration.ofMinutes(2);

    private final Path stateDir;
    private final NetNs hostNetns;
    private final String hostName;
    private final Duration lockWait;
    private final PrintStream out;
    private final PrintStream err;

    /** @param hostName {@code hostNetns}'s name (null with it: the process's own namespace) */
    ModelCommands(
            Path stateDir, NetNs hostNetns, String hostName, Duration lockWait, PrintStream out, PrintStream err) {
        this.stateDir = stateDir;
        this.lockWait = lockWait;
        this.hostNetns = hostNetns;
        this.hostName = hostName;
        this.out = out;
        this.err = err;
    }

    /**
     * The daemon's side: runs the model commands a command line sends to it ({@code argv}: the command
     * and its words, as given to {@link #run}) on the daemon's dataplane, with the same parsing, output
     * and exit codes as in a process of its own.
     */
    static CommandHandler handler() {
        return (dp, argv, out, err) -> {
            try {
                if (argv.isEmpty()) {
                    throw new UsageException("no command");
                }
                String command = argv.get(0);
                String[] words = argv.subList(1, argv.size()).toArray(String[]::new);
                Parsed p = parse(command, words);
                return new ModelCommands(null, null, null, Duration.ZERO, out, err).runOn(dp, command, p);
            } catch (UsageException e) {
                err.println("podnet: " + e.getMessage());
                return 2;
            }
        };
    }

    /**
     * Runs {@code command} ({@code network}, {@code endpoint}, {@code ipam} or {@code reconcile}) with
     * {@code argv} (its verb first). Through the daemon when one serves the state directory (its note
     * there names a live process), otherwise on the state opened here (which waits up to the lock wait
     * for another owner).
     */
    int run(String command, String[] argv) {
        Parsed p = parse(command, argv); // usage errors before anything is opened or sent
        Optional<Path> socket = DaemonClient.locate(stateDir);
        if (socket.isPresent()) {
            Integer exit = viaDaemon(socket.get(), command, argv);
            if (exit != null) {
                return exit;
            }
        }
        Dataplane dp;
        try {
            // every command but reconcile itself reconciles on open (so that a dry run sees the leftovers);
            // a dry run opens read-only: it creates, changes and writes nothing
            dp = Dataplane.open(DataplaneOptions.of(stateDir)
                            .hostNetns(hostNetns)
                            .lockWait(lockWait)
                            .reconcileOnOpen(!command.equals("reconcile"))
                            .readOnly(p.args().has("--dry-run")))
                    .block(T.plus(lockWait));
        } catch (RuntimeException e) {
            err.println("podnet: cannot open the state in " + stateDir + ": " + e.getMessage());
            return 1;
        }
        try {
            return runOn(dp, command, p);
        } finally {
            dp.close();
        }
    }

    /**
     * The command sent to the daemon on {@code socket}, its output printed here; its exit code, or null
     * when the daemon cannot be reached (it went away after its note was read): then the caller opens
     * the state itself.
     */
    private Integer viaDaemon(Path socket, String command, String[] argv) {
        List<String> words = new ArrayList<>();
        words.add(command);
        words.addAll(Arrays.asList(argv));
        try (DaemonClient client = new DaemonClient(socket, 1)) {
            DaemonClient.CommandReply r = client.command(words, hostName).block(T);
            if (r == null) {
                return null;
            }
            out.print(r.stdout());
            err.print(r.stderr());
            out.flush();
            err.flush();
            return r.exit();
        } catch (RuntimeException e) {
            if (connectFailed(e)) {
                return null;
            }
            err.println("podnet: the daemon on " + socket + " failed: " + e.getMessage());
            return 1;
        }
    }

    /** Whether {@code e} says the socket could not be connected to (refused, gone). */
    private static boolean connectFailed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException
                    || t instanceof io.netty.channel.unix.Errors.NativeIoException n
                            && n.getMessage().contains("connect")) {
                return true;
            }
        }
        return false;
    }

    /** A command's parsed words: the full command ({@code network create}) and its options. */
    private record Parsed(String cmd, Args args) {}

    private static Parsed parse(String command, String[] argv) {
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
        return new Parsed(cmd, a);
    }

    /** Runs the parsed command on {@code dp}, failures mapped to exit codes. */
    private int runOn(Dataplane dp, String command, Parsed p) {
        try {
            return switch (command) {
                case "network", "ipam" -> new NetworkCommands(dp, out).run(p.cmd(), p.args());
                case "endpoint" -> new EndpointCommands(dp, out).run(p.cmd(), p.args());
                case "reconcile" -> reconcile(dp, p.args());
                default -> throw new UsageException("unknown command '" + p.cmd() + "'");
            };
        } catch (InvalidSpecException | NetworkInUseException e) {
            err.println("podnet: " + e.getMessage());
            return 2;
        } catch (EndpointOperationException e) {
            err.println("podnet: " + e.getMessage());
            return 1;
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
