package dev.podnet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.EndpointCheck;
import dev.podnet.dataplane.internal.engine.StepObserver;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The endpoint shapes against the kernel: bridge, ptp, VM, dual stack, read back and pinged. */
@KernelTest
class EndpointShapesTest extends DataplaneTestBase {
    @Test
    void addPlugsThePodInAndRemoveTakesEverythingAway(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod1 = sandbox.newNamespace("p1");
        String pod2 = sandbox.newNamespace("p2");
        Endpoint a = dp.endpoints()
                .add(EndpointSpec.of("pods", "c0ffee01", NetNs.named(pod1)).withMtu(1400))
                .block(T);
        Endpoint b = add(dp, "pods", "c0ffee02", pod2);
        assertEquals("198.18.0.2/16", a.address());
        assertEquals("198.18.0.3/16", b.address());
        assertEquals("198.18.0.1", a.gateway());

        // the kernel, read back with iproute2
        String eth0 = Sandbox.ipIn(pod1, "-o", "addr", "show", "dev", "eth0");
        assertTrue(eth0.contains("inet 198.18.0.2/16 brd 198.18.255.255"), eth0);
        String link = Sandbox.ipIn(pod1, "-o", "link", "show", "dev", "eth0");
        assertTrue(link.contains("mtu 1400") && link.contains("state UP") && link.contains(a.mac()), link);
        assertFalse(
                Sandbox.ipIn(pod1, "-o", "-6", "addr", "show", "dev", "eth0").contains("fe80"),
                "IPv4-only network: no IPv6 link-local on the pod side");
        String route = Sandbox.ipIn(pod1, "route", "show", "default");
        assertTrue(route.contains("default via 198.18.0.1 dev eth0"), route);
        String host = sandbox.ip("-o", "-d", "link", "show", "dev", a.hostIfName());
        assertTrue(host.contains("master pnbr0") && host.contains("state UP") && host.contains("veth"), host);
        assertTrue(host.contains("alias podnet:pods:c0ffee01/eth0") && host.contains("addrgenmode none"), host);
        assertFalse(
                sandbox.ip("-o", "-6", "addr", "show", "dev", a.hostIfName()).contains("fe80"),
                "no IPv6 link-local on the host end either (it came up before link-local generation was turned off)");

        // traffic between namespaces we made
        ping(pod1, "198.18.0.1");
        ping(pod1, "198.18.0.3");

        // the bridge keeps the MAC it was made with, whatever ports come and go (else the pods'
        // neighbour entries for the gateway would go stale)
        String mac = dev.podnet.dataplane.link.MacAddress.derived("podnet-bridge:pods")
                .toString();
        assertTrue(
                sandbox.ip("-o", "link", "show", "pnbr0").contains("link/ether " + mac),
                sandbox.ip("-o", "link", "show", "pnbr0"));
        assertTrue(
                sandbox.ip("-o", "-d", "link", "show", "pnbr0").contains("mcast_snooping 0"),
                "made without multicast snooping");
        dp.endpoints().remove("c0ffee01", "eth0").block(T);
        assertTrue(sandbox.ip("-o", "link", "show", "pnbr0").contains("link/ether " + mac));
        dp.endpoints().remove("c0ffee02", "eth0").block(T);
        assertTrue(sandbox.ip("-o", "link", "show", "pnbr0").contains("link/ether " + mac));
        assertFalse(Sandbox.ipIn(pod1, "-o", "link").contains("eth0"));
        assertNoHostLinks(sandbox);
        assertEquals(0, dp.ipam().reservedCount("pods"));
        assertEquals(0, dp.endpoints().list().count().block(T));
    }

