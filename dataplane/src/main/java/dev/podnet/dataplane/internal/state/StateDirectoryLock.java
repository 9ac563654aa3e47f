package dev.podnet.dataplane.internal.state;

import dev.podnet.netlink.internal.sys.LibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One owner per state directory: an exclusive {@code flock(2)} on {@code lock}, which holds the
 * owner's pid. The kernel drops the lock when the owner dies, {@code kill -9} included, so a stale
 * lock file never blocks the next owner; a live owner makes a second opener wait up to a bound (as
 * host-local's file lock does), then fail naming it. A read-only opener (a dry run) takes the lock
 * shared and writes nothing: several may read at once, and none while an owner writes.
 *
 * <p>{@code flock}, not the POSIX record locks of {@code FileChannel.lock}: those are dropped when
 * <em>any</em> descriptor of the file is closed by the process (reading the pid would release
 * them), while a {@code flock} belongs to its own open file description.
 */
final class StateDirectoryLock implements AutoCloseable {
    private final int fd;

    private StateDirectoryLock(int fd) {
        this.fd = fd;
    }

    /** Polling interval while waiting: {@code flock} has no time-out of its own. */
    private static final long POLL_MILLIS = 20;

    static StateDirectoryLock acquire(Path dir, java.time.Duration wait, boolean shared) throws IOException {
        Path file = dir.resolve("lock");
        if (shared && !Files.exists(file)) {
            // nobody ever owned it: nothing to exclude, and a reader creates no file
            return new StateDirectoryLock(-1);
        }
        int fd = LibC.open(
                file.toString(), (shared ? LibC.O_RDONLY : LibC.O_RDWR | LibC.O_CREAT) | LibC.O_CLOEXEC, 0600);
        try {
            long deadline = System.nanoTime() + wait.toNanos();
            int mode = (shared ? LibC.LOCK_SH : LibC.LOCK_EX) | LibC.LOCK_NB;
            while (!LibC.flock(fd, mode)) {
                if (System.nanoTime() - deadline >= 0) {
                    String pid =
                            Files.readString(file, StandardCharsets.US_ASCII).trim();
                    String holder = pid.isEmpty() ? "an unknown process" : "pid " + pid;
                    if (!pid.isEmpty() && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                        holder = "a reader (a dry run; pid " + pid + ", the last owner, has exited)";
                    }
                    throw new StateInUseException("state directory " + dir + " is in use by " + holder
                            + (wait.isZero() ? "" : ", still after waiting " + wait.toMillis() / 1000.0 + " s")
                            + "; one podnet process may own it at a time");
                }
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for " + file);
                }
            }
            if (!shared) {
                Files.writeString(file, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
            }
            return new StateDirectoryLock(fd);
        } catch (IOException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    /** Releases ownership (closing the descriptor drops the lock). */
    @Override
    public void close() throws IOException {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }
}
