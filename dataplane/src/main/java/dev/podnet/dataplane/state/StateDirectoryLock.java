package dev.podnet.dataplane.state;

import dev.podnet.netlink.sys.LibC;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One owner per state directory: an exclusive {@code flock(2)} on {@code lock}, which holds the
 * owner's pid. The kernel drops the lock when the owner dies, {@code kill -9} included, so a stale
 * lock file never blocks the next owner; a live owner makes a second opener fail at once, naming it.
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

    static StateDirectoryLock acquire(Path dir) throws IOException {
        Path file = dir.resolve("lock");
        int fd = LibC.open(file.toString(), LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0600);
        try {
            if (!LibC.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB)) {
                String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
                throw new StateInUseException("state directory " + dir + " is in use by pid "
                        + (pid.isEmpty() ? "(unknown)" : pid) + "; one podnet process may own it at a time");
            }
            Files.writeString(file, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
            return new StateDirectoryLock(fd);
        } catch (IOException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    /** Releases ownership (closing the descriptor drops the lock). */
    @Override
    public void close() throws IOException {
        LibC.close(fd);
    }
}
