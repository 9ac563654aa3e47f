package dev.podnet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.EndpointCheck;
import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.EndpointUpdate;
import dev.podnet.dataplane.ReconcileReport;
import dev.podnet.dataplane.internal.endpoint.HostNames;
import dev.podnet.dataplane.internal.engine.StepObserver;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** State across restarts, reboots and crashes, and reconciliation with the kernel. */
@KernelTest
class RecoveryTest extends DataplaneTestBase {
    @Test
    void stateSurvivesReopening(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        String pod2 = sandbox.newNamespace("q");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        Endpoint a = add(dp, "pods", "persist", pod);
        dp.close();
        try (Dataplane again = reopen(sandbox)) {
            assertEquals(
                    EndpointState.READY,
                    again.endpoints().get("persist", "eth0").block(T).state());
            assertEquals(1, again.ipam().reservedCount("pods"));
            Endpoint b = again.endpoints()
                    .add(EndpointSpec.of("pods", "second", NetNs.named(pod2)).withIfName("eth1"))
                    .block(T);
            assertNotEquals(a.address(), b.address());
            again.endpoints().remove("persist", "eth0").block(T);
            again.endpoints().remove("second", "eth1").block(T);
            assertEquals(0, again.ipam().reservedCount("pods"));
        }
    }

    @Test
    void anAddCutShortByADeathIsRedoneCleanlyNextTime(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        // the first process "dies" right after the veth exists: no rollback ever runs
        Dataplane first = open(sandbox, step -> step.equals("create-veth") ? Mono.never() : Mono.empty());
        first.endpoints()
                .add(EndpointSpec.of("pods", "crashy", NetNs.named(pod)))
                .subscribe(null, abandoned -> {});
        String hostIf = HostNames.hostIfName("crashy", "eth0");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!sandbox.ip("-o", "link").contains(hostIf) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(
                EndpointState.CREATING,
                first.endpoints().get("crashy", "eth0").block(T).state());
        first.close();

        try (Dataplane second = reopen(sandbox)) {
            // reconciliation on open rolled the cut-short add back
            assertTrue(
                    second.reconciler().openReport().actions().stream()
                            .anyMatch(a -> a.startsWith("rolled back crashy/eth0 (CREATING): deleted link " + hostIf
                                    + ", released 198.18.0.2/16")),
                    second.reconciler().openReport().toString());
            assertFalse(sandbox.ip("-o", "link").contains(hostIf));
            assertEquals(0, second.ipam().reservedCount("pods"));
            Endpoint ep = add(second, "pods", "crashy", pod);
            assertEquals(
                    EndpointState.READY,
                    second.endpoints().get("crashy", "eth0").block(T).state());
            assertEquals(1, second.ipam().reservedCount("pods"));
            ping(pod, "198.18.0.1");
            assertEquals("198.18.0.3/16", ep.address(), "round-robin goes on past the released address");
            second.endpoints().remove("crashy", "eth0").block(T);
            assertNothingLeft(sandbox, pod, second);
        }
    }

    @Test
    void afterARebootEndpointsAndReservationsAreDroppedAndNetworksRecreated(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        Endpoint ep = add(dp, "pods", "beforeboot", pod);
        dp.close();
        // what a reboot does to the kernel, in the sandbox: the links are gone; and the boot id changes
        sandbox.ip("link", "del", ep.hostIfName());
        sandbox.ip("link", "del", "pnbr0");
        java.nio.file.Files.writeString(state.resolve("boot-id"), "an-earlier-boot\n");

        try (Dataplane again = reopen(sandbox)) {
            assertTrue(again.reconciler().openedAfterReboot());
            assertEquals(0, again.endpoints().list().count().block(T), "endpoint records dropped");
            assertEquals(0, again.ipam().reservedCount("pods"), "reservations dropped");
            assertTrue(
                    sandbox.ip("-o", "addr", "show", "dev", "pnbr0").contains("198.18.0.1/16"), "network re-created");
            Endpoint fresh = add(again, "pods", "afterboot", pod);
            assertEquals("198.18.0.2/16", fresh.address(), "the address is free again");
            again.endpoints().remove("afterboot", "eth0").block(T);
        }
        java.nio.file.Files.writeString(state.resolve("boot-id"), "another-boot\n");
        try (Dataplane cleared =
                Dataplane.open(options(sandbox).clearOnReboot(true)).block(T)) {
            assertEquals(0, cleared.networks().list().count().block(T), "clearOnReboot forgets the networks too");
        }
    }