    @Test
    void ptpGivesEachPodARoutedLinkThroughTheHost(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod1 = sandbox.newNamespace("p1");
        String pod2 = sandbox.newNamespace("p2");
        create(dp, NetworkSpec.ptp("p2p", "198.19.0.0/16"));
        Endpoint a = add(dp, "p2p", "ptp00001", pod1);
        Endpoint b = add(dp, "p2p", "ptp00002", pod2);
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
        // an IPv4-only network's host ends have no IPv6 at all: no routes of their own in the host's
        // IPv6 table, which each carrier change of a host end would otherwise walk whole
        assertEquals(
                "1",
                sandbox.inside(() -> java.nio.file.Files.readString(
                                java.nio.file.Path.of("/proc/sys/net/ipv6/conf", a.hostIfName(), "disable_ipv6"))
                        .strip()));
        assertEquals(
                "",
                sandbox.ip("-6", "route", "show", "table", "all", "dev", a.hostIfName())
                        .strip());
        assertFalse(
                sandbox.ip("-o", "-d", "link", "show", "dev", a.hostIfName()).contains("master"));
        assertEquals(
                "1",
                sandbox.inside(
                        () -> java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_forward"))
                                .strip()),
                "forwarding on in the sandbox host");

        ping(pod1, "198.19.0.1");
        ping(pod1, "198.19.0.3");

        removeAllLeavingNothing(sandbox, pod1, dp, "ptp00001", "ptp00002");
        assertFalse(sandbox.ip("route", "show").contains("198.19.0.2"), "the host route went with the link");
    }

    @Test
    void ptpWithALinkLocalGatewayLeavesTheHostEndsWithoutAddresses(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod1 = sandbox.newNamespace("l1");
        String pod2 = sandbox.newNamespace("l2");
        Network n = create(
                dp,
                NetworkSpec.ptp("p2pll", "198.19.0.0/24")
                        .withIpv6("fd00:19::/64")
                        .withLinkLocalGateway(true));
        assertTrue(n.linkLocalGateway());
        assertEquals("169.254.1.1", n.gateway());
        assertEquals("fe80::1", n.gateway6());
        Endpoint a = add(dp, "p2pll", "ptpll01", pod1);
        Endpoint b = add(dp, "p2pll", "ptpll02", pod2);
        assertEquals("169.254.1.1", a.gateway());
        assertEquals("fe80::1", a.gateway6());

        // the host ends hold nothing: no address of either family (no local route per pod)
        for (Endpoint e : List.of(a, b)) {
            String addrs = sandbox.ip("-o", "addr", "show", "dev", e.hostIfName());
            assertTrue(addrs.isBlank(), "host end " + e.hostIfName() + " holds: " + addrs);
        }
        String hostMac = sandbox.ip("-o", "link", "show", "dev", a.hostIfName())
                .replaceAll("(?s).*link/ether (\\S+).*", "$1")
                .strip();
        // the host: a route and a permanent neighbour entry per pod and family
        assertTrue(sandbox.ip("route", "show").contains("198.19.0.2 dev " + a.hostIfName() + " scope link"));
        assertTrue(sandbox.ip("-6", "route", "show").contains("fd00:19::2 dev " + a.hostIfName()));
        String hostNeigh = sandbox.ip("neigh", "show", "dev", a.hostIfName());
        assertTrue(hostNeigh.contains("198.19.0.2 lladdr " + a.mac() + " PERMANENT"), hostNeigh);
        String hostNeigh6 = sandbox.ip("-6", "neigh", "show", "dev", a.hostIfName());
        assertTrue(hostNeigh6.contains("fd00:19::2 lladdr " + a.mac() + " PERMANENT"), hostNeigh6);
        // the pod: the gateway is a permanent neighbour at the host end's MAC, and the routes go through it
        String podNeigh = Sandbox.ipIn(pod1, "neigh", "show", "dev", "eth0");
        assertTrue(podNeigh.contains("169.254.1.1 lladdr " + hostMac + " PERMANENT"), podNeigh);
        String podNeigh6 = Sandbox.ipIn(pod1, "-6", "neigh", "show", "dev", "eth0");
        assertTrue(podNeigh6.contains("fe80::1 lladdr " + hostMac + " PERMANENT"), podNeigh6);
        String routes = Sandbox.ipIn(pod1, "route", "show");
        assertTrue(routes.contains("default via 169.254.1.1 dev eth0"), routes);
        assertTrue(routes.contains("198.19.0.0/24 via 169.254.1.1 dev eth0"), routes);
        String routes6 = Sandbox.ipIn(pod1, "-6", "route", "show");
        assertTrue(routes6.contains("default via fe80::1 dev eth0"), routes6);
        assertFalse(
                Sandbox.ipIn(pod1, "-o", "-6", "addr", "show", "dev", "eth0").contains("fe80"),
                "the pod needs no link-local address of its own");

        // pod to pod through the host, both families
        ping(pod1, "198.19.0.3");
        ping6(pod1, "fd00:19::3");
        ping6(pod2, "fd00:19::2");
        assertConsistent(dp, "ptpll01");

        removeAllLeavingNothing(sandbox, pod1, dp, "ptpll01", "ptpll02");
        assertFalse(sandbox.ip("route", "show").contains("198.19.0.2"), "the host route went with the link");

        assertInvalid(
                "link-local gateway",
                () -> dp.networks()
                        .create(NetworkSpec.bridge("brll", "pnbrll", "198.20.0.0/24")
                                .withLinkLocalGateway(true)));
    }

