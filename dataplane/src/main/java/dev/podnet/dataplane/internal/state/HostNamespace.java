package dev.podnet.dataplane.internal.state;

import dev.podnet.dataplane.netns.NetNs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The identity of the network namespace that plays "host" for a state directory: the device and
 * inode of its nsfs file (what {@code stat -L /run/netns/NAME} shows), and its name when it has one.
 * A state directory belongs to the host namespace it was first used with: its networks' bridges and
 * its endpoints' host ends live there, so opening it from another namespace would re-create them in
 * the wrong place (the root namespace, for a state made in a sandbox).
 *
 * @param device the nsfs device number
 * @param inode  the namespace's inode number
 * @param name   the name under {@code /run/netns}, or null (the process's own, or one known by path)
 */
public record HostNamespace(long device, long inode, String name) {
    /** The inode the kernel gives the initial (root) network namespace ({@code PROC_NET_INIT_INO}), the same every boot. */
    static final long ROOT_INODE = 0xEFFFFFF9L;

    /** The identity of {@code ns}, read from its file now. */
    public static HostNamespace of(NetNs ns) throws IOException {
        Path p = ns.path();
        long dev = ((Number) Files.getAttribute(p, "unix:dev")).longValue();
        long ino = ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        return new HostNamespace(dev, ino, ns.name());
    }

    /** True for the same namespace (device and inode); the name does not decide. */
    public boolean sameAs(HostNamespace other) {
        return device == other.device && inode == other.inode;
    }

    /**
     * True when, after a reboot, {@code this} (recorded during the earlier boot) stands for the same
     * host as {@code now}: inode numbers of named namespaces change across boots, so the name decides
     * (or, for the root namespace, its fixed inode).
     */
    public boolean sameAfterReboot(HostNamespace now) {
        if (name != null) {
            return name.equals(now.name);
        }
        return inode == ROOT_INODE && now.inode == ROOT_INODE;
    }

    /** How an error names it: {@code namespace 'S' (inode N)} or {@code the root namespace (inode N)}. */
    public String describe() {
        if (name != null) {
            return "namespace '" + name + "' (inode " + inode + ")";
        }
        return (inode == ROOT_INODE ? "the root namespace" : "an unnamed namespace") + " (inode " + inode + ")";
    }

    String encode() {
        return device + " " + inode + " " + (name == null ? "" : name) + "\n";
    }

    static HostNamespace read(Path file) throws IOException {
        String[] f = Files.readString(file, StandardCharsets.UTF_8).strip().split(" ", 3);
        if (f.length < 2) {
            throw new IOException(file + " is damaged: '" + String.join(" ", f) + "'");
        }
        return new HostNamespace(
                Long.parseLong(f[0]), Long.parseLong(f[1]), f.length == 3 && !f[2].isEmpty() ? f[2] : null);
    }
}
