package dev.podnet.stress;

import static dev.podnet.stress.ChurnCommand.CMD;

import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.netns.Namespaces;
import dev.podnet.dataplane.internal.netns.NetnsThread;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.route.LinkMessage;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The sandbox every churn mode (burst, steady, crash test) runs in: a host network namespace of its
 * own (the bridge and the host veth ends go there), one namespace per pod ({@code NAME-p0} ...), and
 * a state directory. {@link #open} starts the thread that enters namespaces and, unless the sandbox
 * is kept, a shutdown hook; {@link #create} makes the namespaces; {@link #close} deletes every one it
 * made, pods first, and the state directories the command chose itself, on failure (and on a signal)
 * as on success. With {@code keep} it leaves them for inspection. Sandboxes of earlier runs whose
 * process is gone are cleared first ({@link #removeStale}).
 */
final class SandboxFixture implements AutoCloseable {
    private static final String DEFAULT_PREFIX = "podnet-sbx-";
    private static final Pattern OURS = Pattern.compile(Pattern.quote(DEFAULT_PREFIX) + "(\\d+)(-p\\d+)?");
    private static final Duration T = Duration.ofMinutes(5);

    /**
     * Where a run's sandbox lives: {@code --sandbox} (default {@code podnet-sbx-PID}) and
     * {@code --state-dir} (default a directory of this process's own under {@code java.io.tmpdir},
     * deleted at the end).
     *
     * @param name        the host namespace; the pods' are {@code name-p0} ...
     * @param stateDir    the dataplane's state
     * @param ownStateDir whether {@code stateDir} is this process's own (no {@code --state-dir})
     */
    record Options(String name, Path stateDir, boolean ownStateDir) {
        static Options parse(Args a) {
            String name =
                    a.get("--sandbox", DEFAULT_PREFIX + ProcessHandle.current().pid());
            try {
                NetNs.validateName(name);
            } catch (IllegalArgumentException e) {
                throw new UsageException(CMD + ": --sandbox: " + e.getMessage());
            }
            if (name.length() > 200) {
                throw new UsageException(CMD + ": --sandbox name is too long (at most 200 bytes)");
            }
            boolean own = !a.has("--state-dir");
            Path stateDir = own
                    ? Path.of(
                            System.getProperty("java.io.tmpdir"),
                            "podnet-churn-" + ProcessHandle.current().pid())
                    : Path.of(a.get("--state-dir", ""));
            return new Options(name, stateDir, own);
        }

        /** The crash test's scratch (the workers' log and output), next to the state. */
        Path crashDir() {
            return stateDir.resolveSibling(stateDir.getFileName() + "-crash");
        }
    }

    private final Options options;
    private final boolean keep;
    private final PrintStream err;
    private final NetnsThread thread;
    private final Namespaces namespaces;
    private final List<String> created = new CopyOnWriteArrayList<>();
    private final List<String> pods = new ArrayList<>();
    private final Thread cleanupOnSignal;

    private SandboxFixture(Options options, boolean keep, PrintStream err, NetnsThread thread) {
        this.options = options;
        this.keep = keep;
        this.err = err;
        this.thread = thread;
        this.namespaces = new Namespaces(thread);
        this.cleanupOnSignal = new Thread(this::deleteCreated, "podnet-churn-cleanup");
    }

    /** Starts the namespace thread and, unless {@code keep}, the shutdown hook that deletes what {@link #create} made. */
    static SandboxFixture open(Options options, boolean keep, PrintStream err) throws IOException {
        SandboxFixture sandbox = new SandboxFixture(options, keep, err, NetnsThread.start());
        if (!keep) {
            Runtime.getRuntime().addShutdownHook(sandbox.cleanupOnSignal);
        }
        return sandbox;
    }

    String name() {
        return options.name();
    }

    Path stateDir() {
        return options.stateDir();
    }

    /** See {@link Options#crashDir}. */
    Path crashDir() {
        return options.crashDir();
    }

    /** The pod namespaces {@link #create} made, in order. */
    List<String> pods() {
        return pods;
    }

    /** Removes sandboxes left by churn runs whose process is gone (killed before it could clean up). */
    void removeStale(Consumer<String> progress) throws IOException {
        for (String n : namespaces.list()) {
            Matcher m = OURS.matcher(n);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                namespaces.delete(n).block(T);
                progress.accept("removed stale netns " + n + " (its churn process is gone)");
            }
        }
    }

    /** Whether the sandbox's namespace exists already (another run's, or a name taken). */
    boolean exists() {
        return namespaces.exists(options.name());
    }

    /** Creates the sandbox's namespace, then {@code count} pod namespaces; their names. */
    List<String> create(int count) {
        namespaces.create(options.name()).block(T);
        created.add(options.name());
        for (int i = 0; i < count; i++) {
            String name = options.name() + "-p" + i;
            namespaces.create(name).block(T);
            created.add(name);
            pods.add(name);
        }
        return pods;
    }

    /** The sandbox's links as the kernel lists them, through a client of its own (for the checks after a run). */
    List<LinkMessage> links() {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            return thread.openRouteSocket(NetNs.named(name()))
                    .flatMap(s -> NetlinkClient.open(group, s))
                    .flatMap(c -> c.dump(Links.dumpAll())
                            .cast(LinkMessage.class)
                            .collectList()
                            .flatMap(links -> c.close().thenReturn(links)))
                    .block(Duration.ofSeconds(30));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Unless kept: deletes the namespaces made and the state directories of this process's own; stops the thread. */
    @Override
    public void close() {
        if (!keep) {
            deleteCreated();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanupOnSignal);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
            if (options.ownStateDir()) {
                deleteTree(options.stateDir());
                deleteTree(options.crashDir());
            }
        }
        try {
            thread.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Deletes what this run created: pods first, the sandbox last (it holds the bridge). */
    private void deleteCreated() {
        List<String> names = new ArrayList<>(created);
        for (int i = names.size() - 1; i >= 0; i--) {
            String n = names.get(i);
            try {
                namespaces.delete(n).block(Duration.ofSeconds(30));
                created.remove(n);
            } catch (RuntimeException e) {
                err.println("podnet: could not delete netns " + n + ": " + e.getMessage());
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