    @Test
    void ptpDualStackRoutesBothFamiliesThroughTheHost(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod1 = sandbox.newNamespace("q1");
        String pod2 = sandbox.newNamespace("q2");
        create(dp, NetworkSpec.ptp("p2p6", "198.19.0.0/24").withIpv6("fd00:19::/64"));
        Endpoint a = add(dp, "p2p6", "ptp6001", pod1);
        Endpoint b = add(dp, "p2p6", "ptp6002", pod2);
        assertEquals("fd00:19::2/64", a.address6());
        assertEquals("fd00:19::1", a.gateway6());

        String routes6 = Sandbox.ipIn(pod1, "-6", "route", "show");
        assertTrue(routes6.contains("default via fd00:19::1 dev eth0"), routes6);
        assertTrue(routes6.contains("fd00:19::/64 via fd00:19::1 dev eth0"), routes6);
        assertTrue(routes6.contains("fd00:19::1 dev eth0"), routes6);
        assertFalse(routes6.contains("fd00:19::/64 dev eth0"), "no on-link subnet route: " + routes6);
        String addr6 = Sandbox.ipIn(pod1, "-o", "-6", "addr", "show", "dev", "eth0");
        assertTrue(addr6.contains("inet6 fd00:19::2/64"), addr6);
        assertFalse(addr6.contains("fe80"), "no link-local address: " + addr6);
        String hostAddr6 = sandbox.ip("-o", "-6", "addr", "show", "dev", a.hostIfName());
        assertTrue(hostAddr6.contains("inet6 fd00:19::1/128"), hostAddr6);
        assertTrue(hostAddr6.contains("inet6 fe80::1/64"), "a link-local address to forward with: " + hostAddr6);
        assertTrue(sandbox.ip("-6", "route", "show").contains("fd00:19::3 dev " + b.hostIfName()));
        assertEquals(
                "1",
                sandbox.inside(() -> java.nio.file.Files.readString(
                                java.nio.file.Path.of("/proc/sys/net/ipv6/conf/all/forwarding"))
                        .strip()),
                "IPv6 forwarding on in the sandbox host");

        ping6(pod1, "fd00:19::1");
        ping6(pod1, "fd00:19::3");
        ping(pod1, "198.19.0.3");
        assertConsistent(dp, "ptp6001");

        removeAllLeavingNothing(sandbox, pod1, dp, "ptp6001", "ptp6002");
        assertFalse(sandbox.ip("-6", "route", "show").contains("fd00:19::2"), "the host route went with the link");
    }

