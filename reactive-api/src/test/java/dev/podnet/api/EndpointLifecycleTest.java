package dev.podnet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.BridgeFullException;
import dev.podnet.dataplane.EndpointOperationException;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.internal.endpoint.EndpointSteps;
import dev.podnet.dataplane.internal.endpoint.HostNames;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

/** Adds and removes under failure, cancellation, bad input and concurrency: nothing is ever left half made. */
@KernelTest
class EndpointLifecycleTest extends DataplaneTestBase {
    @Test
    void addIsIdempotentAndRemoveOfAnUnknownEndpointSucceeds(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod = sandbox.newNamespace("p");
        Endpoint first = add(dp, "pods", "idem", pod);
        Endpoint again = add(dp, "pods", "idem", pod);
        assertEquals(first, again);
        assertEquals(1, dp.ipam().reservedCount("pods"));
        dp.endpoints().remove("never-added", "eth0").block(T);
        dp.endpoints().remove("idem", "eth0").block(T);
        dp.endpoints().remove("idem", "eth0").block(T);
        assertEquals(0, dp.ipam().reservedCount("pods"));
    }

    /** Every step of every shape, on an IPv4 and a dual-stack network of that shape. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> steps() {
        return java.util.stream.Stream.of(
                        EndpointSteps.BRIDGE.stream()
                                .map(s -> org.junit.jupiter.params.provider.Arguments.of("pods", false, s.name())),
                        EndpointSteps.BRIDGE.stream()
                                .map(s -> org.junit.jupiter.params.provider.Arguments.of("dual", false, s.name())),
                        EndpointSteps.PTP.stream()
                                .map(s -> org.junit.jupiter.params.provider.Arguments.of("p2p", false, s.name())),
                        EndpointSteps.PTP.stream()
                                .map(s -> org.junit.jupiter.params.provider.Arguments.of("p2p6", false, s.name())),
                        EndpointSteps.VM.stream()
                                .map(s -> org.junit.jupiter.params.provider.Arguments.of("pods", true, s.name())),
                        EndpointSteps.VM.stream()
                                .map(s -> org.junit.jupiter.params.provider.Arguments.of("dual", true, s.name())))
                .flatMap(x -> x);
    }

    /** Besides "pods": a ptp network, and a dual-stack network of each shape. */
    static void createShapes(Dataplane dp) {
        create(dp, NetworkSpec.ptp("p2p", "198.19.0.0/24"));
        create(dp, NetworkSpec.ptp("p2p6", "198.19.1.0/24").withIpv6("fd00:19::/64"));
        create(dp, NetworkSpec.bridge("dual", "pnbr6", "198.19.96.0/24").withIpv6("fd00:18::/64"));
    }

    @ParameterizedTest(name = "{0} vm={1}: fail after {2}")
    @MethodSource("steps")
    void aFailureAfterAnyStepLeavesNothingBehind(String network, boolean vm, String failAfter, Sandbox sandbox)
            throws Exception {
        String pod = sandbox.newNamespace("p");
        try (Dataplane dp = open(
                sandbox,
                step -> step.equals(failAfter)
                        ? Mono.error(new IllegalStateException("injected after " + step))
                        : Mono.empty())) {
            createShapes(dp);
            EndpointOperationException e = assertThrows(
                    EndpointOperationException.class,
                    () -> dp.endpoints()
                            .add(EndpointSpec.of(network, "doomed", NetNs.named(pod))
                                    .withVm(vm))
                            .block(T));
            assertTrue(e.getMessage().contains("injected after " + failAfter), e.getMessage());
            assertNothingLeft(sandbox, pod, dp);
        }
    }

