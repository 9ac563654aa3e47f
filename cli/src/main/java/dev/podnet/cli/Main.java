package dev.podnet.cli;

import dev.podnet.daemon.Daemon;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.stress.ChurnCommand;
import dev.podnet.stress.CrashWorker;
import dev.podnet.stress.UsageException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

/** The {@code podnet} command line. */
public final class Main {
    static final String USAGE = """
            usage: podnet [--state-dir DIR] [--host-netns NAME] [--wait SECONDS] <command> [options]

            commands:
              churn   plug N pods into a bridge network inside a sandbox namespace, check they talk, unplug them
                      [--pods N] [--shape bridge|ptp|ptp-ll|vm] [--ipv6] [--sandbox NAME] [--state-dir DIR] [--concurrency K] [--keep] [--json]
                      [--warmup W] (W pods added and removed untimed first, so the timed run runs compiled code; default 200)
                      --crash-test [--cycles N] [--max-kill-ms MS] [--seed S]: churn in a child JVM, kill -9 it at a random
                      instant, recover, check nothing leaked or was lost; repeat (default 20 cycles over 40 pods)
                      --rate R [--duration S] [--live N] [--warmup-s W] [--out PREFIX]: steady churn, N pods live (default 500)
                      while R are added and R removed per second, W s of warm-up (default 20) then S s measured (default 60);
                      latency series in PREFIX.csv, plot in PREFIX.html
              daemon  the node daemon: serves the CNI plugin (and CNI 1.1: ADD DEL CHECK STATUS GC VERSION) over HTTP on a
                      unix socket [--socket PATH] (default /run/podnet/podnet.sock); SIGTERM drains and stops it
              install-cni [--prefix DIR]   the CNI plugin into DIR/usr/lib/cni and DIR/opt/cni/bin, an example
                      conflist into DIR/etc/cni/net.d (default DIR: /)
              ip      podnet's own netlink reading of the kernel's tables, as iproute2 prints them
                      link|addr|route|neigh show [--netns NAME] [-6] [--json]
              nft     list [--json]   podnet's nf_tables table (inet podnet) in the host namespace, read with podnet's own
                      codec, as nft list table (nft -j) prints it; without the table: nothing (only the metainfo), exit 0
              network create NAME [--mode bridge|ptp] [--bridge BR] --subnet CIDR [--gateway IP] [--mtu N]
                             [--range START-END]... [--reserved IP]... [--hairpin] [--ip-masq] [--link-local-gateway] [--mac-from-ip] [--uplink IF]
                             [--subnet6 CIDR6 [--ipv6-from-mac]] [--gateway6 IP6] [--range6 START-END]...
                             [--no-default-route] [--route DST[=GW]]... [--dns-nameserver IP]... [--dns-domain D]
                             [--dns-search D]... [--dns-option OPT]... [--json]
                             (repeatable options also take comma-separated lists; a --range may also be a further
                             subnet CIDR[=GATEWAY], handed out whole with its own gateway)
              network delete NAME [--force] | network list [--json] | network show NAME [--json]
              endpoint add --network N --container-id ID --netns NAME|PATH [--if eth0] [--mtu N] [--mac MAC]
                           [--pod-name P] [--pod-namespace NS] [--ip IP] [--vm] [--json]   (--json prints the CNI 1.1 result)
                           [--publish [HOSTIP:]HOSTPORT:PORT[/tcp|udp]]...   (a published port, through nf_tables)
              endpoint del --container-id ID [--if eth0] [--force]   (--force: even while attached to a sandbox)
              endpoint list [--network N] [--container-id ID] [--pod-name P | --pod-prefix P] [--pod-namespace NS]
                            [--netns PATH] [--json]
              endpoint show --container-id ID [--if eth0] [--json]
              endpoint check --container-id ID [--if eth0] [--json]   (exit 1 when the kernel differs)
              endpoint update --container-id ID [--if eth0] [--mtu N] [--route DST=GATEWAY]... [--json]
              endpoint attach --container-id ID [--if eth0] --sandbox-key KEY | endpoint detach --container-id ID [--if eth0]
              ipam show [--json]
              reconcile [--dry-run] [--json]   roll back cut-short operations, release vanished endpoints,
                                               delete orphan tagged links, release unowned reservations
              help    this text

            --state-dir (default /var/lib/podnet) holds the state; --host-netns names the namespace that plays
            host (default: this process's own); a state directory belongs to the host namespace it was first used
            with and is refused from any other. --wait (default 30) is how long to wait for another podnet process
            that owns the state directory.
            """;