    @Test
    @SuppressWarnings("unchecked")
    void ipv6OnlyNetworksOfEveryShapeAndStaticIpv6Addresses(Sandbox sandbox) throws Exception {
        String p1 = sandbox.newNamespace("o1");
        String p2 = sandbox.newNamespace("o2");
        String p3 = sandbox.newNamespace("o3");
        try (Dataplane dp = open(sandbox, StepObserver.NONE)) {
            create(dp, NetworkSpec.bridge("v6b", "pnbr4", null).withIpv6("fd00:44::/64"));
            create(dp, NetworkSpec.ptp("v6p", null).withIpv6("fd00:45::/64"));
            Endpoint a = add(dp, "v6b", "six1", p1);
            Endpoint b = dp.endpoints()
                    .add(EndpointSpec.of("v6b", "six2", NetNs.named(p2))
                            .withAddress(Cidr.parseAddress("fd00:44::99", "ip")))
                    .block(T);
            Endpoint c = add(dp, "v6p", "six3", p3);
            assertEquals(null, a.address(), "no IPv4 on an IPv6-only network");
            assertEquals("fd00:44::2/64", a.address6());
            assertEquals("fd00:44::99/64", b.address6(), "the static IPv6 address asked for");
            assertEquals("fd00:45::2/64", c.address6());
            for (String pod : new String[] {p1, p3}) {
                assertEquals(
                        "",
                        Sandbox.ipIn(pod, "-4", "addr", "show", "dev", "eth0").strip(),
                        "no IPv4 address in " + pod);
                assertTrue(
                        Sandbox.ipIn(pod, "-6", "route").contains("default via fd00:4"),
                        Sandbox.ipIn(pod, "-6", "route"));
            }
            ping6(p1, "fd00:44::1");
            ping6(p1, "fd00:44::99");
            ping6(p3, "fd00:45::1");
            for (String id : new String[] {"six1", "six2", "six3"}) {
                assertConsistent(dp, id);
            }
            java.util.Map<String, Object> cni = CniResult.of(
                    dp.endpoints().get("six1", "eth0").block(T),
                    dp.networks().get("v6b").block(T));
            assertEquals(1, ((List<Object>) cni.get("ips")).size());
            assertEquals(
                    "::/0",
                    ((List<java.util.Map<String, Object>>) cni.get("routes"))
                            .get(0)
                            .get("dst"));

            EndpointSpec six4 = EndpointSpec.of("v6b", "six4", NetNs.named(sandbox.newNamespace("o4")));
            assertInvalid(
                    "hands out no IPv4 addresses",
                    () -> dp.endpoints().add(six4.withAddress(Cidr.parseAddress("198.18.0.9", "ip"))));
            assertInvalid("a VM endpoint needs IPv4", () -> dp.endpoints().add(six4.withVm(true)));
            assertInvalid(
                    "already reserved by six2/eth0",
                    () -> dp.endpoints().add(six4.withAddress(Cidr.parseAddress("fd00:44::99", "ip"))));
            assertInvalid("give a subnet", () -> dp.networks().create(NetworkSpec.bridge("nosubnet", "pnbr5", null)));
            assertEquals(3, dp.ipam().reservedCount("v6b") + dp.ipam().reservedCount("v6p"));
        }
        // rebuilt from the kernel like any other endpoint
        try (Dataplane again = reopenWithoutMaps(sandbox)) {
            assertEquals(
                    "fd00:44::99/64",
                    again.endpoints().get("six2", "eth0").block(T).address6(),
                    "adopted from the kernel");
            assertTrue(again.endpoints().check("six3", "eth0").block(T).consistent());
            for (String id : new String[] {"six1", "six2", "six3"}) {
                again.endpoints().remove(id, "eth0").block(T);
            }
            assertEquals(0, again.ipam().reservedCount("v6b") + again.ipam().reservedCount("v6p"));
            assertNoHostLinks(sandbox);
        }
    }

