package dev.podnet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.EndpointCheck;
import dev.podnet.dataplane.EndpointOperationException;
import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.EndpointUpdate;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.NetworkInUseException;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The network and endpoint model: lookups, check, attach and detach, update. */
@KernelTest
class EndpointModelTest extends DataplaneTestBase {
    @Test
    @SuppressWarnings("unchecked")
    void aPodOnTwoNetworksHasOneDefaultRouteAndEachNetworksRoutesAndDns(Sandbox sandbox, Dataplane dp)
            throws Exception {
        String pod = sandbox.newNamespace("two");
        // besides "pods" (bridge 198.18.0.0/16, default route), a second, dual-stack ptp network: no default route,
        // a route of each family, DNS
        create(
                dp,
                NetworkSpec.ptp("back", "198.19.0.0/24")
                        .withIpv6("fd00:19::/64")
                        .withDefaultRoute(false)
                        .withRoute("198.20.0.0/24", null)
                        .withRoute("fd00:20::/64", "fd00:19::1")
                        .withDns(
                                List.of("198.19.0.53"),
                                "cluster.local",
                                List.of("svc.cluster.local"),
                                List.of("ndots:5")));
        add(dp, "pods", "two1", pod);
        dp.endpoints()
                .add(EndpointSpec.of("back", "two1", NetNs.named(pod)).withIfName("eth1"))
                .block(T);
        String routes4 = Sandbox.ipIn(pod, "-4", "route");
        String routes6 = Sandbox.ipIn(pod, "-6", "route");
        assertEquals(1, routes4.lines().filter(l -> l.startsWith("default")).count(), routes4);
        assertTrue(routes4.contains("default via 198.18.0.1 dev eth0"), routes4);
        assertTrue(
                routes4.contains("198.19.0.0/24 via 198.19.0.1 dev eth1"),
                "the second network's subnet through its interface: " + routes4);
        assertTrue(
                routes4.contains("198.20.0.0/24 via 198.19.0.1 dev eth1"),
                "the network's route, via its gateway: " + routes4);
        assertTrue(routes6.contains("fd00:20::/64 via fd00:19::1 dev eth1"), routes6);
        assertFalse(routes6.contains("default"), "no IPv6 default route from a network without one: " + routes6);
        ping(pod, "198.18.0.1");
        ping(pod, "198.19.0.1");

        Endpoint back = dp.endpoints().get("two1", "eth1").block(T);
        assertEquals(List.of("198.20.0.0/24 via 198.19.0.1", "fd00:20::/64 via fd00:19::1"), back.routes(), "recorded");
        assertTrue(dp.endpoints().check("two1", "eth1").block(T).consistent());
        Map<String, Object> cni = CniResult.of(back, dp.networks().get("back").block(T));
        List<Map<String, Object>> ifs = (List<Map<String, Object>>) cni.get("interfaces");
        assertEquals(back.hostIfName(), ifs.get(0).get("name"));
        assertTrue(
                ((String) ifs.get(0).get("mac")).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"),
                "host interface with its MAC: " + ifs.get(0));
        assertTrue(Sandbox.run("ip", "-n", sandbox.name(), "link", "show", back.hostIfName())
                .contains((String) ifs.get(0).get("mac")));
        assertEquals(
                List.of("198.20.0.0/24", "fd00:20::/64"),
                ((List<Map<String, Object>>) cni.get("routes"))
                        .stream().map(r -> r.get("dst")).toList());
        assertEquals(
                Map.of(
                        "nameservers",
                        List.of("198.19.0.53"),
                        "domain",
                        "cluster.local",
                        "search",
                        List.of("svc.cluster.local"),
                        "options",
                        List.of("ndots:5")),
                cni.get("dns"));

        // a third network that wants the default route too: said plainly, nothing made
        String third = sandbox.newNamespace("third");
        create(dp, NetworkSpec.bridge("side", "pnbr2", "198.21.0.0/24"));
        List<String> before = linkNames(sandbox);
        assertInvalid(
                "already has a default route (through another interface)",
                () -> dp.endpoints()
                        .add(EndpointSpec.of("side", "two1", NetNs.named(pod)).withIfName("eth2")));
        assertEquals(before, linkNames(sandbox));
        assertEquals(0, dp.ipam().reservedCount("side"));
        assertFalse(Sandbox.ipIn(pod, "-br", "link").contains("eth2"));
        add(dp, "side", "other", third);
        dp.endpoints().remove("other", "eth0").block(T);

        // removing one endpoint leaves the other whole
        dp.endpoints().remove("two1", "eth0").block(T);
        assertTrue(dp.endpoints().check("two1", "eth1").block(T).consistent());
        assertTrue(Sandbox.ipIn(pod, "-4", "route").contains("198.20.0.0/24 via 198.19.0.1 dev eth1"));
        ping(pod, "198.19.0.1");
        dp.endpoints().remove("two1", "eth1").block(T);
        assertNoHostLinks(sandbox);
    }

