package dev.podnet.api;

import dev.podnet.dataplane.endpoint.EndpointRecord;
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

/** The network and endpoint model: lookups, check, attach and detach, update. */
@KernelTest
class EndpointModelTest extends DataplaneTestBase {
    @Test
    void endpointsAreFoundByPodContainerNetnsAndNetworkAndANetworkInUseIsKept(Sandbox sandbox) throws Exception {
        String p0 = sandbox.newNamespace("w0");
        String p1 = sandbox.newNamespace("w1");
        String p2 = sandbox.newNamespace("d0");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            dp.add(EndpointSpec.of("pods", "aaaaaaaa11", NetNs.named(p0)).withPod("web-0", "default")).block(T);
            dp.add(EndpointSpec.of("pods", "bbbbbbbb22", NetNs.named(p1)).withPod("web-1", "default")).block(T);
            dp.add(EndpointSpec.of("pods", "cccccccc33", NetNs.named(p2)).withPod("db-0", "data")).block(T);

            assertEquals(2, dp.find(EndpointQuery.byPodPrefix("web-", "default")).count().block(T));
            assertEquals(0, dp.find(EndpointQuery.byPodPrefix("web-", "data")).count().block(T));
            assertEquals("cccccccc33", dp.find(EndpointQuery.byPod("db-0", "data")).blockFirst(T).containerId());
            assertEquals("bbbbbbbb22", dp.find(EndpointQuery.byId("bbbbbbbb-eth0")).blockFirst(T).containerId());
            assertEquals(1, dp.find(EndpointQuery.byContainer("aaaaaaaa11")).count().block(T));
            assertEquals("aaaaaaaa11", dp.find(EndpointQuery.byNetns("/run/netns/" + p0)).blockFirst(T).containerId());
            assertEquals(3, dp.countEndpoints("pods").block(T));
            assertEquals(List.of("pods"), dp.networks().map(n -> n.name()).collectList().block(T));

            NetworkInUseException inUse = assertThrows(NetworkInUseException.class, () -> dp.deleteNetwork("pods", false).block(T));
            assertEquals(3, inUse.endpoints());
            assertTrue(inUse.getMessage().contains("network pods still has 3 endpoints"), inUse.getMessage());
            assertTrue(sandbox.ip("-o", "link").contains("pnbr0"), "refused: nothing touched");

            dp.deleteNetwork("pods", true).block(T);
            assertFalse(sandbox.ip("-o", "link").contains("pnbr0"), "the bridge is gone");
            assertNoHostLinks(sandbox);
            assertEquals(0, dp.endpoints().count().block(T));
            assertEquals(0, dp.networks().count().block(T));
            dp.deleteNetwork("pods", false).block(T); // absent: fine
        } finally {
            dp.close().block(T);
        }
    }

    @Test
    void checkNamesEveryDifferenceBetweenRecordAndKernel(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            Endpoint ep = dp.add(EndpointSpec.of("pods", "checked", NetNs.named(pod))).block(T);
            EndpointCheck ok = dp.check("checked", "eth0").block(T);
            assertTrue(ok.consistent(), ok.differences().toString());

            Sandbox.ipIn(pod, "addr", "flush", "dev", "eth0");
            sandbox.ip("link", "set", ep.hostIfName(), "nomaster");
            EndpointCheck bad = dp.check("checked", "eth0").block(T);
            assertFalse(bad.consistent());
            assertTrue(bad.differences().contains("host link " + ep.hostIfName() + " is not a port of bridge pnbr0"), bad.toString());
            assertTrue(bad.differences().contains("eth0 in /run/netns/" + pod + " lacks 198.18.0.2/16"), bad.toString());
            assertTrue(bad.differences().contains("eth0 in /run/netns/" + pod + " has no default route via 198.18.0.1"), bad.toString());

            sandbox.ip("link", "del", ep.hostIfName());
            EndpointCheck gone = dp.check("checked", "eth0").block(T);
            assertTrue(gone.differences().contains("host link " + ep.hostIfName() + " is missing"), gone.toString());
            assertTrue(gone.differences().contains("eth0 in /run/netns/" + pod + " is missing"), gone.toString());
            assertThrows(InvalidSpecException.class, () -> dp.check("never", "eth0").block(T));
            dp.remove("checked", "eth0").block(T);
        } finally {
            dp.close().block(T);
        }
    }

    @Test
    void endpointsAttachToOneSandboxAtATime(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            dp.add(EndpointSpec.of("pods", "attach01", NetNs.named(pod))).block(T);
            assertEquals("sandbox-a", dp.attach("attach01", "eth0", "sandbox-a").block(T).sandboxKey());
            dp.attach("attach01", "eth0", "sandbox-a").block(T); // again: fine
            InvalidSpecException busy = assertThrows(InvalidSpecException.class, () -> dp.attach("attach01", "eth0", "sandbox-b").block(T));
            assertTrue(busy.getMessage().contains("is attached to sandbox sandbox-a"), busy.getMessage());
            assertEquals("", dp.detach("attach01", "eth0").block(T).sandboxKey());
            assertEquals("sandbox-b", dp.attach("attach01", "eth0", "sandbox-b").block(T).sandboxKey());
            assertEquals("sandbox-b", dp.get("attach01", "eth0").block(T).sandboxKey(), "persisted");
            assertThrows(InvalidSpecException.class, () -> dp.attach("nobody", "eth0", "x").block(T));
            assertThrows(InvalidSpecException.class, () -> dp.attach("attach01", "eth0", " ").block(T));
            dp.remove("attach01", "eth0").block(T);
        } finally {
            dp.close().block(T);
        }
    }

    @Test
    void anUpdateChangesMtuAndRoutesOrUndoesItself(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            Endpoint ep = dp.add(EndpointSpec.of("pods", "update01", NetNs.named(pod))).block(T);
            dp.update("update01", "eth0", EndpointUpdate.mtu(1400).withRoute("198.20.0.0/24", "198.18.0.1")).block(T);
            assertTrue(Sandbox.ipIn(pod, "-o", "link", "show", "eth0").contains("mtu 1400"));
            assertTrue(sandbox.ip("-o", "link", "show", ep.hostIfName()).contains("mtu 1400"));
            assertTrue(Sandbox.ipIn(pod, "route", "show").contains("198.20.0.0/24 via 198.18.0.1 dev eth0"));
            EndpointRecord updated = dp.get("update01", "eth0").block(T);
            assertEquals(1400, updated.mtu(), "the record follows the kernel");
            assertEquals(List.of("198.20.0.0/24 via 198.18.0.1"), updated.routes());
            EndpointCheck ok = dp.check("update01", "eth0").block(T);
            assertTrue(ok.consistent(), ok.toString());

            // the second route's gateway is unreachable: everything this update did is undone
            EndpointOperationException e = assertThrows(EndpointOperationException.class, () -> dp.update("update01", "eth0",
                    EndpointUpdate.mtu(1300).withRoute("198.21.0.0/24", "198.18.0.1").withRoute("198.22.0.0/24", "198.30.0.1")).block(T));
            NetlinkException cause = assertInstanceOf(NetlinkException.class, e.getCause());
            assertEquals("ENETUNREACH", cause.errnoName());
            assertTrue(Sandbox.ipIn(pod, "-o", "link", "show", "eth0").contains("mtu 1400"), "MTU restored");
            assertTrue(sandbox.ip("-o", "link", "show", ep.hostIfName()).contains("mtu 1400"), "host MTU restored");
            String routes = Sandbox.ipIn(pod, "route", "show");
            assertFalse(routes.contains("198.21.0.0"), "the route added before the failure was removed: " + routes);
            assertTrue(routes.contains("198.20.0.0/24"), "the earlier update stays");
            assertEquals(updated, dp.get("update01", "eth0").block(T), "a failed update leaves the record as it was");

            // IPv6 routes too, on a dual-stack endpoint; check notices a route that went away
            dp.createNetwork(NetworkSpec.bridge("dual", "pnbr6", "198.18.96.0/24").withIpv6("fd00:18::/64")).block(T);
            String pod6 = sandbox.newNamespace("p6");
            dp.add(EndpointSpec.of("dual", "update06", NetNs.named(pod6))).block(T);
            dp.update("update06", "eth0", new EndpointUpdate(0, List.of()).withRoute("fd00:20::/64", "fd00:18::1")).block(T);
            assertTrue(Sandbox.ipIn(pod6, "-6", "route", "show").contains("fd00:20::/64 via fd00:18::1 dev eth0"));
            Sandbox.ipIn(pod6, "-6", "route", "del", "fd00:20::/64");
            EndpointCheck lost = dp.check("update06", "eth0").block(T);
            assertEquals(List.of("eth0 in /run/netns/" + pod6 + " lacks route fd00:20::/64 via fd00:18::1"), lost.differences());
            dp.remove("update06", "eth0").block(T);
            assertThrows(InvalidSpecException.class, () -> dp.update("update01", "eth0", EndpointUpdate.mtu(40)).block(T));
            assertThrows(InvalidSpecException.class, () -> dp.update("ghost", "eth0", EndpointUpdate.mtu(1400)).block(T));
            dp.remove("update01", "eth0").block(T);
        } finally {
            dp.close().block(T);
        }
    }
}
