package dev.podnet.api;

import dev.podnet.dataplane.endpoint.EndpointSteps;
import dev.podnet.dataplane.endpoint.EndpointState;
import dev.podnet.dataplane.endpoint.HostNames;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** State across restarts, reboots and crashes, and reconciliation with the kernel. */
@KernelTest
class RecoveryTest extends DataplaneTestBase {
    @Test
    void stateSurvivesReopening(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        String pod2 = sandbox.newNamespace("q");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        Endpoint a = dp.add(EndpointSpec.of("pods", "persist", NetNs.named(pod))).block(T);
        dp.close().block(T);
        Dataplane again = Dataplane.open(DataplaneOptions.of(state).hostNetns(NetNs.named(sandbox.name())).maxEndpoints(1024)).block(T);
        try {
            assertEquals(EndpointState.READY, again.get("persist", "eth0").block(T).state());
            assertEquals(1, again.reservedAddresses("pods"));
            Endpoint b = again.add(EndpointSpec.of("pods", "second", NetNs.named(pod2)).withIfName("eth1")).block(T);
            assertNotEquals(a.address(), b.address());
            again.remove("persist", "eth0").block(T);
            again.remove("second", "eth1").block(T);
            assertEquals(0, again.reservedAddresses("pods"));
        } finally {
            again.close().block(T);
        }
    }

    @Test
    void anAddCutShortByADeathIsRedoneCleanlyNextTime(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        // the first process "dies" right after the veth exists: no rollback ever runs
        Dataplane first = open(sandbox, step -> step.equals("create-veth") ? Mono.never() : Mono.empty());
        first.add(EndpointSpec.of("pods", "crashy", NetNs.named(pod))).subscribe(null, abandoned -> { });
        String hostIf = HostNames.hostIfName("crashy", "eth0");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!sandbox.ip("-o", "link").contains(hostIf) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(EndpointState.CREATING, first.get("crashy", "eth0").block(T).state());
        first.close().block(T);

        Dataplane second = Dataplane.open(DataplaneOptions.of(state).hostNetns(NetNs.named(sandbox.name())).maxEndpoints(1024)).block(T);
        try {
            Endpoint ep = second.add(EndpointSpec.of("pods", "crashy", NetNs.named(pod))).block(T);
            assertEquals(EndpointState.READY, second.get("crashy", "eth0").block(T).state());
            assertEquals(1, second.reservedAddresses("pods"), "the reservation of the first attempt is reused, not doubled");
            Sandbox.run("ip", "netns", "exec", pod, "ping", "-c1", "-W2", "198.18.0.1");
            assertEquals("198.18.0.2/16", ep.address());
            second.remove("crashy", "eth0").block(T);
            assertNothingLeft(sandbox, pod, second);
        } finally {
            second.close().block(T);
        }
    }

    @Test
    void afterARebootEndpointsAndReservationsAreDroppedAndNetworksRecreated(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        Endpoint ep = dp.add(EndpointSpec.of("pods", "beforeboot", NetNs.named(pod))).block(T);
        dp.close().block(T);
        // what a reboot does to the kernel, in the sandbox: the links are gone; and the boot id changes
        sandbox.ip("link", "del", ep.hostIfName());
        sandbox.ip("link", "del", "pnbr0");
        java.nio.file.Files.writeString(state.resolve("boot-id"), "an-earlier-boot\n");

        Dataplane again = Dataplane.open(DataplaneOptions.of(state).hostNetns(NetNs.named(sandbox.name())).maxEndpoints(1024)).block(T);
        try {
            assertTrue(again.openedAfterReboot());
            assertEquals(0, again.endpoints().count().block(T), "endpoint records dropped");
            assertEquals(0, again.reservedAddresses("pods"), "reservations dropped");
            assertTrue(sandbox.ip("-o", "addr", "show", "dev", "pnbr0").contains("198.18.0.1/16"), "network re-created");
            Endpoint fresh = again.add(EndpointSpec.of("pods", "afterboot", NetNs.named(pod))).block(T);
            assertEquals("198.18.0.2/16", fresh.address(), "the address is free again");
            again.remove("afterboot", "eth0").block(T);
        } finally {
            again.close().block(T);
        }
        java.nio.file.Files.writeString(state.resolve("boot-id"), "another-boot\n");
        Dataplane cleared = Dataplane.open(DataplaneOptions.of(state).hostNetns(NetNs.named(sandbox.name())).maxEndpoints(1024)
                .clearOnReboot(true)).block(T);
        try {
            assertEquals(0, cleared.networks().count().block(T), "clearOnReboot forgets the networks too");
        } finally {
            cleared.close().block(T);
        }
    }

