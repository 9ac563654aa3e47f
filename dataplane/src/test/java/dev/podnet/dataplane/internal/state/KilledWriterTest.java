package dev.podnet.dataplane.internal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer killed while it holds a segment's lock inside the state's memory-mapped map: the next
 * owner finds the directory not cleanly closed, recovers the maps (Chronicle's exclusive
 * {@code recoverPersistedTo}) and can read and write that very segment, instead of waiting on a lock
 * whose holder is dead.
 */
class KilledWriterTest {
    @TempDir
    Path dir;

    @Test
    void aSegmentLockHeldByAKilledProcessIsRecovered() throws Exception {
        Path state = dir.resolve("state");
        try (StateStore s = StateStore.open(state, 64)) {
            s.endpoints().put("held/eth0", "before");
        }
        Process child = new ProcessBuilder(childCommand(state))
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals("LOCKED"));
            assertEquals("LOCKED", line, "the child took the segment's write lock");
            child.destroyForcibly(); // SIGKILL, with the lock held
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
        assertTrue(Files.notExists(state.resolve("clean")), "an unclean stop is what recovery keys on");
        // the same segment (the same key), read and written, well inside Chronicle's own lock time-out
        String seen = CompletableFuture.supplyAsync(() -> {
                    try (StateStore s = StateStore.open(state, 64)) {
                        assertTrue(s.recovered());
                        String before = s.endpoints().get("held/eth0");
                        s.endpoints().put("held/eth0", "after");
                        return before + " " + s.endpoints().get("held/eth0");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .get(20, TimeUnit.SECONDS);
        assertEquals("before after", seen);
    }

    /** This JVM's binary, flags and class path, running {@link LockHolder}. */
    private static List<String> childCommand(Path state) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-javaagent")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), state.toString()));
        return cmd;
    }

    /** The child: opens the state, takes the write lock of the segment holding one key, says so, and waits to be killed. */
    public static final class LockHolder {
        private LockHolder() {}

        public static void main(String[] args) throws Exception {
            StateStore s = StateStore.open(Path.of(args[0]), 64);
            @SuppressWarnings("unchecked")
            ChronicleMap<String, String> map = (ChronicleMap<String, String>) s.endpoints();
            ExternalMapQueryContext<String, String, ?> c = map.queryContext("held/eth0");
            c.writeLock().lock();
            System.out.println("LOCKED");
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
