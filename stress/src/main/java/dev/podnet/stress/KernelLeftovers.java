package dev.podnet.stress;

import dev.podnet.dataplane.internal.endpoint.HostNames;
import java.io.IOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a run left in the kernel, read with iproute2 (not podnet's own codec or state), before the
 * sandbox is deleted: host veth ends in the sandbox, and global addresses in the pods.
 */
final class KernelLeftovers {
    private static final Pattern HOST_LINK = Pattern.compile("^\\d+: (" + HostNames.PREFIX + "[0-9a-f]{12})[@:]");

    private KernelLeftovers() {}

    /** Host links ({@code pn} + 12 hex digits) in {@code sandbox}, as {@code ip -o link} lists them. */
    static int hostLinks(String sandbox) throws IOException, InterruptedException {
        int n = 0;
        for (String line :
                CrashInvariants.Sandbox.ip(sandbox, "-o", "link", "show").split("\n")) {
            if (HOST_LINK.matcher(line).find()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Global addresses (either family) left in {@code pods}: one {@code ip -all netns exec} reads every
     * named namespace, and only the pods' sections count.
     */
    static int podAddresses(Collection<String> pods) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "-all", "netns", "exec", "ip", "-o", "addr", "show", "scope", "global")
                .redirectErrorStream(true)
                .start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        Set<String> ours = new HashSet<>(pods);
        int n = 0;
        boolean counting = false;
        for (String line : text.split("\n")) {
            if (line.startsWith("netns: ")) {
                counting = ours.contains(line.substring("netns: ".length()).strip());
            } else if (counting && line.contains(" inet")) {
                n++;
            }
        }
        return n;
    }
}