    @Test
    void reconcileRollsBackLeftoversReleasesVanishedAndDeletesOrphans(Sandbox sandbox) throws Exception {
        String pA = sandbox.newNamespace("a");
        String pB = sandbox.newNamespace("b");
        String pC = sandbox.newNamespace("c");
        // B's add "dies" after create-veth, in a first process
        Dataplane first = open(sandbox, step -> step.equals("create-veth") ? Mono.never() : Mono.empty());
        first.add(EndpointSpec.of("pods", "keeper", NetNs.named(pA))).subscribe(null, abandoned -> { });
        first.add(EndpointSpec.of("pods", "leftover", NetNs.named(pB))).subscribe(null, abandoned -> { });
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!sandbox.ip("-o", "link").contains(HostNames.hostIfName("leftover", "eth0")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        first.close().block(T);
        Dataplane dp = Dataplane.open(DataplaneOptions.of(state).hostNetns(NetNs.named(sandbox.name())).maxEndpoints(1024)).block(T);
        try {
            // keeper's add also "died": redo it properly; then C is added and its link vanishes
            dp.remove("keeper", "eth0").block(T);
            dp.add(EndpointSpec.of("pods", "keeper", NetNs.named(pA))).block(T);
            Endpoint c = dp.add(EndpointSpec.of("pods", "vanished", NetNs.named(pC))).block(T);
            sandbox.ip("link", "del", c.hostIfName());
            // and an orphan: a link tagged by podnet with no record
            sandbox.ip("link", "add", "pnorphan0", "type", "veth", "peer", "name", "pnorphan1");
            sandbox.ip("link", "set", "pnorphan0", "alias", "podnet:ghost/eth0");

            ReconcileReport dry = dp.reconcile(true).block(T);
            assertTrue(dry.dryRun());
            assertEquals(3, dry.actions().size(), dry.actions().toString());
            assertTrue(dry.actions().stream().anyMatch(a -> a.startsWith("rolled back leftover/eth0 (CREATING): deleted link ")), dry.toString());
            assertTrue(dry.actions().stream().anyMatch(a -> a.startsWith("released vanished/eth0: its host link")), dry.toString());
            assertTrue(dry.actions().contains("deleted orphan link pnorphan0 (tagged podnet:ghost/eth0, no record)"), dry.toString());
            assertTrue(sandbox.ip("-o", "link").contains("pnorphan0"), "a dry run changes nothing");
            assertEquals(3, dp.endpoints().count().block(T));

            ReconcileReport done = dp.reconcile(false).block(T);
            assertEquals(dry.actions().stream().sorted().toList(), done.actions().stream().sorted().toList());
            String links = sandbox.ip("-o", "link");
            assertFalse(links.contains("pnorphan0") || links.contains(HostNames.hostIfName("leftover", "eth0")), links);
            assertEquals(List.of("keeper"), dp.endpoints().map(r -> r.containerId()).collectList().block(T));
            assertEquals(1, dp.reservedAddresses("pods"), "only keeper's address is still reserved");
            assertTrue(dp.reconcile(false).block(T).clean(), "a second run finds nothing");
            dp.remove("keeper", "eth0").block(T);
        } finally {
            dp.close().block(T);
        }
    }
}
