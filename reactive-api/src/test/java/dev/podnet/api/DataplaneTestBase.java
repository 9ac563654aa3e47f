package dev.podnet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.podnet.dataplane.internal.endpoint.HostNames;
import dev.podnet.dataplane.internal.engine.StepObserver;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.testing.Sandbox;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** What the kernel tests of the {@link Dataplane} share: a state directory, a dataplane on the sandbox, leak checks. */
abstract class DataplaneTestBase {
    static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path state;

    Dataplane open(Sandbox sandbox, StepObserver observer) {
        Dataplane dp = Dataplane.open(DataplaneOptions.of(state)
                        .hostNetns(NetNs.named(sandbox.name()))
                        .withObserver(observer)
                        .maxEndpoints(1024))
                .block(T);
        dp.networks()
                .create(NetworkSpec.bridge("pods", "pnbr0", "198.18.0.0/16"))
                .block(T);
        return dp;
    }

    /** Deletes the endpoint and reservation maps, as a lost store, and opens again: what the kernel holds is adopted. */
    Dataplane reopenWithoutMaps(Sandbox sandbox) throws Exception {
        java.nio.file.Files.delete(state.resolve("endpoints.dat"));
        java.nio.file.Files.delete(state.resolve("ipam-reservations.dat"));
        return Dataplane.open(DataplaneOptions.of(state).hostNetns(NetNs.named(sandbox.name())))
                .block(T);
    }

    /** {@code containerId}'s {@code eth0} in the namespace {@code pod}, added to {@code network}. */
    static Endpoint add(Dataplane dp, String network, String containerId, String pod) {
        return dp.endpoints()
                .add(EndpointSpec.of(network, containerId, NetNs.named(pod)))
                .block(T);
    }

    /** One ping from inside {@code pod} to {@code address}; fails unless the answer comes within two seconds. */
    static void ping(String pod, String address) throws IOException {
        Sandbox.run("ip", "netns", "exec", pod, "ping", "-c1", "-W2", address);
    }

    /** {@link #ping} over IPv6. */
    static void ping6(String pod, String address) throws IOException {
        Sandbox.run("ip", "netns", "exec", pod, "ping", "-6", "-c1", "-W2", address);
    }

    static void assertNoHostLinks(Sandbox sandbox) throws Exception {
        String links = sandbox.ip("-o", "link");
        assertFalse(
                java.util.regex.Pattern.compile("\\b" + HostNames.PREFIX + "[0-9a-f]{12}\\b")
                        .matcher(links)
                        .find(),
                links);
    }

    /**
     * No trace of an endpoint, read with iproute2 and from the state: no host link (nor a route through
     * one) in the sandbox, no interface, address or route of either family in the pod, no reservation
     * in any network, no record.
     */
    static void assertNothingLeft(Sandbox sandbox, String pod, Dataplane dp) throws Exception {
        assertNoHostLinks(sandbox);
        String podLinks = Sandbox.ipIn(pod, "-o", "link");
        assertFalse(podLinks.contains("eth0"), podLinks);
        assertFalse(podLinks.contains("tapeth0") || podLinks.contains("breth0"), podLinks);
        assertEquals("", Sandbox.ipIn(pod, "-o", "-4", "addr", "show", "scope", "global"));
        assertEquals("", Sandbox.ipIn(pod, "-o", "-6", "addr", "show", "scope", "global"));
        for (String family : new String[] {"-4", "-6"}) {
            String routes = sandbox.ip(family, "route", "show", "table", "all");
            assertFalse(
                    java.util.regex.Pattern.compile("dev " + HostNames.PREFIX + "[0-9a-f]{12}\\b")
                            .matcher(routes)
                            .find(),
                    "no route through a host link left: " + routes);
        }
        for (String network :
                dp.networks().list().map(n -> n.name()).collectList().block(T)) {
            assertEquals(java.util.Map.of(), dp.ipam().reservations(network), "no reservation left in " + network);
        }
        assertEquals(0, dp.endpoints().list().count().block(T));
    }

    /** The sandbox's link names, sorted (states change on their own: a bridge without ports loses its carrier). */
    static List<String> linkNames(Sandbox sandbox) throws Exception {
        return sandbox.ip("-o", "link")
                .lines()
                .map(l -> l.split(": ")[1].split("@")[0])
                .sorted()
                .toList();
    }
}