    @Test
    void reconcileRollsBackLeftoversReleasesVanishedAndDeletesOrphans(Sandbox sandbox) throws Exception {
        String pA = sandbox.newNamespace("a");
        String pB = sandbox.newNamespace("b");
        String pC = sandbox.newNamespace("c");
        // B's add "dies" after create-veth, in a first process
        Dataplane first = open(sandbox, step -> step.equals("create-veth") ? Mono.never() : Mono.empty());
        first.endpoints()
                .add(EndpointSpec.of("pods", "keeper", NetNs.named(pA)))
                .subscribe(null, abandoned -> {});
        first.endpoints()
                .add(EndpointSpec.of("pods", "leftover", NetNs.named(pB)))
                .subscribe(null, abandoned -> {});
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!sandbox.ip("-o", "link").contains(HostNames.hostIfName("leftover", "eth0"))
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        first.close();
        // opened without reconciliation, to see what reconcile makes of the leftovers
        try (Dataplane dp =
                Dataplane.open(options(sandbox).reconcileOnOpen(false)).block(T)) {
            assertEquals(null, dp.reconciler().openReport());
            // keeper's add also "died": redo it properly; then C is added and its link vanishes
            dp.endpoints().remove("keeper", "eth0").block(T);
            add(dp, "pods", "keeper", pA);
            Endpoint c = add(dp, "pods", "vanished", pC);
            sandbox.ip("link", "del", c.hostIfName());
            // and an orphan: a link tagged by podnet with no record
            sandbox.ip("link", "add", "pnorphan0", "type", "veth", "peer", "name", "pnorphan1");
            sandbox.ip("link", "set", "pnorphan0", "alias", "podnet:pods:ghost/eth0");
            // and one of a network not attached here: left alone
            sandbox.ip("link", "add", "pnelse0", "type", "veth", "peer", "name", "pnelse1");
            sandbox.ip("link", "set", "pnelse0", "alias", "podnet:elsewhere:ghost/eth1");

            ReconcileReport dry = dp.reconciler().run(true).block(T);
            assertTrue(dry.dryRun());
            assertEquals(3, dry.actions().size(), dry.actions().toString());
            assertTrue(
                    dry.actions().stream()
                            .anyMatch(a -> a.startsWith("rolled back leftover/eth0 (CREATING): deleted link ")),
                    dry.toString());
            assertTrue(
                    dry.actions().stream().anyMatch(a -> a.startsWith("released vanished/eth0: its host link")),
                    dry.toString());
            assertTrue(
                    dry.actions().stream()
                            .anyMatch(a -> a.startsWith("deleted orphan link pnorphan0 (tagged podnet:pods:ghost/eth0, "
                                    + "no record): its sandbox namespace is not pinned under")),
                    dry.toString());
            assertEquals(
                    List.of(
                            "left link pnelse0 (tagged podnet:elsewhere:ghost/eth1, no record) alone: its network elsewhere "
                                    + "is not attached here"),
                    dry.notes());
            assertTrue(sandbox.ip("-o", "link").contains("pnorphan0"), "a dry run changes nothing");
            assertEquals(3, dp.endpoints().list().count().block(T));

            ReconcileReport done = dp.reconciler().run(false).block(T);
            assertEquals(
                    dry.actions().stream().sorted().toList(),
                    done.actions().stream().sorted().toList());
            String links = sandbox.ip("-o", "link");
            assertFalse(links.contains("pnorphan0") || links.contains(HostNames.hostIfName("leftover", "eth0")), links);
            assertTrue(links.contains("pnelse0"), links);
            assertEquals(
                    List.of("keeper"),
                    dp.endpoints()
                            .list()
                            .map(r -> r.containerId())
                            .collectList()
                            .block(T));
            assertEquals(1, dp.ipam().reservedCount("pods"), "only keeper's address is still reserved");
            assertTrue(dp.reconciler().run(false).block(T).clean(), "a second run finds nothing");
            dp.endpoints().remove("keeper", "eth0").block(T);
        }
    }

    /** What cannot be rebuilt from the kernel: the host end's MAC, its sandbox key, when it was made. */
    private static final Set<String> NOT_IN_THE_KERNEL = Set.of("hostMac", "sandboxKey", "created");