    private Main() {}

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        try {
            Path stateDir = Path.of("/var/lib/podnet");
            NetNs host = null;
            String hostName = null;
            java.time.Duration wait = dev.podnet.api.DataplaneOptions.DEFAULT_LOCK_WAIT;
            int i = 0;
            while (i < argv.length && argv[i].startsWith("--") && !argv[i].equals("--help")) {
                String opt = argv[i];
                if (i + 1 >= argv.length) {
                    throw new UsageException(opt + " needs a value");
                }
                switch (opt) {
                    case "--state-dir" -> stateDir = Path.of(argv[i + 1]);
                    case "--host-netns" -> {
                        try {
                            host = NetNs.named(argv[i + 1]);
                            hostName = argv[i + 1];
                        } catch (IllegalArgumentException e) {
                            throw new UsageException("--host-netns: " + e.getMessage());
                        }
                    }
                    case "--wait" -> {
                        try {
                            double seconds = Double.parseDouble(argv[i + 1]);
                            if (!(seconds >= 0 && seconds <= 86400)) {
                                throw new NumberFormatException();
                            }
                            wait = java.time.Duration.ofMillis(Math.round(seconds * 1000));
                        } catch (NumberFormatException e) {
                            throw new UsageException(
                                    "--wait must be seconds from 0 to 86400, got '" + argv[i + 1] + "'");
                        }
                    }
                    default -> throw new UsageException("unknown option " + opt + " (see podnet help)");
                }
                i += 2;
            }
            argv = Arrays.copyOfRange(argv, i, argv.length);
            if (argv.length == 0) {
                err.print(USAGE);
                return 2;
            }
            String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
            return switch (argv[0]) {
                case "churn" -> new ChurnCommand(Arrays.copyOfRange(argv, 1, argv.length), out, err).run();
                case "ip" -> new IpCommand(rest, out).run(err);
                case "nft" -> new NftCommand(rest, host, out).run(err);
                case "daemon" -> Daemon.run(daemonArgs(stateDir, hostName, rest), ModelCommands.handler(), out, err);
                case "install-cni" -> {
                    try {
                        yield InstallCni.run(rest, out);
                    } catch (java.io.IOException e) {
                        err.println("podnet: install-cni: " + e.getMessage());
                        yield 1;
                    }
                }
                case "crash-worker" -> {
                    try {
                        yield new CrashWorker(stateDir, host, rest, out).run();
                    } catch (java.io.IOException e) {
                        err.println("podnet: crash-worker: " + e.getMessage());
                        yield 1;
                    }
                }
                case "network", "endpoint", "ipam" ->
                    new ModelCommands(stateDir, host, hostName, wait, out, err).run(argv[0], rest);
                case "reconcile" ->
                    new ModelCommands(stateDir, host, hostName, wait, out, err)
                            .run(
                                    "reconcile",
                                    java.util.stream.Stream.concat(
                                                    java.util.stream.Stream.of("run"), Arrays.stream(rest))
                                            .toArray(String[]::new));
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

    /** The global {@code --state-dir} and {@code --host-netns} first, so that the daemon's own options win. */
    private static String[] daemonArgs(Path stateDir, String hostName, String[] rest) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--state-dir", stateDir.toString()));
        if (hostName != null) {
            args.add("--host-netns");
            args.add(hostName);
        }
        args.addAll(java.util.List.of(rest));
        return args.toArray(String[]::new);
    }
}
