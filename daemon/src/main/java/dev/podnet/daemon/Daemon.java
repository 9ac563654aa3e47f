package dev.podnet.daemon;

import dev.podnet.api.Dataplane;
import dev.podnet.api.DataplaneOptions;
import dev.podnet.dataplane.netns.NetNs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code podnet daemon [--socket PATH] [--state-dir DIR] [--host-netns NAME]}: the node daemon. It
 * opens the dataplane on the state directory, replays the DELs the shim spooled while it was down,
 * then serves CNI on the unix socket ({@link DaemonServer}) until it is stopped: SIGTERM (the JVM's
 * shutdown hook) stops accepting, lets the requests in flight finish (up to 10 s) and closes the
 * dataplane. In-process, {@code new Daemon(options).start()} returns a {@link Running} to close.
 */
public final class Daemon {
    /** The default socket, where the shim connects. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/podnet/podnet.sock");

    /** The default state directory. */
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/podnet");

    /** How long the requests in flight get to finish when the daemon stops. */
    public static final Duration DRAIN = Duration.ofSeconds(10);

    /** How long opening the dataplane may take, beyond waiting for its state directory's lock. */
    private static final Duration OPEN_WAIT = Duration.ofMinutes(2);

    private static final String USAGE = "usage: podnet daemon [--socket PATH] [--state-dir DIR] [--host-netns NAME]";

    /**
     * What to serve on and with.
     *
     * @param socket     the unix socket to serve on
     * @param stateDir   the dataplane's state directory (the DEL spool is {@code <stateDir>/cni-spool})
     * @param hostNetns  the namespace that plays host (a sandbox in tests), or null for the process's own
     * @param allowedUid the only uid that may call (0; a test passes its own)
     * @param commands   runs the command line's model commands sent to the daemon, or null to refuse them
     */
    public record Options(Path socket, Path stateDir, String hostNetns, int allowedUid, CommandHandler commands) {
        public Options {
            Objects.requireNonNull(socket, "socket");
            Objects.requireNonNull(stateDir, "stateDir");
        }

        /**
         * The defaults: {@link Daemon#DEFAULT_SOCKET}, {@link Daemon#DEFAULT_STATE_DIR}, the process's
         * own namespace, root only.
         */
        public static Options defaults() {
            return new Options(DEFAULT_SOCKET, DEFAULT_STATE_DIR, null, 0, null);
        }

        public Options withSocket(Path p) {
            return new Options(p, stateDir, hostNetns, allowedUid, commands);
        }

        public Options withStateDir(Path p) {
            return new Options(socket, p, hostNetns, allowedUid, commands);
        }

        public Options withHostNetns(String name) {
            return new Options(socket, stateDir, name, allowedUid, commands);
        }

        public Options withAllowedUid(int uid) {
            return new Options(socket, stateDir, hostNetns, uid, commands);
        }

        public Options withCommands(CommandHandler handler) {
            return new Options(socket, stateDir, hostNetns, allowedUid, handler);
        }
    }

    private final Options options;
    private final PrintStream log;

    public Daemon(Options options) {
        this(options, System.err);
    }

    /** A daemon that reports refused peers, failed operations and spool problems on {@code log}. */
    public Daemon(Options options, PrintStream log) {
        this.options = Objects.requireNonNull(options, "options");
        this.log = log;
    }