    @Test
    void aRangeSetSpanningSubnetsGivesEachPodItsSubnetsPrefixAndGateway(Sandbox sandbox) throws Exception {
        String[] pods = new String[5];
        for (int i = 0; i < pods.length; i++) {
            pods[i] = sandbox.newNamespace("m" + i);
        }
        try (Dataplane dp = open(sandbox, StepObserver.NONE)) {
            // two addresses of the network's own subnet, then a further subnet with its own gateway (host-local's range
            // set)
            create(
                    dp,
                    NetworkSpec.bridge("multi", "pnbr7", "198.19.40.0/24")
                            .withRange("198.19.40.2", "198.19.40.3")
                            .withSubnetRange("198.19.41.0/24", "198.19.41.254"));
            create(
                    dp,
                    NetworkSpec.ptp("multip", "198.19.50.0/24")
                            .withRange("198.19.50.2", "198.19.50.2")
                            .withSubnetRange("198.19.51.0/28", null));
            assertEquals("198.19.40.2/24", add(dp, "multi", "ms1", pods[0]).address());
            assertEquals("198.19.40.3/24", add(dp, "multi", "ms2", pods[1]).address());
            Endpoint third = add(dp, "multi", "ms3", pods[2]);
            assertEquals("198.19.41.1/24", third.address(), "the further subnet, past its first range");
            assertEquals("198.19.41.254", third.gateway());
            assertTrue(Sandbox.ipIn(pods[2], "-4", "route").contains("default via 198.19.41.254 dev eth0"));
            String bridgeAddrs = sandbox.ip("-4", "addr", "show", "dev", "pnbr7");
            assertTrue(bridgeAddrs.contains("198.19.40.1/24") && bridgeAddrs.contains("198.19.41.254/24"), bridgeAddrs);
            ping(pods[2], "198.19.41.254");
            ping(pods[0], "198.19.40.1");

            add(dp, "multip", "mp1", pods[3]);
            Endpoint p2 = add(dp, "multip", "mp2", pods[4]);
            assertEquals("198.19.51.2/28", p2.address(), "the further subnet; its first address is its gateway");
            assertEquals("198.19.51.1", p2.gateway());
            String routes = Sandbox.ipIn(pods[4], "-4", "route");
            assertTrue(
                    routes.contains("198.19.51.0/28 via 198.19.51.1 dev eth0")
                            && routes.contains("default via 198.19.51.1"),
                    routes);
            ping(pods[4], "198.19.51.1");
            for (String id : new String[] {"ms3", "mp2"}) {
                assertTrue(dp.endpoints().check(id, "eth0").block(T).consistent(), id);
            }
        }
        // rebuilt from the kernel: the further subnet's gateway comes back with the address
        try (Dataplane again = reopenWithoutMaps(sandbox)) {
            assertEquals(
                    "198.19.41.254",
                    again.endpoints().get("ms3", "eth0").block(T).gateway());
            assertEquals(
                    "198.19.51.1", again.endpoints().get("mp2", "eth0").block(T).gateway());
            assertTrue(again.endpoints().check("mp2", "eth0").block(T).consistent());
            for (String id : new String[] {"ms1", "ms2", "ms3", "mp1", "mp2"}) {
                again.endpoints().remove(id, "eth0").block(T);
            }
            assertNoHostLinks(sandbox);
        }
    }

    @Test
    void bridgeOptionsHairpinMacFromIpAndUplink(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod = sandbox.newNamespace("p");
        sandbox.ip("link", "add", "up0", "type", "veth", "peer", "name", "up1");
        create(
                dp,
                NetworkSpec.bridge("opts", "pnbr1", "198.19.64.0/24")
                        .withHairpin(true)
                        .withMacFromIp(true)
                        .withUplink("up0"));
        assertTrue(sandbox.ip("-o", "link", "show", "up0").contains("master pnbr1"), "uplink enslaved");
        Endpoint ep = add(dp, "opts", "hairy", pod);
        assertEquals("198.19.64.2/24", ep.address());
        assertEquals("0a:58:c6:13:40:02", ep.mac(), "0a:58 + 198.19.64.2");
        assertTrue(Sandbox.ipIn(pod, "-o", "link", "show", "eth0").contains("0a:58:c6:13:40:02"));
        String port = sandbox.ip("-o", "-d", "link", "show", ep.hostIfName());
        assertTrue(port.contains("hairpin on"), port);

        assertInvalid(
                "uplink ghost0 does not exist",
                () -> dp.networks()
                        .create(NetworkSpec.bridge("nouplink", "pnbr2", "198.19.65.0/24")
                                .withUplink("ghost0")));
        assertFalse(sandbox.ip("-o", "link").contains("pnbr2"), "the bridge made for it was removed again");
        assertInvalid(
                "bridge options, not ptp ones",
                () -> dp.networks()
                        .create(NetworkSpec.ptp("bad", "198.19.0.0/16").withHairpin(true)));
        dp.endpoints().remove("hairy", "eth0").block(T);
    }