    @Test
    void endpointsAreFoundByPodContainerNetnsAndNetworkAndANetworkInUseIsKept(Sandbox sandbox, Dataplane dp)
            throws Exception {
        String p0 = sandbox.newNamespace("w0");
        String p1 = sandbox.newNamespace("w1");
        String p2 = sandbox.newNamespace("d0");
        dp.endpoints()
                .add(EndpointSpec.of("pods", "aaaaaaaa11", NetNs.named(p0)).withPod("web-0", "default"))
                .block(T);
        dp.endpoints()
                .add(EndpointSpec.of("pods", "bbbbbbbb22", NetNs.named(p1)).withPod("web-1", "default"))
                .block(T);
        dp.endpoints()
                .add(EndpointSpec.of("pods", "cccccccc33", NetNs.named(p2)).withPod("db-0", "data"))
                .block(T);

        assertEquals(
                2,
                dp.endpoints()
                        .find(EndpointQuery.byPodPrefix("web-", "default"))
                        .count()
                        .block(T));
        assertEquals(
                0,
                dp.endpoints()
                        .find(EndpointQuery.byPodPrefix("web-", "data"))
                        .count()
                        .block(T));
        assertEquals(
                "cccccccc33",
                dp.endpoints()
                        .find(EndpointQuery.byPod("db-0", "data"))
                        .blockFirst(T)
                        .containerId());
        assertEquals(
                "bbbbbbbb22",
                dp.endpoints()
                        .find(EndpointQuery.byId("bbbbbbbb22/eth0"))
                        .blockFirst(T)
                        .containerId());
        assertEquals(
                1,
                dp.endpoints()
                        .find(EndpointQuery.byContainer("aaaaaaaa11"))
                        .count()
                        .block(T));
        assertEquals(
                "aaaaaaaa11",
                dp.endpoints()
                        .find(EndpointQuery.byNetns("/run/netns/" + p0))
                        .blockFirst(T)
                        .containerId());
        assertEquals(3, dp.endpoints().count("pods").block(T));
        assertEquals(
                List.of("pods"),
                dp.networks().list().map(n -> n.name()).collectList().block(T));

        NetworkInUseException inUse = assertThrows(
                NetworkInUseException.class,
                () -> dp.networks().delete("pods", false).block(T));
        assertEquals(3, inUse.endpoints());
        assertTrue(inUse.getMessage().contains("network pods still has 3 endpoints"), inUse.getMessage());
        assertTrue(sandbox.ip("-o", "link").contains("pnbr0"), "refused: nothing touched");

        dp.networks().delete("pods", true).block(T);
        assertFalse(sandbox.ip("-o", "link").contains("pnbr0"), "the bridge is gone");
        assertNoHostLinks(sandbox);
        assertEquals(0, dp.endpoints().list().count().block(T));
        assertEquals(0, dp.networks().list().count().block(T));
        dp.networks().delete("pods", false).block(T); // absent: fine
    }

