package dev.podnet.stress;

import dev.podnet.dataplane.internal.endpoint.HostNames;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a run left in the kernel, read with iproute2 (not podnet's own codec or state), before the
 * sandbox is deleted: host veth ends in the sandbox, and global addresses in the pods.
 */
final class KernelLeftovers {
    private static final Pattern HOST_LINK = Pattern.compile("^\\d+: (" + HostNames.PREFIX + "[0-9a-f]{12})[@:]");

    private static final Pattern OWNED = Pattern.compile("\"comment\":\\s*\"podnet:");

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
     * Global addresses (either family) left in {@code pods}, as {@code ip -o addr show scope global}
     * lists them inside each pod ({@code nsenter --net}, which unlike {@code ip -n} makes no mount
     * namespace), one process a pod, several at a time ({@code xargs -P}): about 11 ms a pod on a
     * 2-core machine, where one {@code ip -all netns exec} over every namespace took about 24.
     */
    static int podAddresses(Collection<String> pods) throws IOException, InterruptedException {
        int parallel = Math.max(2, 2 * Runtime.getRuntime().availableProcessors());
        List<String> command = List.of(
                "xargs",
                "-P",
                Integer.toString(parallel),
                "-I{}",
                "nsenter",
                "--net=/run/netns/{}",
                "ip",
                "-o",
                "addr",
                "show",
                "scope",
                "global");
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (var names = p.getOutputStream()) {
            names.write((String.join("\n", pods) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(
                    "ip addr show failed in some of the " + pods.size() + " pods (exit " + p.exitValue() + ")");
        }
        int n = 0;
        for (String line : text.split("\n")) {
            if (line.contains(" inet")) {
                n++;
            }
        }
        return n;
    }

    /**
     * Elements of podnet's published-port maps in {@code sandbox}, as nft lists them ({@code nft -j
     * list map inet podnet ports4} and {@code ports6}); -1 when nft is not installed. 0 when the table
     * was never made.
     */
    static int publishedPorts(String sandbox) throws IOException, InterruptedException {
        int n = 0;
        for (String map : new String[] {"ports4", "ports6"}) {
            Process p;
            try {
                p = new ProcessBuilder(
                                "ip", "netns", "exec", sandbox, "nft", "-j", "list", "map", "inet", "podnet", map)
                        .redirectErrorStream(false)
                        .start();
            } catch (IOException e) {
                return -1;
            }
            String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.getErrorStream().readAllBytes();
            if (p.waitFor() != 0) {
                if (!new java.io.File("/usr/sbin/nft").exists()) {
                    return -1;
                }
                continue; // no such table or map: none
            }
            // each of podnet's elements carries its owner as comment (the map's own "elem" key does not)
            java.util.regex.Matcher m = OWNED.matcher(text);
            while (m.find()) {
                n++;
            }
        }
        return n;
    }
}
