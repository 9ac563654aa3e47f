package dev.podnet.stress;

import dev.podnet.api.Dataplane;
import dev.podnet.api.Endpoint;
import dev.podnet.dataplane.internal.endpoint.HostNames;
import dev.podnet.netlink.route.LinkMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The burst's ({@link BurstChurn}) check that its adds did what they said, between the timed adds
 * and the timed removes: the kernel read back through the dataplane's host netlink (every host end
 * up, on the bridge for the bridge shape), then a sample of pods through iproute2 and ping (their
 * address, the gateway and each other reachable; for the VM shape the tap's place instead).
 */
final class BurstVerifier {
    private static final Pattern HOST_LINK = Pattern.compile(HostNames.PREFIX + "[0-9a-f]{12}");
    private static final Duration T = Duration.ofMinutes(5);
    private static final String GATEWAY6 = "fd00:18::1";

    private BurstVerifier() {}

    /**
     * Reads the kernel back: every endpoint's host end must be a port of the bridge, and a sample of
     * pods (first, second, middle, last) must hold their address and reach the gateway and each other.
     * What is wrong goes into {@code problems}.
     */
    static boolean verify(
            Dataplane dp,
            SandboxFixture sandbox,
            ChurnOptions o,
            List<String> podNames,
            Endpoint[] endpoints,
            List<String> problems) {
        int pods = o.pods();
        boolean vm = o.vm();
        String gateway = o.gateway();
        int bridge = dp.networks().get(BurstChurn.NETWORK).block(T).bridgeIndex();
        // bridge: every host end is an up port of the bridge; ptp: every host end is up, with no master
        List<LinkMessage> ports = hostLinks(sandbox).stream()
                .filter(l -> l.master() == bridge && l.isUp())
                .toList();
        boolean ok = true;
        if (ports.size() != pods) {
            problems.add("expected " + pods + (o.ptp() ? " host veths up" : " bridge ports up") + ", the kernel shows "
                    + ports.size());
            ok = false;
        }
        int[] sample = Stream.of(0, 1, pods / 2, pods - 1)
                .mapToInt(Integer::intValue)
                .distinct()
                .filter(i -> i < pods)
                .toArray();
        for (int i : sample) {
            Endpoint ep = endpoints[i];
            if (ep == null) {
                problems.add("pod " + i + " has no endpoint");
                ok = false;
                continue;
            }
            String ip = ep.address().split("/")[0];
            if (vm) {
                // no VM runs here: check the structure the VM would attach to instead of pinging
                String tap = exec("ip", "-n", podNames.get(i), "-o", "-d", "link", "show", "dev", ep.tap());
                String wire =
                        exec("ip", "netns", "exec", podNames.get(i), "tc", "filter", "show", "dev", "eth0", "ingress");
                String back = exec(
                        "ip", "netns", "exec", podNames.get(i), "tc", "filter", "show", "dev", ep.tap(), "ingress");
                String eth0 = exec("ip", "-n", podNames.get(i), "-o", "-4", "addr", "show", "dev", "eth0");
                if (tap == null
                        || !tap.contains("tun")
                        || wire == null
                        || !wire.contains("Egress Redirect to device " + ep.tap())
                        || back == null
                        || !back.contains("Egress Redirect to device eth0")
                        || !back.contains("match 00000043/0000ffff at 20")
                        || eth0 == null
                        || !eth0.isBlank()) {
                    problems.add("pod " + i + ": tap " + ep.tap()
                            + " is missing or not wired to eth0 both ways (DHCP kept), or eth0 kept its address");
                    ok = false;
                }
                continue;
            }
            String shown = exec("ip", "-n", podNames.get(i), "-o", "-4", "addr", "show", "dev", "eth0");
            if (shown == null || !shown.contains("inet " + ep.address())) {
                problems.add("pod " + i + ": eth0 does not hold " + ep.address() + ": " + shown);
                ok = false;
            }
            if (o.linkLocalGateway()) {
                // nothing holds the link-local gateway (169.254.1.1): the pod-to-pod pings below go through it
                continue;
            }
            if (!ping(podNames.get(i), gateway)) {
                problems.add("pod " + i + " (" + ip + ") cannot ping the gateway " + gateway);
                ok = false;
            }
            if (o.ipv6() && !ping(podNames.get(i), GATEWAY6)) {
                problems.add("pod " + i + " (" + ep.address6() + ") cannot ping the IPv6 gateway " + GATEWAY6);
                ok = false;
            }
        }
        if (pods > 1 && !vm) {
            int[][] pairs = {{0, pods - 1}, {1, pods / 2}};
            for (int[] p : pairs) {
                if (p[0] == p[1] || endpoints[p[0]] == null || endpoints[p[1]] == null) {
                    continue;
                }
                List<String> targets =
                        new ArrayList<>(List.of(endpoints[p[1]].address().split("/")[0]));
                if (o.ipv6()) {
                    targets.add(endpoints[p[1]].address6().split("/")[0]);
                }
                for (String target : targets) {
                    if (!ping(podNames.get(p[0]), target)) {
                        problems.add("pod " + p[0] + " cannot ping pod " + p[1] + " (" + target + ")");
                        ok = false;
                    }
                }
            }
        }
        return ok;
    }

    private static List<LinkMessage> hostLinks(SandboxFixture sandbox) {
        return sandbox.links().stream()
                .filter(l -> l.name() != null && HOST_LINK.matcher(l.name()).matches())
                .toList();
    }

    private static boolean ping(String netns, String target) {
        // a sandbox bridge port forwards at once (no STP), but ARP may need a retry
        return exec("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "2", target) != null
                || exec("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "2", target) != null;
    }

    /** Runs a command; its stdout, or null when it failed. */
    private static String exec(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? output : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