    @Test
    void aVmEndpointHandsItsInterfaceToATapWiredByTrafficControl(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod = sandbox.newNamespace("vm");
        Endpoint ep = dp.endpoints()
                .add(EndpointSpec.of("pods", "virtlet1", NetNs.named(pod)).withVm(true))
                .block(T);
        assertEquals("tapeth0", ep.tap());
        assertEquals("198.18.0.2/16", ep.address());
        String tap = Sandbox.ipIn(pod, "-o", "-d", "link", "show", "tapeth0");
        assertTrue(tap.contains("tun") && !tap.contains("master"), tap);
        String eth0 = Sandbox.ipIn(pod, "-o", "-d", "link", "show", "eth0");
        assertFalse(eth0.contains("master"), eth0);
        assertFalse(eth0.contains(ep.mac()), "the VM takes eth0's MAC; eth0 gets another: " + eth0);
        assertEquals("", Sandbox.ipIn(pod, "-o", "-4", "addr", "show", "dev", "eth0"), "the address went to the VM");
        assertFalse(Sandbox.ipIn(pod, "route", "show").contains("default"), "and so did the default route");
        assertFalse(Sandbox.ipIn(pod, "-o", "link").contains("breth0"), "no bridge inside the sandbox");
        String wire = Sandbox.run("ip", "netns", "exec", pod, "tc", "filter", "show", "dev", "eth0", "ingress");
        assertTrue(wire.contains("mirred (Egress Redirect to device tapeth0) stolen"), wire);
        String back = Sandbox.run("ip", "netns", "exec", pod, "tc", "filter", "show", "dev", "tapeth0", "ingress");
        assertTrue(back.contains("mirred (Egress Redirect to device eth0) stolen"), back);
        assertTrue(back.contains("match 00000043/0000ffff at 20"), "DHCP to the responder, not the wire: " + back);
        assertConsistent(dp, "virtlet1");
        String where = " in /run/netns/" + pod;
        // the DHCP filter gone: the VM's requests would leave by the wire, and no lease would come
        Sandbox.run("ip", "netns", "exec", pod, "tc", "filter", "del", "dev", "tapeth0", "ingress", "pref", "1");
        assertEquals(
                List.of("tap tapeth0" + where + " does not keep the VM's DHCP for its responder"),
                dp.endpoints().check("virtlet1", "eth0").block(T).differences());
        // then the wire itself, both ways
        Sandbox.run("ip", "netns", "exec", pod, "tc", "qdisc", "del", "dev", "eth0", "ingress");
        Sandbox.run("ip", "netns", "exec", pod, "tc", "qdisc", "del", "dev", "tapeth0", "ingress");
        assertEquals(
                List.of(
                        "eth0" + where + " does not pass its frames to tap tapeth0",
                        "tap tapeth0" + where + " does not pass its frames to eth0",
                        "tap tapeth0" + where + " does not keep the VM's DHCP for its responder"),
                dp.endpoints().check("virtlet1", "eth0").block(T).differences());
        create(dp, NetworkSpec.ptp("p2p", "198.19.0.0/16"));
        assertInvalid(
                "needs a bridge network",
                () -> dp.endpoints()
                        .add(EndpointSpec.of("p2p", "virtlet2", NetNs.named(pod))
                                .withIfName("eth1")
                                .withVm(true)));

        // the tap already gone (the VM runtime deleted it): the remove still takes the rest
        Sandbox.ipIn(pod, "link", "del", "tapeth0");
        dp.endpoints().remove("virtlet1", "eth0").block(T);
        String left = Sandbox.ipIn(pod, "-o", "link");
        assertFalse(left.contains("tapeth0") || left.contains("eth0"), left);
        assertNoHostLinks(sandbox);
    }

