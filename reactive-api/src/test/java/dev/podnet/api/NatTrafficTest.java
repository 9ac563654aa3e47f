package dev.podnet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.EndpointOperationException;
import dev.podnet.dataplane.PortMapping;
import dev.podnet.dataplane.ReconcileReport;
import dev.podnet.dataplane.internal.engine.StepObserver;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Masquerade and published ports with real traffic, between namespaces the test makes only: the
 * sandbox plays host, joined by an uplink veth to an "outside" namespace that has no route to the
 * pods. A pod reaches a server outside, which sees the host's address; outside reaches servers in a
 * pod through the host's ports, TCP and UDP; a pod reaches its own published port (hairpin) and
 * another pod's; a port already published is refused with nothing made; removing the endpoint
 * withdraws its ports. Nothing is installed in the root namespace's nf_tables.
 */
@KernelTest
class NatTrafficTest extends DataplaneTestBase {
    private static final String UPLINK = "198.19.200.1";
    private static final String OUTSIDE = "198.19.200.2";

    private final List<Process> servers = new ArrayList<>();

    private static String exec(String ns, String python) throws IOException {
        return Sandbox.run("ip", "netns", "exec", ns, "python3", "-c", python).strip();
    }

    /** {@link #serve}, listening on IPv6 (and IPv4-mapped) addresses. */
    private void serve6(String ns, int port) throws IOException {
        String code = "import socket\ns=socket.socket(socket.AF_INET6)\n"
                + "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                + "s.bind(('::'," + port + "))\ns.listen(16)\nwhile True:\n c,a=s.accept()\n"
                + " c.sendall(a[0].encode())\n c.close()\n";
        servers.add(new ProcessBuilder("ip", "netns", "exec", ns, "python3", "-c", code)
                .redirectErrorStream(true)
                .start());
    }

    /** From {@code ns}, over IPv6, what the server at {@code [host]:port} says our address is. */
    private static String ask6(String ns, String host, int port) throws IOException {
        return exec(
                ns,
                "import socket,time\nfor i in range(40):\n try:\n  s=socket.create_connection(('" + host + "',"
                        + port + "),timeout=1)\n  print(s.recv(100).decode()); break\n"
                        + " except OSError: time.sleep(0.1)\nelse: print('no answer')\n");
    }

    /** A server in {@code ns} answering every TCP connection (or UDP datagram) with the peer's address. */
    private void serve(String ns, int port, boolean udp) throws IOException {
        String code = udp
                ? "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0'," + port
                        + "))\nwhile True:\n d,a=s.recvfrom(100)\n s.sendto(a[0].encode(),a)\n"
                : "import socket\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                        + "s.bind(('0.0.0.0'," + port + "))\ns.listen(16)\nwhile True:\n c,a=s.accept()\n"
                        + " c.sendall(a[0].encode())\n c.close()\n";
        servers.add(new ProcessBuilder("ip", "netns", "exec", ns, "python3", "-c", code)
                .redirectErrorStream(true)
                .start());
    }

    /** From {@code ns}, what the server at {@code host:port} says our address is (retrying while it starts). */
    private static String ask(String ns, String host, int port, boolean udp) throws IOException {
        String code = udp
                ? "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.settimeout(0.5)\n"
                        + "for i in range(20):\n try:\n  s.sendto(b'x',('" + host + "'," + port + "))\n"
                        + "  print(s.recvfrom(100)[0].decode()); break\n except OSError: pass\n"
                        + "else: print('no answer')\n"
                : "import socket,time\nfor i in range(40):\n try:\n  s=socket.create_connection(('" + host + "',"
                        + port + "),timeout=1)\n  print(s.recv(100).decode()); break\n"
                        + " except OSError: time.sleep(0.1)\nelse: print('no answer')\n";
        return exec(ns, code);
    }

