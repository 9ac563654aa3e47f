package dev.podnet.testing;

import dev.podnet.netlink.internal.sys.LibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * A network namespace made for one test with iproute2 ({@code ip netns add}), independent of the
 * code under test, plus any extra namespaces the test asks for. {@link #close()} deletes them all.
 */
public final class Sandbox implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;
    private final List<String> extra = new ArrayList<>();

    private Sandbox(String name) {
        this.name = name;
    }

    /** Creates a fresh namespace named {@code pnt-<pid>-<n>}. */
    public static Sandbox create() throws IOException {
        String name = "pnt-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        run("ip", "netns", "add", name);
        return new Sandbox(name);
    }

    /** The namespace's name, as {@code ip netns list} shows it. */
    public String name() {
        return name;
    }

    /** {@code /run/netns/<name>}. */
    public Path path() {
        return Path.of("/run/netns", name);
    }

    /** Creates another namespace (a "pod") that is deleted with this sandbox. */
    public String newNamespace(String suffix) throws IOException {
        String n = name + "-" + suffix;
        run("ip", "netns", "add", n);
        extra.add(n);
        return n;
    }

    /** Runs {@code ip -n <sandbox> args...} and returns its standard output; fails on a non-zero exit. */
    public String ip(String... args) throws IOException {
        return ipIn(name, args);
    }

    /** Runs {@code ip -n <netns> args...}. */
    public static String ipIn(String netns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", netns));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** Runs {@code command} inside this sandbox ({@code ip netns exec <sandbox> command...}) and returns its standard output. */
    public String exec(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return run(cmd.toArray(String[]::new));
    }

    /** Runs {@code commands} through one {@code ip -n <sandbox> -batch}: thousands of objects in one process. */
    public void ipBatch(List<String> commands) throws IOException {
        Path batch = Files.createTempFile("ip", ".batch");
        try {
            Files.writeString(batch, String.join("\n", commands) + "\n");
            ip("-batch", batch.toString());
        } finally {
            Files.deleteIfExists(batch);
        }
    }

    /** Adds the bridges {@code <prefix>0} to {@code <prefix><count - 1>} (bridges: the test kernel has no dummy driver). */
    public void addBridges(String prefix, int count) throws IOException {
        ipBatch(IntStream.range(0, count)
                .mapToObj(i -> "link add " + prefix + i + " type bridge")
                .toList());
    }

    /** Runs {@code action} on a thread that has entered this sandbox's network namespace. */
    public <T> T inside(Callable<T> action) throws Exception {
        return insideNamespace(path(), action);
    }

    /** Runs {@code action} on a fresh thread that setns's into {@code netnsPath} (the thread then dies). */
    public static <T> T insideNamespace(Path netnsPath, Callable<T> action) throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> new Thread(r, "sandbox-setns"));
        try {
            return ex.submit(() -> {
                        int fd = LibC.open(netnsPath.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
                        try {
                            LibC.setns(fd, LibC.CLONE_NEWNET);
                        } finally {
                            LibC.close(fd);
                        }
                        return action.call();
                    })
                    .get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception c) {
                throw c;
            }
            throw e;
        } finally {
            // the thread is in a foreign namespace: never reuse it
            ex.shutdownNow();
        }
    }

    /** Runs a command, returns stdout; stderr is included in the exception when it fails. */
    public static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        byte[] out;
        byte[] err;
        try {
            out = p.getInputStream().readAllBytes();
            err = p.getErrorStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": "
                        + new String(err, StandardCharsets.UTF_8).trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** True when {@code ip netns list} shows a namespace of this name. */
    public static boolean namespaceExists(String name) throws IOException {
        for (String line : run("ip", "netns", "list").split("\n")) {
            if (line.split(" ")[0].equals(name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        List<String> all = new ArrayList<>(extra);
        all.add(name);
        for (String n : all) {
            try {
                if (namespaceExists(n)) {
                    run("ip", "netns", "del", n);
                }
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