    /**
     * A request failing in the middle of a step of several (with an errno other than EEXIST), after
     * the ones before it took effect: the step's own clean-up and the rollback leave nothing.
     */
    @Test
    void aRequestFailingInTheMiddleOfAStepLeavesNothing(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod = sandbox.newNamespace("p");
        createShapes(dp);
        // configure-pod: IPv6 disabled in the pod, so its IPv6 address fails after the IPv4 address and route went
        // in
        Sandbox.run("ip", "netns", "exec", pod, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        EndpointOperationException v6 =
                assertThrows(EndpointOperationException.class, () -> add(dp, "dual", "mid1", pod));
        assertTrue(
                v6.getMessage().contains("EACCES") && v6.getMessage().contains("IPv6 is disabled on this device"),
                v6.getMessage());
        assertNothingLeft(sandbox, pod, dp);
        Sandbox.run("ip", "netns", "exec", pod, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=0");

        // vm-wire: the tap refuses the MTU, in the middle of the step (the kernel applies the wire's requests after it)
        EndpointOperationException mtu = assertThrows(
                EndpointOperationException.class,
                () -> dp.endpoints()
                        .add(EndpointSpec.of("pods", "mid2", NetNs.named(pod))
                                .withVm(true)
                                .withMtu(65535))
                        .block(T));
        assertTrue(
                mtu.getMessage().contains("EINVAL") && mtu.getMessage().contains("mtu greater than device maximum"),
                mtu.getMessage());
        assertNothingLeft(sandbox, pod, dp);

        // configure-host (ptp): IPv6 disabled on the host side, so the gateway's IPv6 address fails after IPv4's
        // went in
        Sandbox.run("ip", "netns", "exec", sandbox.name(), "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        EndpointOperationException host =
                assertThrows(EndpointOperationException.class, () -> add(dp, "p2p6", "mid3", pod));
        assertTrue(host.getMessage().contains("EACCES"), host.getMessage());
        assertNothingLeft(sandbox, pod, dp);
    }

    @Test
    void aKernelErrorIsReportedWithErrnoAndRolledBack(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod = sandbox.newNamespace("p");
        // the host end's name is taken by something else: the veth cannot be created
        sandbox.ip("link", "add", HostNames.hostIfName("clash", "eth0"), "type", "bridge");
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> add(dp, "pods", "clash", pod));
        assertTrue(
                e.getMessage()
                        .contains("host interface " + HostNames.hostIfName("clash", "eth0")
                                + " already exists in the host namespace (EEXIST"),
                e.getMessage());
        assertEquals(0, dp.ipam().reservedCount("pods"));
        assertEquals(0, dp.endpoints().list().count().block(T));
        assertFalse(Sandbox.ipIn(pod, "-o", "link").contains("eth0"));
    }

    @Test
    void aFullBridgeIsNamedAndTheAddUndone(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod = sandbox.newNamespace("p");
        // the bridge of "pods" gets the kernel's maximum of ports, of someone else's (ifb devices:
        // the dummy module may be missing)
        Path batch = Files.createTempFile("podnet-fill", ".ip");
        try {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < BridgeFullException.MAX_PORTS; i++) {
                lines.append("link add fill").append(i).append(" type ifb\n");
                lines.append("link set fill").append(i).append(" master pnbr0\n");
            }
            Files.writeString(batch, lines);
            Sandbox.run("ip", "-n", sandbox.name(), "-batch", batch.toString());
        } finally {
            Files.delete(batch);
        }
        EndpointOperationException e =
                assertThrows(EndpointOperationException.class, () -> add(dp, "pods", "full", pod));
        assertInstanceOf(BridgeFullException.class, e.getCause(), e.toString());
        assertTrue(
                e.getMessage().contains("bridge pnbr0 already has 1023 ports, the kernel's maximum (EXFULL)"),
                e.getMessage());
        assertNothingLeft(sandbox, pod, dp);
        // one port fewer, and the same add goes through
        sandbox.ip("link", "del", "fill0");
        assertEquals("full", add(dp, "pods", "full", pod).containerId());
    }

    @Test
    void cancellingAnAddMidwayRollsItBack(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        java.util.concurrent.CountDownLatch reachedVeth = new java.util.concurrent.CountDownLatch(1);
        // hold the add right after the veth exists, long enough to cancel it there
        try (Dataplane dp = open(
                sandbox,
                step -> step.equals("create-veth")
                        ? Mono.delay(Duration.ofMillis(300))
                                .doOnSubscribe(s -> reachedVeth.countDown())
                                .then()
                        : Mono.empty())) {
            var subscription = dp.endpoints()
                    .add(EndpointSpec.of("pods", "cancelme", NetNs.named(pod)))
                    .subscribe();
            assertTrue(reachedVeth.await(10, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(sandbox.ip("-o", "link").contains(HostNames.hostIfName("cancelme", "eth0")), "veth was made");
            subscription.dispose();
            // the rollback runs on after the cancel, by itself: wait for the kernel and the state to be clean,
            // with no remove that could clean up for an add that ignored the cancel
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline
                    && (sandbox.ip("-o", "link").contains(HostNames.hostIfName("cancelme", "eth0"))
                            || dp.endpoints().list().count().block(T) > 0
                            || dp.ipam().reservedCount("pods") > 0)) {
                Thread.sleep(20);
            }
            assertNothingLeft(sandbox, pod, dp);
            Thread.sleep(500); // well past the held step: an add that ignored the cancel would have finished by now
            assertNothingLeft(sandbox, pod, dp);
        }
    }

    @Test
    void badInputIsRefusedBeforeTheKernelIsTouched(Sandbox sandbox, Dataplane dp) throws Exception {
        String pod = sandbox.newNamespace("p");
        List<String> before = linkNames(sandbox);
        record Case(EndpointSpec spec, String says) {}
        // each a valid endpoint with one thing wrong
        EndpointSpec ok = EndpointSpec.of("pods", "ok", NetNs.named(pod));
        List<Case> cases = List.of(
                new Case(ok.withIfName("much-too-long-name0"), "longer than 15 bytes"),
                new Case(ok.withIfName("a/b"), "contains '/'"),
                new Case(EndpointSpec.of("pods", "bad id!", NetNs.named(pod)), "containerId"),
                new Case(ok.withMtu(40), "outside 1280..65535"),
                new Case(
                        EndpointSpec.of("pods", "c".repeat(240), NetNs.named(pod)),
                        "containerId is 240 characters; on network "
                                + "pods with interface eth0 it may have at most 238"),
                new Case(EndpointSpec.of("nope", "ok", NetNs.named(pod)), "network 'nope' does not exist"),
                new Case(
                        EndpointSpec.of("pods", "ok", NetNs.named("no-such-netns-" + System.nanoTime())),
                        "does not exist"),
                new Case(ok.withMac(dev.podnet.dataplane.link.MacAddress.parse("01:00:5e:00:00:01")), "multicast"));
        for (Case c : cases) {
            InvalidSpecException e = assertThrows(
                    InvalidSpecException.class,
                    () -> dp.endpoints().add(c.spec()).block(T),
                    c.toString());
            assertTrue(e.getMessage().contains(c.says()), e.getMessage());
        }
        assertEquals(before, linkNames(sandbox));
        assertEquals(0, dp.ipam().reservedCount("pods"));

        // a container id and interface already plugged into another sandbox
        String other = sandbox.newNamespace("o");
        add(dp, "pods", "twice", pod);
        List<String> withOne = linkNames(sandbox);
        InvalidSpecException dup = assertThrows(InvalidSpecException.class, () -> add(dp, "pods", "twice", other));
        assertTrue(dup.getMessage().contains("endpoint twice/eth0 already exists in netns"), dup.getMessage());
        assertEquals(withOne, linkNames(sandbox));
        assertEquals(1, dp.ipam().reservedCount("pods"));
        dp.endpoints().remove("twice", "eth0").block(T);
    }

    @Test
    void badNetworksAreRefusedWithTheFieldNamedAndNothingMade(Sandbox sandbox, Dataplane dp) throws Exception {
        List<String> links = linkNames(sandbox);
        String addrs = sandbox.ip("-o", "addr");
        record Case(NetworkSpec spec, String says) {}
        // most a valid network with one setting wrong
        NetworkSpec valid = NetworkSpec.bridge("x", "pnbr9", "198.18.0.0/24");
        List<Case> cases = List.of(
                new Case(NetworkSpec.bridge("x", "pnbr9", "198.18.0.0/33"), "198.18.0.0/33"),
                new Case(NetworkSpec.bridge("x", "pnbr9", "198.18.0.0"), "198.18.0.0"),
                new Case(
                        NetworkSpec.bridge("x", "pnbr9", "198.18.0.7/24"),
                        "has host bits set; did you mean 198.18.0.0/24"),
                new Case(NetworkSpec.bridge("x", "pnbr9", "198.18.0.0/31"), "too small"),
                new Case(valid.withGateway("198.19.0.1"), "gateway 198.19.0.1 is outside subnet 198.18.0.0/24"),
                new Case(
                        valid.withRange("198.18.0.9", "198.18.0.3"),
                        "rangeStart 198.18.0.9 is after rangeEnd 198.18.0.3"),
                new Case(valid.withRange("198.18.1.9", null), "rangeStart 198.18.1.9 is outside subnet 198.18.0.0/24"),
                new Case(
                        valid.withRange("198.18.0.10", "198.18.0.20").withRange("198.18.0.20", "198.18.0.30"),
                        "overlap"),
                new Case(
                        valid.withReserved("198.19.0.5"),
                        "reserved address 198.19.0.5 is outside subnet 198.18.0.0/24"),
                new Case(valid.withRange6("fd00::10", "fd00::20"), "IPv6 ranges need an IPv6 subnet"),
                new Case(valid.withIpv6("198.18.1.0/24"), "is not IPv6"),
                new Case(NetworkSpec.bridge("x", "pnbr9", "fd00:18::/64"), "must be IPv4"),
                new Case(valid.withIpv6FromMac("fd00:78::/96"), "at least 48 host bits are needed"),
                new Case(NetworkSpec.bridge("x", "much-too-long-bridge", "198.18.0.0/24"), "longer than 15 bytes"),
                new Case(NetworkSpec.bridge("x", "br/0", "198.18.0.0/24"), "contains '/'"),
                new Case(NetworkSpec.bridge("x y", "pnbr9", "198.18.0.0/24"), "network name 'x y'"),
                new Case(valid.withMtu(70000), "outside 1280..65535"),
                new Case(NetworkSpec.ptp("x", "198.18.0.0/24").withHairpin(true), "bridge options, not ptp ones"),
                new Case(
                        NetworkSpec.bridge("x", "pnbr9", "198.19.200.0/24").withUplink("nosuchnic0"),
                        "uplink nosuchnic0 does not exist"),
                new Case(
                        NetworkSpec.bridge("x", "pnbr9", "198.18.7.0/24"),
                        "overlaps network pods's subnet 198.18.0.0/16"),
                new Case(NetworkSpec.bridge("pods", "pnbr0", "198.18.0.0/24"), "already exists with other settings"));
        for (Case c : cases) {
            InvalidSpecException e = assertThrows(
                    InvalidSpecException.class,
                    () -> dp.networks().create(c.spec()).block(T),
                    c.toString());
            assertTrue(e.getMessage().contains(c.says()), c.says() + " not in: " + e.getMessage());
            assertEquals(links, linkNames(sandbox), "no link left by " + c);
            assertEquals(addrs, sandbox.ip("-o", "addr"), "no address left by " + c);
        }
        assertEquals(
                List.of("pods"),
                dp.networks().list().map(Network::name).collectList().block(T));
    }

    @Test
    void severalRangesAreHandedOutRoundRobinAndExhaustionNamesThem(Sandbox sandbox, Dataplane dp) throws Exception {
        List<String> pods = new java.util.ArrayList<>();
        create(
                dp,
                NetworkSpec.bridge("ranged", "pnbr5", "198.19.50.0/24")
                        .withRange("198.19.50.10", "198.19.50.11")
                        .withRange("198.19.50.200", "198.19.50.202")
                        .withReserved("198.19.50.201", "fd00:50::3")
                        .withIpv6("fd00:50::/64")
                        .withRange6("fd00:50::2", "fd00:50::4")
                        .withRange6("fd00:50::100", "fd00:50::101"));
        List<String> v4 = new java.util.ArrayList<>();
        List<String> v6 = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String pod = sandbox.newNamespace("r" + i);
            pods.add(pod);
            Endpoint ep = dp.endpoints()
                    .add(EndpointSpec.of("ranged", "ranged0" + i, NetNs.named(pod)))
                    .block(T);
            v4.add(ep.address());
            v6.add(ep.address6());
        }
        assertEquals(
                List.of("198.19.50.10/24", "198.19.50.11/24", "198.19.50.200/24", "198.19.50.202/24"),
                v4,
                "the first range, then the second, skipping the reserved address");
        assertEquals(
                List.of("fd00:50::2/64", "fd00:50::4/64", "fd00:50::100/64", "fd00:50::101/64"),
                v6,
                "IPv6 likewise, skipping the reserved fd00:50::3");
        List<String> before = linkNames(sandbox);
        String fifth = sandbox.newNamespace("r9");
        pods.add(fifth);
        EndpointOperationException full =
                assertThrows(EndpointOperationException.class, () -> add(dp, "ranged", "ranged09", fifth));
        assertTrue(
                full.getMessage()
                        .contains("no free address in range 198.19.50.0/24 (198.19.50.10 - 198.19.50.11), "
                                + "198.19.50.0/24 (198.19.50.200 - 198.19.50.202)"),
                full.getMessage());
        assertEquals(before, linkNames(sandbox));
        assertEquals(8, dp.ipam().reservedCount("ranged"));

        // a freed address comes back only after the round-robin has passed it
        dp.endpoints().remove("ranged01", "eth0").block(T);
        Endpoint again = add(dp, "ranged", "ranged09", fifth);
        assertEquals("198.19.50.11/24", again.address());
        assertEquals("fd00:50::4/64", again.address6());
        ping(fifth, "198.19.50.202");
    }

    @Test
    void aStaticAddressRequestIsHonouredOrRefusedWithNothingLeft(Sandbox sandbox, Dataplane dp) throws Exception {
        String p1 = sandbox.newNamespace("p1");
        String p2 = sandbox.newNamespace("p2");
        Endpoint a = dp.endpoints()
                .add(EndpointSpec.of("pods", "static1", NetNs.named(p1))
                        .withAddress(Cidr.parseAddress("198.18.7.7", "ip")))
                .block(T);
        assertEquals("198.18.7.7/16", a.address());
        assertTrue(Sandbox.ipIn(p1, "-o", "addr", "show", "dev", "eth0").contains("inet 198.18.7.7/16"));
        EndpointSpec second = EndpointSpec.of("pods", "static2", NetNs.named(p2));
        assertInvalid(
                "198.18.7.7 is already reserved by static1/eth0",
                () -> dp.endpoints().add(second.withAddress(Cidr.parseAddress("198.18.7.7", "ip"))));
        assertInvalid(
                "not in any range",
                () -> dp.endpoints().add(second.withAddress(Cidr.parseAddress("198.19.0.9", "ip"))));
        assertFalse(Sandbox.ipIn(p2, "-o", "link").contains("eth0"), "refused: nothing made");
        assertEquals(1, dp.ipam().reservedCount("pods"));
        dp.endpoints().remove("static1", "eth0").block(T);
    }

    @Test
    void aDualStackAddWhoseIpv6CannotBeHadKeepsNoIpv4Either(Sandbox sandbox, Dataplane dp) throws Exception {
        create(dp, NetworkSpec.bridge("dual", "pnbr6", "198.19.96.0/24").withIpv6("fd00:18::/64"));
        String p1 = sandbox.newNamespace("d1");
        String p2 = sandbox.newNamespace("d2");
        dp.endpoints()
                .add(EndpointSpec.of("dual", "dual1", NetNs.named(p1))
                        .withAddress6(Cidr.parseAddress("fd00:18::9", "ip6")))
                .block(T);
        assertEquals(2, dp.ipam().reservedCount("dual"));
        // the IPv4 address is reserved first; then the IPv6 one is refused
        assertInvalid(
                "fd00:18::9 is already reserved by dual1/eth0",
                () -> dp.endpoints()
                        .add(EndpointSpec.of("dual", "dual2", NetNs.named(p2))
                                .withAddress6(Cidr.parseAddress("fd00:18::9", "ip6"))));
        assertEquals(2, dp.ipam().reservedCount("dual"), "the refused add's IPv4 address is released too");
        assertFalse(Sandbox.ipIn(p2, "-o", "link").contains("eth0"), "refused: nothing made");
        dp.endpoints().remove("dual1", "eth0").block(T);
        assertEquals(0, dp.ipam().reservedCount("dual"));
    }

    @Test
    void manyConcurrentAddsGetDistinctAddresses(Sandbox sandbox, Dataplane dp) throws Exception {
        int n = 24;
        List<String> pods = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            pods.add(sandbox.newNamespace("c" + i));
        }
        List<Endpoint> eps = reactor.core.publisher.Flux.range(0, n)
                .flatMap(i -> dp.endpoints().add(EndpointSpec.of("pods", "conc" + i, NetNs.named(pods.get(i)))), n)
                .collectList()
                .block(T);
        assertEquals(n, eps.stream().map(Endpoint::address).distinct().count());
        ping(pods.get(0), eps.get(n - 1).address().split("/")[0]);
        reactor.core.publisher.Flux.range(0, n)
                .flatMap(i -> dp.endpoints().remove("conc" + i, "eth0"), n)
                .blockLast(T);
        assertEquals(0, dp.ipam().reservedCount("pods"));
    }
}