    @Test
    void masqueradeAndPublishedPortsCarryRealTraffic(Sandbox sandbox) throws Exception {
        String rulesetBefore = Sandbox.run("nft", "list", "ruleset");
        String outside = sandbox.newNamespace("out");
        String pod1 = sandbox.newNamespace("p1");
        String pod2 = sandbox.newNamespace("p2");
        String pod3 = sandbox.newNamespace("p3");
        sandbox.ip("link", "add", "pnup0", "type", "veth", "peer", "name", "o0", "netns", outside);
        sandbox.ip("addr", "add", UPLINK + "/24", "dev", "pnup0");
        sandbox.ip("link", "set", "pnup0", "up");
        sandbox.ip("link", "set", "lo", "up");
        Sandbox.ipIn(outside, "addr", "add", OUTSIDE + "/24", "dev", "o0");
        Sandbox.ipIn(outside, "link", "set", "o0", "up");
        Sandbox.ipIn(outside, "link", "set", "lo", "up");
        try (Dataplane dp = open(sandbox, StepObserver.NONE)) {
            create(
                    dp,
                    NetworkSpec.bridge("nat", "pnbr9", "198.19.9.0/24")
                            .withIpMasq(true)
                            .withHairpin(true));
            Endpoint p1 = dp.endpoints()
                    .add(EndpointSpec.of("nat", "nat-p1", NetNs.named(pod1))
                            .withPortMapping(PortMapping.parse("8080:80/tcp"))
                            .withPortMapping(PortMapping.parse("5353:53/udp")))
                    .block(T);
            String p1Address = p1.address().split("/")[0];
            // a UDP flow to a port not yet published: its conntrack entry, untranslated, stays
            String stale = exec(
                    outside,
                    "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',40053))\n"
                            + "s.sendto(b'x',('" + UPLINK + "',5454))\nprint('sent')\n");
            assertEquals("sent", stale);
            dp.endpoints()
                    .add(EndpointSpec.of("nat", "nat-p2", NetNs.named(pod2))
                            .withPortMapping(PortMapping.parse("5454:53/udp"))
                            .withPortMapping(PortMapping.parse(UPLINK + ":6060:80/tcp")))
                    .block(T);
            serve(pod2, 80, false);
            serve(pod2, 53, true);
            serve(pod1, 80, false);
            serve(pod1, 53, true);
            serve(outside, 7000, false);

            // a pod reaches outside (which has no route back to the pods) and is seen as the host
            assertEquals(UPLINK, ask(pod1, OUTSIDE, 7000, false));
            // outside reaches the pod's servers through the host's ports, and is seen as itself
            assertEquals(OUTSIDE, ask(outside, UPLINK, 8080, false));
            assertEquals(OUTSIDE, ask(outside, UPLINK, 5353, true));
            // the same UDP flow (source port 40053) once the port is published: it reaches the pod,
            // its stale conntrack entry deleted when the port was published
            assertEquals(
                    OUTSIDE,
                    exec(
                            outside,
                            "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.settimeout(0.5)\n"
                                    + "s.bind(('0.0.0.0',40053))\nfor i in range(10):\n try:\n  s.sendto(b'x',('"
                                    + UPLINK + "',5454))\n  print(s.recvfrom(100)[0].decode()); break\n"
                                    + " except OSError: pass\nelse: print('no answer')\n"));
            // a mapping for one host address: to that address only
            assertEquals(OUTSIDE, ask(outside, UPLINK, 6060, false));
            assertEquals("no answer", ask(pod1, "198.19.9.1", 6060, false), "not on the host's other addresses");
            // a pod reaches its own published port (hairpin) and another pod's: masqueraded as the gateway
            assertEquals("198.19.9.1", ask(pod1, UPLINK, 8080, false));
            assertEquals("198.19.9.1", ask(pod2, UPLINK, 8080, false));
            // the host itself, at 127.0.0.1 (route_localnet on the bridge), masqueraded as the gateway
            assertEquals("198.19.9.1", ask(sandbox.name(), "127.0.0.1", 8080, false));
            assertEquals(
                    "1",
                    Sandbox.run(
                                    "ip",
                                    "netns",
                                    "exec",
                                    sandbox.name(),
                                    "cat",
                                    "/proc/sys/net/ipv4/conf/pnbr9/route_localnet")
                            .strip());
            // inside the network nothing is translated
            assertEquals("198.19.9.3", ask(pod2, p1Address, 80, false));

            // a host port already published: refused, nothing of the endpoint made
            EndpointOperationException taken = assertThrows(
                    EndpointOperationException.class,
                    () -> dp.endpoints()
                            .add(EndpointSpec.of("nat", "nat-p3", NetNs.named(pod3))
                                    .withPortMapping(PortMapping.parse("9090:90/tcp"))
                                    .withPortMapping(PortMapping.parse("8080:80/tcp")))
                            .block(T));
            assertTrue(taken.getMessage().contains("EEXIST"), taken.getMessage());
            assertTrue(taken.getMessage().contains("8080:80/tcp"), taken.getMessage());
            assertEquals(null, dp.endpoints().get("nat-p3", "eth0").block(T));
            assertFalse(Sandbox.ipIn(pod3, "-o", "link").contains("eth0"));
            String ports = nftIn(sandbox, "list", "map", "inet", "podnet", "ports4");
            assertFalse(ports.contains("9090"), "nothing of the refused add: " + ports);
            assertTrue(ports.contains("comment \"podnet:nat-p1/eth0\""), ports);

            // removing the endpoint withdraws its ports
            dp.endpoints().remove("nat-p1", "eth0").block(T);
            ports = nftIn(sandbox, "list", "map", "inet", "podnet", "ports4");
            assertFalse(ports.contains("8080"), ports);
            dp.endpoints().remove("nat-p2", "eth0").block(T);
            dp.networks().delete("nat", false).block(T);
            String masq = nftIn(sandbox, "list", "set", "inet", "podnet", "masq4");
            assertFalse(masq.contains("198.19.9.0/24"), "the network's elements go with it: " + masq);
        } finally {
            for (Process p : servers) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        assertEquals(rulesetBefore, Sandbox.run("nft", "list", "ruleset"), "the root namespace's nf_tables untouched");
    }

    /** Runs {@code nft args...} inside the sandbox and returns its output. */
    private static String nftIn(Sandbox sandbox, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", sandbox.name(), "nft"));
        cmd.addAll(List.of(args));
        return Sandbox.run(cmd.toArray(String[]::new));
    }

    @Test
    void reconcileRestoresMissingPortsAndWithdrawsStaleOnes(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        try (Dataplane dp = open(sandbox, StepObserver.NONE)) {
            create(dp, NetworkSpec.bridge("nat", "pnbr8", "198.19.8.0/24").withIpMasq(true));
            dp.endpoints()
                    .add(EndpointSpec.of("nat", "rec-p1", NetNs.named(pod))
                            .withPortMapping(PortMapping.parse("8080:80/tcp")))
                    .block(T);
            // what a kill or a hand at nft leaves: the endpoint's element gone, one of an endpoint that is not
            nftIn(sandbox, "delete", "element", "inet", "podnet", "ports4", "{ tcp . 8080 }");
            nftIn(
                    sandbox,
                    "add",
                    "element",
                    "inet",
                    "podnet",
                    "ports4",
                    "{ tcp . 9999 comment \"podnet:ghost/eth0\" : 198.19.8.77 . 80 }");
            // and the elements of a network deleted while podnet was down
            nftIn(sandbox, "add", "element", "inet", "podnet", "masq4", "{ 198.19.77.0/24 }");
            nftIn(sandbox, "add", "element", "inet", "podnet", "same4", "{ 198.19.77.0/24 . 198.19.77.0/24 }");
            nftIn(sandbox, "add", "element", "inet", "podnet", "bridges", "{ \"pnbrgone\" }");

            ReconcileReport dry = dp.reconciler().run(true).block(T);
            assertTrue(
                    dry.actions().stream()
                            .anyMatch(a -> a.startsWith("restored published port 8080:80/tcp of rec-p1/eth0")),
                    dry.toString());
            assertTrue(
                    dry.actions().stream().anyMatch(a -> a.contains("stale") && a.contains("podnet:ghost/eth0")),
                    dry.toString());
            String before = nftIn(sandbox, "list", "map", "inet", "podnet", "ports4");
            assertFalse(before.contains("8080"), "a dry run changes nothing: " + before);
            assertTrue(before.contains("9999"), before);

            ReconcileReport done = dp.reconciler().run(false).block(T);
            assertEquals(5, done.actions().size(), done.toString());
            String table = nftIn(sandbox, "list", "table", "inet", "podnet");
            assertFalse(table.contains("198.19.77.0") || table.contains("pnbrgone"), table);
            assertTrue(table.contains("elements = { 198.19.8.0/24 }"), "the network that is there keeps its: " + table);
            assertTrue(table.contains("\"pnbr8\""), table);
            String after = nftIn(sandbox, "list", "map", "inet", "podnet", "ports4");
            assertTrue(after.contains("tcp . 8080 comment \"podnet:rec-p1/eth0\" : 198.19.8.2 . 80"), after);
            assertFalse(after.contains("9999"), after);
            assertTrue(dp.reconciler().run(false).block(T).clean(), "nothing left to do");
            dp.endpoints().remove("rec-p1", "eth0").block(T);
        }
    }

    @Test
    void reconcileLeavesTheElementsOfAnAddInFlightAlone(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        java.util.concurrent.CountDownLatch published = new java.util.concurrent.CountDownLatch(1);
        reactor.core.publisher.Sinks.Empty<Void> release = reactor.core.publisher.Sinks.empty();
        // the add stops after publish-ports: its elements are in the table, its record still CREATING
        StepObserver pause = step -> step.equals("publish-ports")
                ? reactor.core.publisher.Mono.<Void>fromRunnable(published::countDown)
                        .then(release.asMono())
                : reactor.core.publisher.Mono.empty();
        try (Dataplane dp = open(sandbox, pause)) {
            create(dp, NetworkSpec.bridge("nat", "pnbr6", "198.19.6.0/24"));
            java.util.concurrent.CompletableFuture<Endpoint> adding = dp.endpoints()
                    .add(EndpointSpec.of("nat", "fly-p1", NetNs.named(pod))
                            .withPortMapping(PortMapping.parse("8080:80/tcp")))
                    .toFuture();
            assertTrue(published.await(20, TimeUnit.SECONDS), "the add reached publish-ports");
            ReconcileReport during = dp.reconciler().run(false).block(T);
            assertTrue(
                    during.actions().stream().noneMatch(a -> a.contains("published port")),
                    "an add in flight is left to itself: " + during);
            assertTrue(nftIn(sandbox, "list", "map", "inet", "podnet", "ports4").contains("podnet:fly-p1/eth0"));
            release.tryEmitEmpty();
            assertEquals(
                    dev.podnet.dataplane.EndpointState.READY,
                    adding.get(20, TimeUnit.SECONDS).state());
            dp.endpoints().remove("fly-p1", "eth0").block(T);
        }
    }

    @Test
    void aDualStackPtpNetworkMasqueradesAndPublishesBothFamilies(Sandbox sandbox) throws Exception {
        String outside = sandbox.newNamespace("out");
        String pod = sandbox.newNamespace("p");
        sandbox.ip("link", "add", "pnup0", "type", "veth", "peer", "name", "o0", "netns", outside);
        sandbox.ip("addr", "add", UPLINK + "/24", "dev", "pnup0");
        sandbox.ip("-6", "addr", "add", "fd00:200::1/64", "dev", "pnup0", "nodad");
        sandbox.ip("link", "set", "pnup0", "up");
        Sandbox.ipIn(outside, "addr", "add", OUTSIDE + "/24", "dev", "o0");
        Sandbox.ipIn(outside, "-6", "addr", "add", "fd00:200::2/64", "dev", "o0", "nodad");
        Sandbox.ipIn(outside, "link", "set", "o0", "up");
        Sandbox.ipIn(outside, "link", "set", "lo", "up");
        try (Dataplane dp = open(sandbox, StepObserver.NONE)) {
            create(
                    dp,
                    NetworkSpec.ptp("nat6", "198.19.10.0/24")
                            .withIpv6("fd00:10::/64")
                            .withIpMasq(true));
            dp.endpoints()
                    .add(EndpointSpec.of("nat6", "six-p1", NetNs.named(pod))
                            .withPortMapping(PortMapping.parse("8080:80/tcp")))
                    .block(T);
            serve6(pod, 80);
            serve6(outside, 7000);
            // the pod reaches outside over both families, seen as the host's uplink addresses
            assertEquals(UPLINK, ask(pod, OUTSIDE, 7000, false).replace("::ffff:", ""));
            assertEquals("fd00:200::1", ask6(pod, "fd00:200::2", 7000));
            // outside reaches the pod through the host's port over both families, seen as itself
            assertEquals(OUTSIDE, ask(outside, UPLINK, 8080, false).replace("::ffff:", ""));
            assertEquals("fd00:200::2", ask6(outside, "fd00:200::1", 8080));
            dp.endpoints().remove("six-p1", "eth0").block(T);
        } finally {
            for (Process p : servers) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
