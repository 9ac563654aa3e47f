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

@KernelTest
class DataplaneTest {
    static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path state;

    Dataplane open(Sandbox sandbox, StepObserver observer) {
        Dataplane dp = Dataplane.open(DataplaneOptions.of(state).hostNetns(NetNs.named(sandbox.name())).observer(observer)
                .maxEndpoints(1024)).block(T);
        dp.createNetwork(NetworkSpec.bridge("pods", "pnbr0", "198.18.0.0/16")).block(T);
        return dp;
    }

    @Test
    void addPlugsThePodInAndRemoveTakesEverythingAway(Sandbox sandbox) throws Exception {
        String pod1 = sandbox.newNamespace("p1");
        String pod2 = sandbox.newNamespace("p2");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            Endpoint a = dp.add(EndpointSpec.of("pods", "c0ffee01", NetNs.named(pod1)).withMtu(1400)).block(T);
            Endpoint b = dp.add(EndpointSpec.of("pods", "c0ffee02", NetNs.named(pod2))).block(T);
            assertEquals("198.18.0.2/16", a.address());
            assertEquals("198.18.0.3/16", b.address());
            assertEquals("198.18.0.1", a.gateway());

            // the kernel, read back with iproute2
            String eth0 = Sandbox.ipIn(pod1, "-o", "addr", "show", "dev", "eth0");
            assertTrue(eth0.contains("inet 198.18.0.2/16 brd 198.18.255.255"), eth0);
            String link = Sandbox.ipIn(pod1, "-o", "link", "show", "dev", "eth0");
            assertTrue(link.contains("mtu 1400") && link.contains("state UP") && link.contains(a.mac()), link);
            assertFalse(Sandbox.ipIn(pod1, "-o", "-6", "addr", "show", "dev", "eth0").contains("fe80"),
                    "IPv4-only network: no IPv6 link-local on the pod side");
            String route = Sandbox.ipIn(pod1, "route", "show", "default");
            assertTrue(route.contains("default via 198.18.0.1 dev eth0"), route);
            String host = sandbox.ip("-o", "-d", "link", "show", "dev", a.hostIfName());
            assertTrue(host.contains("master pnbr0") && host.contains("state UP") && host.contains("veth"), host);
            assertTrue(host.contains("alias podnet:c0ffee01/eth0"), host);

            // traffic between namespaces we made
            Sandbox.run("ip", "netns", "exec", pod1, "ping", "-c1", "-W2", "198.18.0.1");
            Sandbox.run("ip", "netns", "exec", pod1, "ping", "-c1", "-W2", "198.18.0.3");

            dp.remove("c0ffee01", "eth0").block(T);
            dp.remove("c0ffee02", "eth0").block(T);
            assertFalse(Sandbox.ipIn(pod1, "-o", "link").contains("eth0"));
            assertNoHostLinks(sandbox);
            assertEquals(0, dp.reservedAddresses("pods"));
            assertEquals(0, dp.endpoints().count().block(T));
        } finally {
            dp.close().block(T);
        }
    }

    @Test
    void addIsIdempotentAndRemoveOfAnUnknownEndpointSucceeds(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            Endpoint first = dp.add(EndpointSpec.of("pods", "idem", NetNs.named(pod))).block(T);
            Endpoint again = dp.add(EndpointSpec.of("pods", "idem", NetNs.named(pod))).block(T);
            assertEquals(first, again);
            assertEquals(1, dp.reservedAddresses("pods"));
            dp.remove("never-added", "eth0").block(T);
            dp.remove("idem", "eth0").block(T);
            dp.remove("idem", "eth0").block(T);
            assertEquals(0, dp.reservedAddresses("pods"));
        } finally {
            dp.close().block(T);
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> steps() {
        return java.util.stream.Stream.of(
                EndpointSteps.BRIDGE.stream().map(s -> org.junit.jupiter.params.provider.Arguments.of("pods", false, s.name())),
                EndpointSteps.PTP.stream().map(s -> org.junit.jupiter.params.provider.Arguments.of("p2p", false, s.name())),
                EndpointSteps.VM.stream().map(s -> org.junit.jupiter.params.provider.Arguments.of("pods", true, s.name())))
                .flatMap(x -> x);
    }

    @ParameterizedTest(name = "{0} vm={1}: fail after {2}")
    @MethodSource("steps")
    void aFailureAfterAnyStepLeavesNothingBehind(String network, boolean vm, String failAfter, Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        Dataplane dp = open(sandbox, step -> step.equals(failAfter)
                ? Mono.error(new IllegalStateException("injected after " + step)) : Mono.empty());
        try {
            dp.createNetwork(NetworkSpec.ptp("p2p", "198.19.0.0/16")).block(T);
            EndpointOperationException e = assertThrows(EndpointOperationException.class,
                    () -> dp.add(EndpointSpec.of(network, "doomed", NetNs.named(pod)).withVm(vm)).block(T));
            assertTrue(e.getMessage().contains("injected after " + failAfter), e.getMessage());
            assertNothingLeft(sandbox, pod, dp);
        } finally {
            dp.close().block(T);
        }
    }

    @Test
    void ptpGivesEachPodARoutedLinkThroughTheHost(Sandbox sandbox) throws Exception {
        String pod1 = sandbox.newNamespace("p1");
        String pod2 = sandbox.newNamespace("p2");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            dp.createNetwork(NetworkSpec.ptp("p2p", "198.19.0.0/16")).block(T);
            Endpoint a = dp.add(EndpointSpec.of("p2p", "ptp00001", NetNs.named(pod1))).block(T);
            Endpoint b = dp.add(EndpointSpec.of("p2p", "ptp00002", NetNs.named(pod2))).block(T);
            assertEquals("198.19.0.2/16", a.address());
            assertEquals("198.19.0.1", a.gateway());

            String routes = Sandbox.ipIn(pod1, "route", "show");
            assertTrue(routes.contains("default via 198.19.0.1 dev eth0"), routes);
            assertTrue(routes.contains("198.19.0.0/16 via 198.19.0.1 dev eth0 src 198.19.0.2"), routes);
            assertTrue(routes.contains("198.19.0.1 dev eth0 scope link src 198.19.0.2"), routes);
            assertFalse(routes.contains("198.19.0.0/16 dev eth0"), "no on-link subnet route: " + routes);
            assertTrue(Sandbox.ipIn(pod1, "-o", "addr", "show", "dev", "eth0").contains("inet 198.19.0.2/16"));

            String hostAddr = sandbox.ip("-o", "addr", "show", "dev", a.hostIfName());
            assertTrue(hostAddr.contains("inet 198.19.0.1/32"), hostAddr);
            String hostRoutes = sandbox.ip("route", "show");
            assertTrue(hostRoutes.contains("198.19.0.2 dev " + a.hostIfName() + " scope link"), hostRoutes);
            assertTrue(hostRoutes.contains("198.19.0.3 dev " + b.hostIfName() + " scope link"), hostRoutes);
            assertFalse(sandbox.ip("-o", "-d", "link", "show", "dev", a.hostIfName()).contains("master"));
            assertEquals("1", sandbox.inside(() -> java.nio.file.Files.readString(
                    java.nio.file.Path.of("/proc/sys/net/ipv4/ip_forward")).strip()), "forwarding on in the sandbox host");

            Sandbox.run("ip", "netns", "exec", pod1, "ping", "-c1", "-W2", "198.19.0.1");
            Sandbox.run("ip", "netns", "exec", pod1, "ping", "-c1", "-W2", "198.19.0.3");

            dp.remove("ptp00001", "eth0").block(T);
            dp.remove("ptp00002", "eth0").block(T);
            assertNoHostLinks(sandbox);
            assertFalse(sandbox.ip("route", "show").contains("198.19.0.2"), "the host route went with the link");
            assertEquals(0, dp.reservedAddresses("p2p"));
        } finally {
            dp.close().block(T);
        }
    }

    @Test
    void bridgeOptionsHairpinMacFromIpAndUplink(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        sandbox.ip("link", "add", "up0", "type", "veth", "peer", "name", "up1");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            dp.createNetwork(NetworkSpec.bridge("opts", "pnbr1", "198.18.64.0/24").withHairpin(true).withMacFromIp(true)
                    .withUplink("up0")).block(T);
            assertTrue(sandbox.ip("-o", "link", "show", "up0").contains("master pnbr1"), "uplink enslaved");
            Endpoint ep = dp.add(EndpointSpec.of("opts", "hairy", NetNs.named(pod))).block(T);
            assertEquals("198.18.64.2/24", ep.address());
            assertEquals("0a:58:c6:12:40:02", ep.mac(), "0a:58 + 198.18.64.2");
            assertTrue(Sandbox.ipIn(pod, "-o", "link", "show", "eth0").contains("0a:58:c6:12:40:02"));
            String port = sandbox.ip("-o", "-d", "link", "show", ep.hostIfName());
            assertTrue(port.contains("hairpin on"), port);

            InvalidSpecException missing = assertThrows(InvalidSpecException.class, () -> dp.createNetwork(
                    NetworkSpec.bridge("nouplink", "pnbr2", "198.18.65.0/24").withUplink("ghost0")).block(T));
            assertTrue(missing.getMessage().contains("uplink ghost0 does not exist"), missing.getMessage());
            assertFalse(sandbox.ip("-o", "link").contains("pnbr2"), "the bridge made for it was removed again");
            assertThrows(InvalidSpecException.class, () -> dp.createNetwork(NetworkSpec.ptp("bad", "198.19.0.0/16").withHairpin(true)).block(T));
            dp.remove("hairy", "eth0").block(T);
        } finally {
            dp.close().block(T);
        }
    }

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
    void aStaticAddressRequestIsHonouredOrRefusedWithNothingLeft(Sandbox sandbox) throws Exception {
        String p1 = sandbox.newNamespace("p1");
        String p2 = sandbox.newNamespace("p2");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            Endpoint a = dp.add(EndpointSpec.of("pods", "static1", NetNs.named(p1))
                    .withAddress(dev.podnet.dataplane.ipam.Cidr.parseAddress("198.18.7.7", "ip"))).block(T);
            assertEquals("198.18.7.7/16", a.address());
            assertTrue(Sandbox.ipIn(p1, "-o", "addr", "show", "dev", "eth0").contains("inet 198.18.7.7/16"));
            InvalidSpecException taken = assertThrows(InvalidSpecException.class, () -> dp.add(EndpointSpec.of("pods", "static2",
                    NetNs.named(p2)).withAddress(dev.podnet.dataplane.ipam.Cidr.parseAddress("198.18.7.7", "ip"))).block(T));
            assertTrue(taken.getMessage().contains("198.18.7.7 is already reserved by static1/eth0"), taken.getMessage());
            InvalidSpecException outside = assertThrows(InvalidSpecException.class, () -> dp.add(EndpointSpec.of("pods", "static2",
                    NetNs.named(p2)).withAddress(dev.podnet.dataplane.ipam.Cidr.parseAddress("198.19.0.9", "ip"))).block(T));
            assertTrue(outside.getMessage().contains("not in any range"), outside.getMessage());
            assertFalse(Sandbox.ipIn(p2, "-o", "link").contains("eth0"), "refused: nothing made");
            assertEquals(1, dp.reservedAddresses("pods"));
            dp.remove("static1", "eth0").block(T);
        } finally {
            dp.close().block(T);
        }
    }

    @Test
    void aVmEndpointHandsItsInterfaceToATapThroughASandboxBridge(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("vm");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            Endpoint ep = dp.add(EndpointSpec.of("pods", "virtlet1", NetNs.named(pod)).withVm(true)).block(T);
            assertEquals("tapeth0", ep.tap());
            assertEquals("198.18.0.2/16", ep.address());
            String tap = Sandbox.ipIn(pod, "-o", "-d", "link", "show", "tapeth0");
            assertTrue(tap.contains("tun") && tap.contains("master breth0"), tap);
            String eth0 = Sandbox.ipIn(pod, "-o", "-d", "link", "show", "eth0");
            assertTrue(eth0.contains("master breth0"), eth0);
            assertFalse(eth0.contains(ep.mac()), "the VM takes eth0's MAC; eth0 gets another: " + eth0);
            assertEquals("", Sandbox.ipIn(pod, "-o", "-4", "addr", "show", "dev", "eth0"), "the address went to the VM");
            assertFalse(Sandbox.ipIn(pod, "route", "show").contains("default"), "and so did the default route");
            assertTrue(Sandbox.ipIn(pod, "-o", "link", "show", "breth0").contains("UP"));
            InvalidSpecException ptp = assertThrows(InvalidSpecException.class, () -> {
                dp.createNetwork(NetworkSpec.ptp("p2p", "198.19.0.0/16")).block(T);
                dp.add(EndpointSpec.of("p2p", "virtlet2", NetNs.named(pod)).withIfName("eth1").withVm(true)).block(T);
            });
            assertTrue(ptp.getMessage().contains("needs a bridge network"), ptp.getMessage());

            dp.remove("virtlet1", "eth0").block(T);
            String left = Sandbox.ipIn(pod, "-o", "link");
            assertFalse(left.contains("tapeth0") || left.contains("breth0") || left.contains("eth0"), left);
            assertNoHostLinks(sandbox);
        } finally {
            dp.close().block(T);
        }
    }

    @Test
    void dualStackPodsTalkIpv6WithoutLinkLocalAddresses(Sandbox sandbox) throws Exception {
        String p1 = sandbox.newNamespace("d1");
        String p2 = sandbox.newNamespace("d2");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            dp.createNetwork(NetworkSpec.bridge("dual", "pnbr6", "198.18.96.0/24").withIpv6("fd00:18::/64")).block(T);
            assertTrue(sandbox.ip("-o", "-6", "addr", "show", "dev", "pnbr6").contains("inet6 fd00:18::1/64"));
            Endpoint a = dp.add(EndpointSpec.of("dual", "dual0001", NetNs.named(p1))).block(T);
            Endpoint b = dp.add(EndpointSpec.of("dual", "dual0002", NetNs.named(p2))).block(T);
            assertEquals("198.18.96.2/24", a.address());
            assertEquals("fd00:18::2/64", a.address6());
            assertEquals("fd00:18::1", dev.podnet.netlink.route.IprouteNames.address(
                    dev.podnet.dataplane.ipam.Cidr.parseAddress(a.gateway6(), "gw")));
            String v6 = Sandbox.ipIn(p1, "-o", "-6", "addr", "show", "dev", "eth0");
            assertTrue(v6.contains("inet6 fd00:18::2/64"), v6);
            assertFalse(v6.contains("fe80"), "no link-local address: " + v6);
            assertTrue(Sandbox.ipIn(p1, "-6", "route", "show").contains("default via fd00:18::1 dev eth0"));
            Sandbox.run("ip", "netns", "exec", p1, "ping", "-6", "-c1", "-W2", "fd00:18::1");
            Sandbox.run("ip", "netns", "exec", p1, "ping", "-6", "-c1", "-W2", b.address6().split("/")[0]);
            Sandbox.run("ip", "netns", "exec", p1, "ping", "-c1", "-W2", "198.18.96.3");
            String cni = CniResult.json(dp.get("dual0001", "eth0").block(T));
            assertTrue(cni.contains("\"address\":\"fd00:18::2/64\"") && cni.contains("\"dst\":\"::/0\""), cni);
            assertEquals(4, dp.reservedAddresses("dual"));
            dp.remove("dual0001", "eth0").block(T);
            dp.remove("dual0002", "eth0").block(T);
            assertEquals(0, dp.reservedAddresses("dual"));
            assertThrows(InvalidSpecException.class, () -> dp.createNetwork(NetworkSpec.ptp("p6", "198.19.0.0/16").withIpv6("fd00:19::/64")).block(T));
            assertThrows(InvalidSpecException.class, () -> dp.createNetwork(NetworkSpec.bridge("x6", "pnbr7", "198.18.97.0/24").withIpv6("198.18.98.0/24")).block(T));
        } finally {
            dp.close().block(T);
        }
    }

    @Test
    void ipv6AddressesCanBeDerivedFromTheMac(Sandbox sandbox) throws Exception {
        String p1 = sandbox.newNamespace("m1");
        String p2 = sandbox.newNamespace("m2");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            dp.createNetwork(NetworkSpec.bridge("macv6", "pnbr8", "198.18.99.0/24").withIpv6FromMac("fd00:77::/64")).block(T);
            Endpoint a = dp.add(EndpointSpec.of("macv6", "macv6001", NetNs.named(p1))
                    .withMac(dev.podnet.dataplane.link.MacAddress.parse("02:42:c6:12:63:02"))).block(T);
            Endpoint b = dp.add(EndpointSpec.of("macv6", "macv6002", NetNs.named(p2))).block(T);
            assertEquals("fd00:77::242:c612:6302/64", a.address6(), "prefix + the MAC in the last 48 bits");
            assertTrue(Sandbox.ipIn(p1, "-o", "-6", "addr", "show", "dev", "eth0").contains("inet6 fd00:77::242:c612:6302/64"));
            Sandbox.run("ip", "netns", "exec", p1, "ping", "-6", "-c1", "-W2", b.address6().split("/")[0]);
            assertEquals(2, dp.reservedAddresses("macv6"), "only the IPv4 addresses come from IPAM");
            InvalidSpecException tooLong = assertThrows(InvalidSpecException.class, () -> dp.createNetwork(
                    NetworkSpec.bridge("macv6b", "pnbr9", "198.18.98.0/24").withIpv6FromMac("fd00:78::/96")).block(T));
            assertTrue(tooLong.getMessage().contains("at least 48 host bits are needed"), tooLong.getMessage());
            dp.remove("macv6001", "eth0").block(T);
            dp.remove("macv6002", "eth0").block(T);
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
            assertThrows(InvalidSpecException.class, () -> dp.update("update01", "eth0", EndpointUpdate.mtu(40)).block(T));
            assertThrows(InvalidSpecException.class, () -> dp.update("ghost", "eth0", EndpointUpdate.mtu(1400)).block(T));
            dp.remove("update01", "eth0").block(T);
        } finally {
            dp.close().block(T);
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

    @Test
    void aKernelErrorIsReportedWithErrnoAndRolledBack(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            // the host end's name is taken by something else: the veth cannot be created
            sandbox.ip("link", "add", HostNames.hostIfName("clash", "eth0"), "type", "bridge");
            EndpointOperationException e = assertThrows(EndpointOperationException.class,
                    () -> dp.add(EndpointSpec.of("pods", "clash", NetNs.named(pod))).block(T));
            NetlinkException cause = assertInstanceOf(NetlinkException.class, e.getCause());
            assertEquals("EEXIST", cause.errnoName());
            assertTrue(e.getMessage().contains("RTM_NEWLINK " + HostNames.hostIfName("clash", "eth0") + " (veth)"), e.getMessage());
            assertEquals(0, dp.reservedAddresses("pods"));
            assertEquals(0, dp.endpoints().count().block(T));
            assertFalse(Sandbox.ipIn(pod, "-o", "link").contains("eth0"));
        } finally {
            dp.close().block(T);
        }
    }

    @Test
    void cancellingAnAddMidwayRollsItBack(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        java.util.concurrent.CountDownLatch reachedVeth = new java.util.concurrent.CountDownLatch(1);
        // hold the add right after the veth exists, long enough to cancel it there
        Dataplane dp = open(sandbox, step -> step.equals("create-veth")
                ? Mono.delay(Duration.ofMillis(300)).doOnSubscribe(s -> reachedVeth.countDown()).then() : Mono.empty());
        try {
            var subscription = dp.add(EndpointSpec.of("pods", "cancelme", NetNs.named(pod))).subscribe();
            assertTrue(reachedVeth.await(10, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(sandbox.ip("-o", "link").contains(HostNames.hostIfName("cancelme", "eth0")), "veth was made");
            subscription.dispose();
            // the rollback runs on after the cancel; a remove is ordered after it
            dp.remove("cancelme", "eth0").block(T);
            assertNothingLeft(sandbox, pod, dp);
        } finally {
            dp.close().block(T);
        }
    }

    @Test
    void badInputIsRefusedBeforeTheKernelIsTouched(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            String before = sandbox.ip("-o", "link");
            record Case(EndpointSpec spec, String says) {
            }
            List<Case> cases = List.of(
                    new Case(EndpointSpec.of("pods", "ok", NetNs.named(pod)).withIfName("much-too-long-name0"), "longer than 15 bytes"),
                    new Case(EndpointSpec.of("pods", "ok", NetNs.named(pod)).withIfName("a/b"), "contains '/'"),
                    new Case(EndpointSpec.of("pods", "bad id!", NetNs.named(pod)), "containerId"),
                    new Case(EndpointSpec.of("pods", "ok", NetNs.named(pod)).withMtu(40), "outside 68..65535"),
                    new Case(EndpointSpec.of("nope", "ok", NetNs.named(pod)), "network 'nope' does not exist"),
                    new Case(EndpointSpec.of("pods", "ok", NetNs.named("no-such-netns-" + System.nanoTime())), "does not exist"),
                    new Case(EndpointSpec.of("pods", "ok", NetNs.named(pod))
                            .withMac(dev.podnet.dataplane.link.MacAddress.parse("01:00:5e:00:00:01")), "multicast"));
            for (Case c : cases) {
                InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> dp.add(c.spec()).block(T), c.toString());
                assertTrue(e.getMessage().contains(c.says()), e.getMessage());
            }
            assertEquals(before, sandbox.ip("-o", "link"));
            assertEquals(0, dp.reservedAddresses("pods"));
            assertThrows(InvalidSpecException.class,
                    () -> dp.createNetwork(NetworkSpec.bridge("x", "pnbr9", "198.18.0.0/33")).block(T));
            InvalidSpecException gw = assertThrows(InvalidSpecException.class,
                    () -> dp.createNetwork(NetworkSpec.bridge("x", "pnbr9", "198.18.0.0/24").withGateway("198.19.0.1")).block(T));
            assertTrue(gw.getMessage().contains("gateway 198.19.0.1 is outside subnet 198.18.0.0/24"), gw.getMessage());
        } finally {
            dp.close().block(T);
        }
    }

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
    void manyConcurrentAddsGetDistinctAddresses(Sandbox sandbox) throws Exception {
        int n = 24;
        List<String> pods = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            pods.add(sandbox.newNamespace("c" + i));
        }
        Dataplane dp = open(sandbox, StepObserver.NONE);
        try {
            List<Endpoint> eps = reactor.core.publisher.Flux.range(0, n)
                    .flatMap(i -> dp.add(EndpointSpec.of("pods", "conc" + i, NetNs.named(pods.get(i)))), n)
                    .collectList().block(T);
            assertEquals(n, eps.stream().map(Endpoint::address).distinct().count());
            Sandbox.run("ip", "netns", "exec", pods.get(0), "ping", "-c1", "-W2", eps.get(n - 1).address().split("/")[0]);
            reactor.core.publisher.Flux.range(0, n).flatMap(i -> dp.remove("conc" + i, "eth0"), n).blockLast(T);
            assertEquals(0, dp.reservedAddresses("pods"));
        } finally {
            dp.close().block(T);
        }
    }

    private static void assertNoHostLinks(Sandbox sandbox) throws Exception {
        String links = sandbox.ip("-o", "link");
        assertFalse(java.util.regex.Pattern.compile("\\b" + HostNames.PREFIX + "[0-9a-f]{12}\\b").matcher(links).find(), links);
    }

    private static void assertNothingLeft(Sandbox sandbox, String pod, Dataplane dp) throws Exception {
        assertNoHostLinks(sandbox);
        String podLinks = Sandbox.ipIn(pod, "-o", "link");
        assertFalse(podLinks.contains("eth0"), podLinks);
        assertFalse(podLinks.contains("tapeth0") || podLinks.contains("breth0"), podLinks);
        assertEquals("", Sandbox.ipIn(pod, "-o", "-4", "addr", "show", "scope", "global"));
        assertFalse(sandbox.ip("route", "show").contains("198.19.0.2"), "no host route left");
        assertEquals(0, dp.reservedAddresses("pods"));
        assertEquals(0, dp.reservedAddresses("p2p"));
        assertEquals(0, dp.endpoints().count().block(T));
    }
}