    /** Opens the dataplane, replays the spool, starts serving; everything opened is closed again on failure. */
    public Running start() throws IOException {
        DataplaneOptions opts = DataplaneOptions.of(options.stateDir())
                .hostNetns(options.hostNetns() == null ? null : NetNs.named(options.hostNetns()));
        Dataplane dp = Dataplane.open(opts).block(OPEN_WAIT.plus(opts.lockWait()));
        AtomicBoolean ready = new AtomicBoolean();
        try {
            CniService cni = new CniService(dp, ready::get);
            DelSpool spool = new DelSpool(options.stateDir(), cni, log);
            Integer replayed = spool.replay().block(OPEN_WAIT);
            if (replayed != null && replayed > 0) {
                log.println("podnet daemon: replayed " + replayed + " spooled DEL" + (replayed == 1 ? "" : "s"));
            }
            DaemonServer server = new DaemonServer(
                            options.socket(), cni, dp, spool, ready::get, options.allowedUid(), log)
                    .commands(options.commands(), options.hostNetns())
                    .start();
            try {
                DaemonClient.writeLocator(options.stateDir(), server.socket());
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
            ready.set(true);
            return new Running(dp, server, ready, options.stateDir().resolve(DaemonClient.LOCATOR));
        } catch (IOException | RuntimeException e) {
            dp.close();
            throw e;
        }
    }

    /** A started daemon. */
    public static final class Running implements AutoCloseable {
        private final Dataplane dp;
        private final DaemonServer server;
        private final AtomicBoolean ready;
        private final Path locator;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final CountDownLatch stopped = new CountDownLatch(1);

        private Running(Dataplane dp, DaemonServer server, AtomicBoolean ready, Path locator) {
            this.dp = dp;
            this.server = server;
            this.ready = ready;
            this.locator = locator;
        }

        /** The socket it serves on. */
        public Path socket() {
            return server.socket();
        }

        /** The dataplane it serves (for tests: to look at what a CNI call made). */
        public Dataplane dataplane() {
            return dp;
        }

        /** Blocks until {@link #close()} has finished. */
        public void await() throws InterruptedException {
            stopped.await();
        }

        /**
         * Stops: new CNI requests are answered "try again later" (11) and {@code /readyz} says 503, the
         * socket stops accepting, the requests in flight get up to {@link Daemon#DRAIN} to finish, then the
         * dataplane closes. Closing again does nothing.
         */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            ready.set(false);
            try {
                // first, so that a command line started from now on opens the state itself (and waits
                // for the lock) rather than call a daemon that is going away
                Files.deleteIfExists(locator);
            } catch (IOException e) {
                // the note names this process: once it has exited, readers ignore the note
            }
            try {
                server.close(DRAIN);
            } finally {
                try {
                    dp.close();
                } finally {
                    stopped.countDown();
                }
            }
        }
    }

    /** {@link #run(String[], CommandHandler, PrintStream, PrintStream)} refusing model commands. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, null, out, err);
    }

    /**
     * The command line: serves until SIGTERM; the exit code (0; 2: bad arguments; 1: could not start).
     *
     * @param commands runs the model commands a command line sends (null: refused)
     */
    public static int run(String[] args, CommandHandler commands, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(USAGE);
            return 0;
        }
        Options options;
        try {
            options = parse(args).withCommands(commands);
        } catch (IllegalArgumentException e) {
            err.println("podnet daemon: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        Running running;
        try {
            running = new Daemon(options, err).start();
        } catch (IOException | RuntimeException e) {
            err.println("podnet daemon: cannot start: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "podnet-daemon-stop"));
        out.println("podnet daemon: serving on " + running.socket() + " (state " + options.stateDir() + ")");
        out.flush();
        try {
            running.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.close();
        }
        return 0;
    }

    /** The options from the command line; the error says which argument is wrong. */
    static Options parse(String[] args) {
        Options o = Options.defaults();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length || !a.startsWith("--")) {
                throw new IllegalArgumentException(
                        a.startsWith("--") ? a + " needs a value" : "unexpected argument '" + a + "'");
            }
            String v = args[++i];
            o = switch (a) {
                case "--socket" -> o.withSocket(Path.of(v));
                case "--state-dir" -> o.withStateDir(Path.of(v));
                case "--host-netns" -> {
                    NetNs.validateName(v);
                    yield o.withHostNetns(v);
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            };
        }
        return o;
    }

    /** {@code podnet daemon ...} on its own. */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            // only on failure: after a SIGTERM the JVM is already exiting, and exit() would wait for it forever
            System.exit(code);
        }
    }
}
