package dev.podnet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.EndpointCheck;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.internal.endpoint.HostNames;
import dev.podnet.dataplane.internal.engine.StepObserver;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.testing.Sandbox;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * What the kernel tests of the {@link Dataplane} share: a state directory, a dataplane on the sandbox, leak checks.
 * A test that declares a {@link Dataplane} parameter gets one as {@link #open(Sandbox, StepObserver)} makes it
 * (network "pods" created), closed after the test before the sandbox goes.
 */
abstract class DataplaneTestBase {
    static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path state;

    private Sandbox sandbox;
    private final List<Dataplane> injected = new ArrayList<>();

    @RegisterExtension
    final ParameterResolver dataplaneParameter = new ParameterResolver() {
        @Override
        public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
            return p.getParameter().getType() == Dataplane.class;
        }

        @Override
        public Object resolveParameter(ParameterContext p, ExtensionContext e) {
            Dataplane dp = open(sandbox, StepObserver.NONE);
            injected.add(dp);
            return dp;
        }
    };

    /** The test's sandbox (the same one its own {@code Sandbox} parameter gets), for the injected dataplane. */
    @BeforeEach
    void useSandbox(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    @AfterEach
    void closeInjectedDataplanes() {
        for (Dataplane dp : injected) {
            dp.close();
        }
    }

    /** Options on the sandbox as host namespace and this test's state directory. */
    DataplaneOptions options(Sandbox sandbox) {
        return DataplaneOptions.of(state).hostNetns(NetNs.named(sandbox.name())).maxEndpoints(1024);
    }

    /** A dataplane on the sandbox, reporting each step to {@code observer}, with the bridge network "pods". */
    Dataplane open(Sandbox sandbox, StepObserver observer) {
        Dataplane dp = Dataplane.open(options(sandbox).withObserver(observer)).block(T);
        create(dp, NetworkSpec.bridge("pods", "pnbr0", "198.18.0.0/16"));
        return dp;
    }

    /** Deletes the endpoint and reservation maps, as a lost store, and opens again: what the kernel holds is adopted. */
    Dataplane reopenWithoutMaps(Sandbox sandbox) throws Exception {
        java.nio.file.Files.delete(state.resolve("endpoints.dat"));
        java.nio.file.Files.delete(state.resolve("ipam-reservations.dat"));
        return Dataplane.open(DataplaneOptions.of(state).hostNetns(NetNs.named(sandbox.name())))
                .block(T);
    }

    /** The network {@code spec} describes, created. */
    static Network create(Dataplane dp, NetworkSpec spec) {
        return dp.networks().create(spec).block(T);
    }

    /** {@code containerId}'s {@code eth0} in the namespace {@code pod}, added to {@code network}. */
    static Endpoint add(Dataplane dp, String network, String containerId, String pod) {
        return dp.endpoints()
                .add(EndpointSpec.of(network, containerId, NetNs.named(pod)))
                .block(T);
    }

    /** Fails unless {@code request} is refused as an invalid spec with a message that says {@code says}. */
    static InvalidSpecException assertInvalid(String says, Supplier<Mono<?>> request) {
        InvalidSpecException e =
                assertThrows(InvalidSpecException.class, () -> request.get().block(T));
        assertTrue(e.getMessage().contains(says), says + " not in: " + e.getMessage());
        return e;
    }

    /** {@code containerId}'s {@code eth0} as the kernel has it matches its record. */
    static void assertConsistent(Dataplane dp, String containerId) {
        EndpointCheck check = dp.endpoints().check(containerId, "eth0").block(T);
        assertTrue(check.consistent(), check.toString());
    }

    /** Removes each container's {@code eth0}; then nothing of them is left ({@link #assertNothingLeft}). */
    static void removeAllLeavingNothing(Sandbox sandbox, String pod, Dataplane dp, String... containerIds)
            throws Exception {
        for (String id : containerIds) {
            dp.endpoints().remove(id, "eth0").block(T);
        }
        assertNothingLeft(sandbox, pod, dp);
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
