package dev.podnet.dataplane.netns;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A network namespace, known by the file that pins it: {@code /run/netns/<name>} for named
 * namespaces (as {@code ip netns} makes them), {@code /proc/<pid>/ns/net} for a process's.
 */
public record NetNs(String name, Path path) {
    /** Where {@code ip netns} keeps named namespaces. */
    public static final Path NETNS_RUN_DIR = Path.of("/run/netns");

    public NetNs {
        Objects.requireNonNull(path, "path");
    }

    /** The namespace {@code ip netns add <name>} would make: {@code /run/netns/<name>}. */
    public static NetNs named(String name) {
        validateName(name);
        return new NetNs(name, NETNS_RUN_DIR.resolve(name));
    }

    /** A namespace by path (a bind mount, or {@code /proc/<pid>/ns/net}). */
    public static NetNs ofPath(Path path) {
        Path p = path.toAbsolutePath().normalize();
        String name = p.getParent() != null && p.getParent().equals(NETNS_RUN_DIR)
                ? p.getFileName().toString()
                : null;
        return new NetNs(name, p);
    }

    /** The network namespace of process {@code pid}. */
    public static NetNs ofPid(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive, got " + pid);
        }
        return new NetNs(null, Path.of("/proc", Long.toString(pid), "ns", "net"));
    }

    /** Checks a namespace name the way iproute2 does: a single path component. */
    public static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("netns name must not be empty");
        }
        if (name.length() > 255
                || name.contains("/")
                || name.equals(".")
                || name.equals("..")
                || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                    "netns name '" + name + "' is not a valid file name (no '/', not '.' or '..', at most 255 bytes)");
        }
    }

    @Override
    public String toString() {
        return name != null ? name : path.toString();
    }
}