    /** A record's fields by name, without those {@link #NOT_IN_THE_KERNEL}. */
    private static Map<String, Object> comparable(Endpoint r) {
        Map<String, Object> fields = new TreeMap<>();
        for (RecordComponent c : Endpoint.class.getRecordComponents()) {
            if (!NOT_IN_THE_KERNEL.contains(c.getName())) {
                try {
                    fields.put(c.getName(), c.getAccessor().invoke(r));
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return fields;
    }

    /** Three endpoints of every kind: bridge with pod name, MTU and an extra route; ptp dual stack; VM. */
    private Map<String, Map<String, Object>> populate(Sandbox sandbox, Dataplane dp) throws Exception {
        create(dp, NetworkSpec.ptp("p2p6", "198.19.0.0/24").withIpv6("fd00:19::/64"));
        dp.endpoints()
                .add(EndpointSpec.of("pods", "kept0001", NetNs.named(sandbox.newNamespace("k1")))
                        .withPod("web-0", "shop")
                        .withMtu(1400))
                .block(T);
        dp.endpoints()
                .update("kept0001", "eth0", EndpointUpdate.mtu(0).withRoute("198.20.0.0/24", "198.18.0.1"))
                .block(T);
        dp.endpoints()
                .add(EndpointSpec.of("p2p6", "kept0002", NetNs.named(sandbox.newNamespace("k2"))))
                .block(T);
        dp.endpoints()
                .add(EndpointSpec.of("pods", "kept0003", NetNs.named(sandbox.newNamespace("k3")))
                        .withVm(true))
                .block(T);
        Map<String, Map<String, Object>> before = comparableRecords(dp);
        assertEquals(3, before.size());
        return before;
    }

    /** Every record by id, each without what cannot be rebuilt from the kernel. */
    private static Map<String, Map<String, Object>> comparableRecords(Dataplane dp) {
        Map<String, Map<String, Object>> records = new TreeMap<>();
        for (Endpoint r : dp.endpoints().list().toIterable()) {
            records.put(r.id(), comparable(r));
        }
        return records;
    }

    /** The networks {@link #populate} uses, declared again (as a runtime does on every start). */
    private static void declareNetworksAgain(Dataplane dp) {
        create(dp, NetworkSpec.bridge("pods", "pnbr0", "198.18.0.0/16"));
        create(dp, NetworkSpec.ptp("p2p6", "198.19.0.0/24").withIpv6("fd00:19::/64"));
    }

    private Map<String, Map<String, Object>> populateAndClose(Sandbox sandbox) throws Exception {
        try (Dataplane dp = open(sandbox, StepObserver.NONE)) {
            return populate(sandbox, dp);
        }
    }

    private Dataplane reopen(Sandbox sandbox) {
        return Dataplane.open(options(sandbox)).block(T);
    }

    private static void removeKept(Dataplane dp) {
        for (String k : List.of("kept0001", "kept0002", "kept0003")) {
            dp.endpoints().remove(k, "eth0").block(T);
        }
    }

    private static void assertRebuilt(Map<String, Map<String, Object>> before, Dataplane dp) {
        Map<String, Map<String, Object>> after = comparableRecords(dp);
        assertEquals(before, after, "every record rebuilt from the kernel, field for field");
        for (Endpoint r : dp.endpoints().list().toIterable()) {
            EndpointCheck c = dp.endpoints().check(r.containerId(), r.ifName()).block(T);
            assertTrue(c.consistent(), c.toString());
        }
        assertEquals(
                Map.of("198.18.0.2", "kept0001/eth0", "198.18.0.3", "kept0003/eth0"),
                dp.ipam().reservations("pods"));
        assertEquals(
                Map.of("198.19.0.2", "kept0002/eth0", "fd00:19::2", "kept0002/eth0"),
                dp.ipam().reservations("p2p6"));
    }

    @Test
    void aLostMapIsRebuiltFromTheKernelTagsOnOpen(Sandbox sandbox) throws Exception {
        Map<String, Map<String, Object>> before = populateAndClose(sandbox);
        for (String f : List.of("endpoints.dat", "ipam-reservations.dat", "ipam-positions.dat")) {
            java.nio.file.Files.delete(state.resolve(f));
        }
        // as an add cut between configure-pod and port-up leaves it: the pod whole, its bridge port down
        String port = dev.podnet.dataplane.internal.endpoint.HostNames.hostIfName("kept0001", "eth0");
        sandbox.ip("link", "set", port, "down");
        try (Dataplane again = reopen(sandbox)) {
            assertEquals(
                    3,
                    again.reconciler().openReport().actions().stream()
                            .filter(a -> a.startsWith("adopted link "))
                            .count(),
                    again.reconciler().openReport().toString());
            assertEquals(
                    1,
                    again.reconciler().openReport().actions().stream()
                            .filter(a -> a.contains(port) && a.endsWith("host end brought up"))
                            .count(),
                    again.reconciler().openReport().toString());
            assertRebuilt(before, again);
            // the rebuilt IPAM hands out no address twice
            Endpoint next = again.endpoints()
                    .add(EndpointSpec.of("pods", "fresh001", NetNs.named(sandbox.newNamespace("f"))))
                    .block(T);
            assertEquals("198.18.0.4/16", next.address());
            for (String k : List.of("kept0001", "kept0002", "kept0003", "fresh001")) {
                again.endpoints().remove(k, "eth0").block(T);
            }
            assertNoHostLinks(sandbox);
        }
    }

    @Test
    void aTruncatedMapIsMovedAsideAndRebuilt(Sandbox sandbox) throws Exception {
        Map<String, Map<String, Object>> before = populateAndClose(sandbox);
        try (var ch = java.nio.channels.FileChannel.open(
                state.resolve("endpoints.dat"), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(100);
        }
        try (Dataplane again = reopen(sandbox)) {
            assertTrue(
                    again.reconciler().stateDamaged() != null
                            && again.reconciler().stateDamaged().contains("moved to " + state.resolve("damaged-")),
                    String.valueOf(again.reconciler().stateDamaged()));
            assertRebuilt(before, again);
            removeKept(again);
        }
    }

    @Test
    void aDeletedStateDirectoryComesBackWhenTheNetworksAreDeclaredAgain(Sandbox sandbox) throws Exception {
        Map<String, Map<String, Object>> before = populateAndClose(sandbox);
        try (var files = java.nio.file.Files.walk(state)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        }
        try (Dataplane again = reopen(sandbox)) {
            assertEquals(0, again.endpoints().list().count().block(T));
            assertEquals(
                    3,
                    again.reconciler().openReport().notes().size(),
                    "the links are left alone while their networks are unknown: "
                            + again.reconciler().openReport());
            declareNetworksAgain(again);
            assertRebuilt(before, again);
            removeKept(again);
        }
    }

    @Test
    void statelessModeDerivesEverythingFromTheKernel(Sandbox sandbox) throws Exception {
        DataplaneOptions opts = DataplaneOptions.stateless()
                .hostNetns(NetNs.named(sandbox.name()))
                .maxEndpoints(1024);
        Map<String, Map<String, Object>> before;
        try (Dataplane dp = Dataplane.open(opts).block(T)) {
            create(dp, NetworkSpec.bridge("pods", "pnbr0", "198.18.0.0/16"));
            before = populate(sandbox, dp);
        }
        try (Dataplane again = Dataplane.open(opts).block(T)) {
            assertEquals(
                    0,
                    again.networks().list().count().block(T),
                    "nothing on disk: networks are declared on every start");
            declareNetworksAgain(again);
            assertRebuilt(before, again);
            removeKept(again);
            assertNoHostLinks(sandbox);
        }
    }

    @Test
    void aStaleLockFileOfADeadOwnerDoesNotBlock(Sandbox sandbox) throws Exception {
        java.nio.file.Files.createDirectories(state);
        java.nio.file.Files.writeString(state.resolve("lock"), "999999999\n");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            assertEquals(
                    ProcessHandle.current().pid() + "",
                    java.nio.file.Files.readString(state.resolve("lock")).strip());
            dev.podnet.dataplane.internal.state.StateInUseException busy = assertThrows(
                    dev.podnet.dataplane.internal.state.StateInUseException.class,
                    () -> dev.podnet.dataplane.internal.state.StateStore.open(state, 1024));
            assertTrue(
                    busy.getMessage()
                            .contains("is in use by pid "
                                    + ProcessHandle.current().pid()),
                    busy.getMessage());
        } finally {
            dp.close();
        }
    }
}