    @Test
    void checkNamesEveryDifferenceBetweenRecordAndKernel(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod = sandbox.newNamespace("p");
        Endpoint ep = add(dp, "pods", "checked", pod);
        assertConsistent(dp, "checked");

        // the host end: down, tag changed, MAC and MTU changed (check is the oracle of the recovery tests)
        String hostMac = dp.endpoints().get("checked", "eth0").block(T).hostMac();
        assertFalse(hostMac.isEmpty(), "the host end's MAC is recorded");
        sandbox.ip("link", "set", ep.hostIfName(), "down");
        sandbox.ip("link", "set", ep.hostIfName(), "alias", "someone-else");
        sandbox.ip("link", "set", ep.hostIfName(), "address", "02:00:00:00:aa:01");
        EndpointCheck host = dp.endpoints().check("checked", "eth0").block(T);
        assertTrue(host.differences().contains("host link " + ep.hostIfName() + " is down"), host.toString());
        assertTrue(
                host.differences()
                        .contains("host link " + ep.hostIfName()
                                + " is tagged 'someone-else', not 'podnet:pods:checked/eth0'"),
                host.toString());
        assertTrue(
                host.differences()
                        .contains("host link " + ep.hostIfName() + " has MAC 02:00:00:00:aa:01, the record says "
                                + hostMac),
                host.toString());
        sandbox.ip("link", "set", ep.hostIfName(), "address", hostMac, "alias", "podnet:pods:checked/eth0", "up");
        dp.endpoints().update("checked", "eth0", EndpointUpdate.mtu(1400)).block(T);
        sandbox.ip("link", "set", ep.hostIfName(), "mtu", "1450");
        Sandbox.ipIn(pod, "link", "set", "eth0", "mtu", "1420");
        EndpointCheck mtu = dp.endpoints().check("checked", "eth0").block(T);
        assertEquals(
                List.of(
                        "host link " + ep.hostIfName() + " has MTU 1450, the record says 1400",
                        "eth0 in /run/netns/" + pod + " has MTU 1420, the record says 1400"),
                mtu.differences());

        Sandbox.ipIn(pod, "addr", "flush", "dev", "eth0");
        sandbox.ip("link", "set", ep.hostIfName(), "nomaster");
        EndpointCheck bad = dp.endpoints().check("checked", "eth0").block(T);
        assertFalse(bad.consistent());
        assertTrue(
                bad.differences().contains("host link " + ep.hostIfName() + " is not a port of bridge pnbr0"),
                bad.toString());
        assertTrue(bad.differences().contains("eth0 in /run/netns/" + pod + " lacks 198.18.0.2/16"), bad.toString());
        assertTrue(
                bad.differences().contains("eth0 in /run/netns/" + pod + " has no default route via 198.18.0.1"),
                bad.toString());

        sandbox.ip("link", "del", ep.hostIfName());
        EndpointCheck gone = dp.endpoints().check("checked", "eth0").block(T);
        assertTrue(gone.differences().contains("host link " + ep.hostIfName() + " is missing"), gone.toString());
        assertTrue(gone.differences().contains("eth0 in /run/netns/" + pod + " is missing"), gone.toString());
        assertThrows(
                InvalidSpecException.class,
                () -> dp.endpoints().check("never", "eth0").block(T));
        dp.endpoints().remove("checked", "eth0").block(T);
    }

    @Test
    void endpointsAttachToOneSandboxAtATime(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod = sandbox.newNamespace("p");
        add(dp, "pods", "attach01", pod);
        assertEquals(
                "sandbox-a",
                dp.endpoints().attach("attach01", "eth0", "sandbox-a").block(T).sandboxKey());
        dp.endpoints().attach("attach01", "eth0", "sandbox-a").block(T); // again: fine
        assertInvalid("is attached to sandbox sandbox-a", () -> dp.endpoints().attach("attach01", "eth0", "sandbox-b"));
        assertNull(dp.endpoints().detach("attach01", "eth0").block(T).sandboxKey(), "detached");
        assertEquals(
                "sandbox-b",
                dp.endpoints().attach("attach01", "eth0", "sandbox-b").block(T).sandboxKey());
        assertEquals(
                "sandbox-b", dp.endpoints().get("attach01", "eth0").block(T).sandboxKey(), "persisted");
        assertThrows(
                InvalidSpecException.class,
                () -> dp.endpoints().attach("nobody", "eth0", "x").block(T));
        assertThrows(
                InvalidSpecException.class,
                () -> dp.endpoints().attach("attach01", "eth0", " ").block(T));
        // attached: a remove is refused (detach first), unless forced
        assertInvalid(
                "is attached to sandbox sandbox-b; detach it first",
                () -> dp.endpoints().remove("attach01", "eth0"));
        assertEquals(
                EndpointState.READY,
                dp.endpoints().get("attach01", "eth0").block(T).state(),
                "refused: nothing touched");
        dp.endpoints().remove("attach01", "eth0", true).block(T);
        assertEquals(null, dp.endpoints().get("attach01", "eth0").block(T));
    }

