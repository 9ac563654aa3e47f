package dev.podnet.daemon;

import dev.podnet.api.Dataplane;
import java.io.PrintStream;
import java.util.List;

/**
 * Runs a model command ({@code network ...}, {@code endpoint ...}, {@code ipam ...}, {@code reconcile
 * run ...}) on the daemon's dataplane for a command line that found the daemon serving its state
 * directory ({@link DaemonClient#command}). The command line supplies it (the daemon knows no
 * commands): the same code runs the command in the daemon as in a process of its own.
 */
@FunctionalInterface
public interface CommandHandler {
    /**
     * Runs {@code argv} on {@code dp}, printing what the command prints on {@code out} and {@code err};
     * returns the exit code. Runs on a worker thread: it may block.
     */
    int run(Dataplane dp, List<String> argv, PrintStream out, PrintStream err);
}
