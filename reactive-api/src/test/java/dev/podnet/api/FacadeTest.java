package dev.podnet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.engine.StepObserver;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.PodnetException;
import dev.podnet.netlink.events.NetlinkEvent;
import dev.podnet.netlink.events.RouteGroup;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * The facade as an embedder sees it: the handles return API types that say what the kernel holds,
 * {@code events} reports the host namespace's link changes while subscribed, and {@code close}
 * releases everything the dataplane opened (its state directory can be opened again at once).
 */
@KernelTest
class FacadeTest extends DataplaneTestBase {
    @Test
    void handlesReturnApiTypesAndCloseReleasesTheState(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        try (Dataplane dp = open(sandbox, StepObserver.NONE)) {
            Network pods = dp.networks().get("pods").block(T);
            assertEquals(NetworkMode.BRIDGE, pods.mode());
            assertEquals("pnbr0", pods.bridge());
            assertEquals("198.18.0.1", pods.gateway());
            String index = sandbox.ip("-o", "link", "show", "pnbr0").split(":", 2)[0];
            assertEquals(Integer.parseInt(index), pods.bridgeIndex(), "the bridge's ifindex as the kernel has it");

            Endpoint ep = dp.endpoints()
                    .add(EndpointSpec.of("pods", "facade01", NetNs.named(pod)))
                    .block(T);
            assertEquals("198.18.0.2/16", ep.address());
            assertEquals(ep, dp.endpoints().get("facade01", "eth0").block(T));
            assertEquals(
                    List.of(ep),
                    dp.endpoints()
                            .find(EndpointQuery.byNetwork("pods"))
                            .collectList()
                            .block(T));
            assertEquals(1, dp.ipam().reservedCount("pods"));
            assertEquals("facade01/eth0", dp.ipam().reservations("pods").get("198.18.0.2"));

            // every failure podnet raises has one root
            PodnetException bad = assertThrows(
                    PodnetException.class,
                    () -> dp.networks()
                            .create(NetworkSpec.bridge("pods", "pnbr0", "198.19.0.0/16"))
                            .block(T));
            assertTrue(bad instanceof InvalidSpecException, bad.toString());
            dp.endpoints().remove("facade01", "eth0").block(T);
        }
        // closed: the state directory's lock is free, so another dataplane opens it at once
        Dataplane again = Dataplane.open(DataplaneOptions.of(state)
                        .hostNetns(NetNs.named(sandbox.name()))
                        .lockWait(java.time.Duration.ZERO))
                .block(T);
        try {
            assertEquals(
                    List.of("pods"),
                    again.networks().list().map(Network::name).collectList().block(T));
            assertEquals(0, again.endpoints().list().count().block(T));
        } finally {
            again.close();
        }
        // closing again (a try-with-resources after an explicit close) returns at once
        long t0 = System.nanoTime();
        again.close();
        again.closeAsync().block(T);
        assertTrue(System.nanoTime() - t0 < java.time.Duration.ofSeconds(5).toNanos(), "a second close returns");
        assertNoHostLinks(sandbox);
    }

    @Test
    void eventsReportTheHostNamespacesLinkChangesWhileSubscribed(Dataplane dp) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Disposable watching = dp.events(EnumSet.of(RouteGroup.LINK)).subscribe(e -> {
            if (e instanceof NetlinkEvent.Notification n && n.message() instanceof LinkMessage l) {
                seen.add(l.name());
            }
        });
        try {
            // the subscription opens its socket asynchronously: make links until one is seen
            long deadline = System.nanoTime() + T.toNanos();
            int i = 0;
            while (!seen.contains("evbr" + (i - 1)) && System.nanoTime() < deadline) {
                create(dp, NetworkSpec.bridge("ev" + i, "evbr" + i, "198.19." + i + ".0/24"));
                i++;
                Thread.sleep(50);
            }
            assertTrue(seen.contains("evbr" + (i - 1)), "link events seen: " + seen);
        } finally {
            watching.dispose();
        }
    }
}