    @Test
    void anUpdateChangesMtuAndRoutesOrUndoesItself(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod = sandbox.newNamespace("p");
        Endpoint ep = add(dp, "pods", "update01", pod);
        dp.endpoints()
                .update("update01", "eth0", EndpointUpdate.mtu(1400).withRoute("198.20.0.0/24", "198.18.0.1"))
                .block(T);
        assertTrue(Sandbox.ipIn(pod, "-o", "link", "show", "eth0").contains("mtu 1400"));
        assertTrue(sandbox.ip("-o", "link", "show", ep.hostIfName()).contains("mtu 1400"));
        assertTrue(Sandbox.ipIn(pod, "route", "show").contains("198.20.0.0/24 via 198.18.0.1 dev eth0"));
        Endpoint updated = dp.endpoints().get("update01", "eth0").block(T);
        assertEquals(1400, updated.mtu(), "the record follows the kernel");
        assertEquals(List.of("198.20.0.0/24 via 198.18.0.1"), updated.routes());
        assertConsistent(dp, "update01");

        // the second route's gateway is unreachable: everything this update did is undone
        EndpointOperationException e = assertThrows(
                EndpointOperationException.class,
                () -> dp.endpoints()
                        .update(
                                "update01",
                                "eth0",
                                EndpointUpdate.mtu(1300)
                                        .withRoute("198.21.0.0/24", "198.18.0.1")
                                        .withRoute("198.22.0.0/24", "198.30.0.1"))
                        .block(T));
        NetlinkException cause = assertInstanceOf(NetlinkException.class, e.getCause());
        assertEquals("ENETUNREACH", cause.errnoName());
        assertTrue(Sandbox.ipIn(pod, "-o", "link", "show", "eth0").contains("mtu 1400"), "MTU restored");
        assertTrue(sandbox.ip("-o", "link", "show", ep.hostIfName()).contains("mtu 1400"), "host MTU restored");
        String routes = Sandbox.ipIn(pod, "route", "show");
        assertFalse(routes.contains("198.21.0.0"), "the route added before the failure was removed: " + routes);
        assertTrue(routes.contains("198.20.0.0/24"), "the earlier update stays");
        assertEquals(
                updated,
                dp.endpoints().get("update01", "eth0").block(T),
                "a failed update leaves the record as it was");

        // IPv6 routes too, on a dual-stack endpoint; check notices a route that went away
        create(dp, NetworkSpec.bridge("dual", "pnbr6", "198.19.96.0/24").withIpv6("fd00:18::/64"));
        String pod6 = sandbox.newNamespace("p6");
        add(dp, "dual", "update06", pod6);
        dp.endpoints()
                .update("update06", "eth0", new EndpointUpdate(0, List.of()).withRoute("fd00:20::/64", "fd00:18::1"))
                .block(T);
        assertTrue(Sandbox.ipIn(pod6, "-6", "route", "show").contains("fd00:20::/64 via fd00:18::1 dev eth0"));
        Sandbox.ipIn(pod6, "-6", "route", "del", "fd00:20::/64");
        EndpointCheck lost = dp.endpoints().check("update06", "eth0").block(T);
        assertEquals(
                List.of("eth0 in /run/netns/" + pod6 + " lacks route fd00:20::/64 via fd00:18::1"), lost.differences());
        dp.endpoints().remove("update06", "eth0").block(T);
        assertThrows(
                InvalidSpecException.class,
                () -> dp.endpoints()
                        .update("update01", "eth0", EndpointUpdate.mtu(40))
                        .block(T));
        assertThrows(
                InvalidSpecException.class,
                () -> dp.endpoints()
                        .update("ghost", "eth0", EndpointUpdate.mtu(1400))
                        .block(T));
        dp.endpoints().remove("update01", "eth0").block(T);
    }
}