    @Test
    void dualStackPodsTalkIpv6WithoutLinkLocalAddresses(Sandbox sandbox, Dataplane dp) throws Exception {
        String p1 = sandbox.newNamespace("d1");
        String p2 = sandbox.newNamespace("d2");
        create(dp, NetworkSpec.bridge("dual", "pnbr6", "198.19.96.0/24").withIpv6("fd00:18::/64"));
        String bridge6 = sandbox.ip("-o", "-6", "addr", "show", "dev", "pnbr6");
        assertTrue(bridge6.contains("inet6 fd00:18::1/64") && bridge6.contains("inet6 fe80::1/64"), bridge6);
        Endpoint a = add(dp, "dual", "dual0001", p1);
        Endpoint b = add(dp, "dual", "dual0002", p2);
        assertEquals("198.19.96.2/24", a.address());
        assertEquals("fd00:18::2/64", a.address6());
        assertEquals(
                "fd00:18::1", dev.podnet.netlink.route.IprouteNames.address(Cidr.parseAddress(a.gateway6(), "gw")));
        String v6 = Sandbox.ipIn(p1, "-o", "-6", "addr", "show", "dev", "eth0");
        assertTrue(v6.contains("inet6 fd00:18::2/64"), v6);
        assertFalse(v6.contains("fe80"), "no link-local address: " + v6);
        assertTrue(Sandbox.ipIn(p1, "-6", "route", "show").contains("default via fd00:18::1 dev eth0"));
        ping6(p1, "fd00:18::1");
        ping6(p1, b.address6().split("/")[0]);
        ping(p1, "198.19.96.3");
        String cni = CniResult.json(
                dp.endpoints().get("dual0001", "eth0").block(T),
                dp.networks().get("dual").block(T));
        assertTrue(cni.contains("\"address\":\"fd00:18::2/64\"") && cni.contains("\"dst\":\"::/0\""), cni);
        assertConsistent(dp, "dual0001");
        Sandbox.ipIn(p1, "-6", "addr", "del", "fd00:18::2/64", "dev", "eth0");
        EndpointCheck noV6 = dp.endpoints().check("dual0001", "eth0").block(T);
        assertTrue(noV6.differences().contains("eth0 in /run/netns/" + p1 + " lacks fd00:18::2/64"), noV6.toString());
        assertEquals(1, noV6.differences().size(), "IPv6 keeps the default route when the address goes: " + noV6);
        assertEquals(4, dp.ipam().reservedCount("dual"));
        dp.endpoints().remove("dual0001", "eth0").block(T);
        dp.endpoints().remove("dual0002", "eth0").block(T);
        assertEquals(0, dp.ipam().reservedCount("dual"));
        assertInvalid(
                "is not IPv6",
                () -> dp.networks()
                        .create(NetworkSpec.bridge("x6", "pnbr7", "198.19.97.0/24")
                                .withIpv6("198.19.98.0/24")));
    }

    @Test
    void ipv6AddressesCanBeDerivedFromTheMac(Sandbox sandbox, Dataplane dp) throws Exception {
        String p1 = sandbox.newNamespace("m1");
        String p2 = sandbox.newNamespace("m2");
        create(dp, NetworkSpec.bridge("macv6", "pnbr8", "198.19.99.0/24").withIpv6FromMac("fd00:77::/64"));
        Endpoint a = dp.endpoints()
                .add(EndpointSpec.of("macv6", "macv6001", NetNs.named(p1))
                        .withMac(dev.podnet.dataplane.link.MacAddress.parse("02:42:c6:12:63:02")))
                .block(T);
        Endpoint b = add(dp, "macv6", "macv6002", p2);
        assertEquals("fd00:77::242:c612:6302/64", a.address6(), "prefix + the MAC in the last 48 bits");
        assertTrue(Sandbox.ipIn(p1, "-o", "-6", "addr", "show", "dev", "eth0")
                .contains("inet6 fd00:77::242:c612:6302/64"));
        ping6(p1, b.address6().split("/")[0]);
        assertEquals(2, dp.ipam().reservedCount("macv6"), "only the IPv4 addresses come from IPAM");
        assertInvalid(
                "at least 48 host bits are needed",
                () -> dp.networks()
                        .create(NetworkSpec.bridge("macv6b", "pnbr9", "198.19.98.0/24")
                                .withIpv6FromMac("fd00:78::/96")));
        dp.endpoints().remove("macv6001", "eth0").block(T);
        dp.endpoints().remove("macv6002", "eth0").block(T);
    }
}
