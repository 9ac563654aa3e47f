package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.api.Json;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code podnet network|endpoint|ipam} against the kernel, with a sandbox as host. */
@KernelTest
class ModelCommandsTest {
    @TempDir
    Path state;

    MainTest.Result podnet(Sandbox sandbox, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--state-dir";
        all[1] = state.toString();
        all[2] = "--host-netns";
        all[3] = sandbox.name();
        System.arraycopy(args, 0, all, 4, args.length);
        return MainTest.run(all);
    }

    /** {@code podnet} with a command line written as one would type it (words split at spaces). */
    MainTest.Result command(Sandbox sandbox, String line) {
        return podnet(sandbox, line.split(" +"));
    }

    /** The JSON {@code podnet} prints for a command line (as {@link #command} takes it) that must succeed. */
    @SuppressWarnings("unchecked")
    <T> T json(Sandbox sandbox, String line) {
        MainTest.Result r = command(sandbox, line);
        assertEquals(0, r.code(), line + " -> " + r.err());
        return (T) Json.read(r.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPtpNetworkWithALinkLocalGateway(Sandbox sandbox) throws Exception {
        Map<String, Object> net =
                json(sandbox, "network create ll --mode ptp --link-local-gateway --subnet 198.19.7.0/24 --json");
        assertEquals(true, net.get("link_local_gateway"));
        assertEquals("169.254.1.1", net.get("gateway"));
        MainTest.Result bridge =
                command(sandbox, "network create llb --bridge pnbrll --subnet 198.19.8.0/24 --link-local-gateway");
        assertEquals(2, bridge.code(), bridge.err());
        assertTrue(bridge.err().contains("a link-local gateway (linkLocalGateway) is for ptp networks"), bridge.err());
        assertFalse(sandbox.ip("-br", "link").contains("pnbrll"), "no bridge made");
    }

    @Test
    @SuppressWarnings("unchecked")
    void networksAndEndpointsFromTheCommandLine(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        Map<String, Object> net =
                json(sandbox, "network create pods --bridge pnbr0 --subnet 198.18.0.0/16 --mtu 1450 --json");
        assertEquals("bridge", net.get("mode"));
        assertEquals("198.18.0.1", net.get("gateway"));

        Map<String, Object> cni = json(
                sandbox,
                "endpoint add --network pods --container-id cafe0001 --netns " + pod
                        + " --pod-name web-0 --pod-namespace default --json");
        assertEquals("1.1.0", cni.get("cniVersion"));
        List<Map<String, Object>> ifs = (List<Map<String, Object>>) cni.get("interfaces");
        assertEquals("eth0", ifs.get(1).get("name"));
        assertEquals("/run/netns/" + pod, ifs.get(1).get("sandbox"));
        Map<String, Object> ip = ((List<Map<String, Object>>) cni.get("ips")).get(0);
        assertEquals("198.18.0.2/16", ip.get("address"));
        assertEquals("198.18.0.1", ip.get("gateway"));
        assertEquals(1L, ip.get("interface"));
        assertEquals(
                "0.0.0.0/0",
                ((List<Map<String, Object>>) cni.get("routes")).get(0).get("dst"));
        assertTrue(Sandbox.ipIn(pod, "-o", "link", "show", "eth0").contains("mtu 1450"));

        List<Object> found = (List<Object>) Json.read(
                podnet(sandbox, "endpoint", "list", "--pod-prefix", "web-", "--pod-namespace", "default", "--json")
                        .out());
        assertEquals(1, found.size());
        Map<String, Object> ipam = (Map<String, Object>)
                Json.read(podnet(sandbox, "ipam", "show", "--json").out());
        assertEquals(Map.of("198.18.0.2", "cafe0001/eth0"), ipam.get("pods"));

        MainTest.Result rec = podnet(sandbox, "reconcile", "--dry-run");
        assertEquals(0, rec.code(), rec.err());
        assertTrue(rec.out().contains("1 endpoints checked, nothing to do"), rec.out());
        MainTest.Result check = podnet(sandbox, "endpoint", "check", "--container-id", "cafe0001");
        assertEquals(0, check.code(), check.out() + check.err());
        assertTrue(check.out().contains("the kernel matches the record"), check.out());
        Sandbox.ipIn(pod, "link", "set", "eth0", "down");
        MainTest.Result differs = podnet(sandbox, "endpoint", "check", "--container-id", "cafe0001");
        assertEquals(1, differs.code());
        assertTrue(differs.out().contains("eth0 in /run/netns/" + pod + " is down"), differs.out());

        MainTest.Result inUse = podnet(sandbox, "network", "delete", "pods");
        assertEquals(2, inUse.code());
        assertEquals(1, inUse.err().strip().lines().count(), inUse.err());
        assertTrue(inUse.err().contains("still has 1 endpoint"), inUse.err());

        assertEquals(
                0,
                podnet(sandbox, "endpoint", "del", "--container-id", "cafe0001").code());
        assertEquals(0, podnet(sandbox, "network", "delete", "pods").code());
        assertFalse(sandbox.ip("-o", "link").contains("pnbr0"));
        assertEquals("[]", podnet(sandbox, "network", "list", "--json").out().strip());
    }

    @Test
    @SuppressWarnings("unchecked")
    void rangesDualStackPtpAndUpdatesFromTheCommandLine(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        Map<String, Object> net = json(
                sandbox,
                "network create p2p --mode ptp --subnet 198.19.0.0/24 --range 198.19.0.10-198.19.0.11 --range 198.19.0.50- --reserved 198.19.0.10 --subnet6 fd00:19::/64 --range6 fd00:19::a-fd00:19::f --json");
        assertEquals(List.of("198.19.0.10-198.19.0.11", "198.19.0.50-198.19.0.254"), net.get("ranges"));
        assertEquals(List.of("fd00:19::a-fd00:19::f"), net.get("ranges6"));
        assertEquals(List.of("198.19.0.10"), net.get("reserved"));

        Map<String, Object> added =
                json(sandbox, "endpoint add --network p2p --container-id cafe0002 --netns " + pod + " --json");
        List<Map<String, Object>> ips = (List<Map<String, Object>>) added.get("ips");
        assertEquals("198.19.0.11/24", ips.get(0).get("address"), "the first range, past the reserved address");
        assertEquals("fd00:19::a/64", ips.get(1).get("address"));

        Map<String, Object> ep = json(
                sandbox,
                "endpoint update --container-id cafe0002 --mtu 1400 --route 198.20.0.0/24=198.19.0.1,fd00:20::/64=fd00:19::1 --json");
        assertEquals(1400L, ep.get("mtu"));
        assertEquals(List.of("198.20.0.0/24 via 198.19.0.1", "fd00:20::/64 via fd00:19::1"), ep.get("routes"));
        assertTrue(Sandbox.ipIn(pod, "-6", "route").contains("fd00:20::/64 via fd00:19::1 dev eth0"));
        Map<String, Object> cni = (Map<String, Object>)
                Json.read(podnet(sandbox, "endpoint", "show", "--container-id", "cafe0002", "--json")
                        .out());
        assertEquals(4, ((List<Object>) cni.get("routes")).size(), "default routes of both families and the two added");
        MainTest.Result check = podnet(sandbox, "endpoint", "check", "--container-id", "cafe0002");
        assertEquals(0, check.code(), check.out() + check.err());

        MainTest.Result noChange = podnet(sandbox, "endpoint", "update", "--container-id", "cafe0002");
        assertEquals(2, noChange.code());
        assertTrue(noChange.err().contains("say what to change"), noChange.err());
        MainTest.Result badRoute =
                podnet(sandbox, "endpoint", "update", "--container-id", "cafe0002", "--route", "198.20.0.0/24");
        assertEquals(2, badRoute.code());
        assertTrue(badRoute.err().contains("--route must be DST=GATEWAY"), badRoute.err());
        Map<String, Object> ipam = (Map<String, Object>)
                Json.read(podnet(sandbox, "ipam", "show", "--json").out());
        assertEquals(Map.of("198.19.0.11", "cafe0002/eth0", "fd00:19::a", "cafe0002/eth0"), ipam.get("p2p"));
        assertEquals(
                0,
                podnet(sandbox, "endpoint", "del", "--container-id", "cafe0002").code());
    }

    @Test
    void badInputGetsOneLineAndExitCode2AndTouchesNothing(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        assertEquals(
                0,
                podnet(sandbox, "network", "create", "pods", "--bridge", "pnbr0", "--subnet", "198.18.0.0/16")
                        .code());
        List<String> before = linkNames(sandbox);
        String[][] cases = {
            {"network", "create", "x", "--bridge", "pnbr9", "--subnet", "198.18.0.0/33"},
            {"network", "create", "x", "--bridge", "pnbr9", "--subnet", "198.18.0.0/24", "--gateway", "198.19.0.1"},
            {"network", "create", "x", "--bridge", "a-very-long-bridge-name", "--subnet", "198.18.0.0/24"},
            {"network", "create", "x", "--mode", "ptp", "--subnet", "198.19.0.0/16", "--hairpin"},
            {"network", "create", "x", "--mode", "mesh", "--subnet", "198.19.0.0/16"},
            {"network", "create", "x", "--subnet", "198.19.0.0/16"},
            {"network", "create", "x", "--bridge", "pnbr9", "--subnet", "198.18.0.0/24", "--range", "198.18.0.9"},
            {
                "network",
                "create",
                "x",
                "--bridge",
                "pnbr9",
                "--subnet",
                "198.18.0.0/24",
                "--range",
                "198.18.0.9-198.18.0.2"
            },
            {"network", "create", "x", "--bridge", "pnbr9", "--subnet", "198.18.0.0/24", "--reserved", "198.99.0.1"},
            {"endpoint", "add", "--network", "pods", "--container-id", "c1", "--netns", pod, "--if", "much-too-long-if0"
            },
            {"endpoint", "add", "--network", "pods", "--container-id", "c1", "--netns", pod, "--if", "a/b"},
            {"endpoint", "add", "--network", "nope", "--container-id", "c1", "--netns", pod},
            {"endpoint", "add", "--network", "pods", "--container-id", "c1", "--netns", "no-such-netns-here"},
            {"endpoint", "add", "--network", "pods", "--container-id", "c1", "--netns", pod, "--mtu", "40"},
            {"endpoint", "add", "--network", "pods", "--container-id", "c1", "--netns", pod, "--mac", "zz:00"},
            {"endpoint", "add", "--network", "pods", "--container-id", "bad id", "--netns", pod},
            {"endpoint", "show", "--container-id", "ghost"},
            {"network", "frobnicate"},
        };
        for (String[] c : cases) {
            MainTest.Result r = podnet(sandbox, c);
            assertEquals(2, r.code(), String.join(" ", c) + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("podnet: "), r.err());
        }
        // each named plainly
        record Named(String says, String line) {}
        List<Named> named = List.of(
                new Named(
                        "subnet 198.18.0.0/25 overlaps network pods's subnet 198.18.0.0/16",
                        "network create x --bridge pnbr9 --subnet 198.18.0.0/25"),
                new Named(
                        "is the host namespace itself",
                        "endpoint add --network pods --container-id c1 --netns " + sandbox.name()),
                new Named(
                        "mtu 100 is outside 1280..65535",
                        "endpoint add --network pods --container-id c1 --netns " + pod + " --mtu 100"),
                new Named(
                        "network mtu 100 is outside 1280..65535",
                        "network create y --bridge pnbr9 --subnet 198.20.0.0/24 --mtu 100"),
                new Named(
                        "already exists with other settings: mtu 0 (asked: 1400), hairpin false (asked: true)",
                        "network create pods --bridge pnbr0 --subnet 198.18.0.0/16 --mtu 1400 --hairpin"),
                new Named("network 'nope' does not exist: nothing deleted", "network delete nope"));
        for (Named c : named) {
            MainTest.Result r = command(sandbox, c.line());
            assertEquals(2, r.code(), c.line() + " -> " + r.err());
            assertTrue(r.err().contains(c.says()), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        assertEquals(before, linkNames(sandbox));
        assertEquals(
                "{\"pods\":{}}", podnet(sandbox, "ipam", "show", "--json").out().strip());

        // a second container's eth0 in a namespace that has one: which interface exists where, and nothing made
        assertEquals(
                0,
                podnet(sandbox, "endpoint", "add", "--network", "pods", "--container-id", "c1", "--netns", pod)
                        .code());
        List<String> withOne = linkNames(sandbox);
        MainTest.Result second =
                podnet(sandbox, "endpoint", "add", "--network", "pods", "--container-id", "c2", "--netns", pod);
        assertEquals(2, second.code(), second.err());
        assertTrue(second.err().contains("netns /run/netns/" + pod + " already has an interface eth0"), second.err());
        assertEquals(withOne, linkNames(sandbox));
        assertEquals(
                "{\"pods\":{\"198.18.0.2\":\"c1/eth0\"}}",
                podnet(sandbox, "ipam", "show", "--json").out().strip());
        assertEquals(
                0, podnet(sandbox, "endpoint", "del", "--container-id", "c1").code());
    }

    @Test
    @SuppressWarnings("unchecked")
    void ipv6OnlyNetworksStaticAddressesOfBothFamiliesRoutesAndDnsFromTheCommandLine(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        String pod2 = sandbox.newNamespace("q");
        Map<String, Object> six = json(sandbox, "network create six --bridge pnbr6 --subnet6 fd00:46::/64 --json");
        assertEquals("", six.get("subnet"));
        Map<String, Object> added =
                json(sandbox, "endpoint add --network six --container-id c6 --netns " + pod + " --json");
        List<Map<String, Object>> ips = (List<Map<String, Object>>) added.get("ips");
        assertEquals(
                List.of("fd00:46::2/64"),
                ips.stream().map(i -> i.get("address")).toList());

        MainTest.Result dual = command(
                sandbox,
                "network create dual --mode ptp --subnet 198.19.0.0/24 --subnet6 fd00:19::/64 --route 198.20.0.0/24 --route fd00:20::/64=fd00:19::1 --dns-nameserver 198.19.0.53,fd00:19::53 --dns-search svc.local --json");
        assertEquals(0, dual.code(), dual.err());
        Map<String, Object> cni = json(
                sandbox,
                "endpoint add --network dual --container-id c4 --netns " + pod2
                        + " --ip 198.19.0.77,fd00:19::77 --json");
        assertEquals(
                List.of("198.19.0.77/24", "fd00:19::77/64"),
                ((List<Map<String, Object>>) cni.get("ips"))
                        .stream().map(i -> i.get("address")).toList());
        assertEquals(
                List.of("0.0.0.0/0", "::/0", "198.20.0.0/24", "fd00:20::/64"),
                ((List<Map<String, Object>>) cni.get("routes"))
                        .stream().map(r -> r.get("dst")).toList());
        assertEquals(
                Map.of("nameservers", List.of("198.19.0.53", "fd00:19::53"), "search", List.of("svc.local")),
                cni.get("dns"));
        assertTrue(Sandbox.ipIn(pod2, "-6", "route").contains("fd00:20::/64 via fd00:19::1 dev eth0"));
        assertEquals(
                0, podnet(sandbox, "endpoint", "del", "--container-id", "c4").code());
        assertEquals(
                0, podnet(sandbox, "endpoint", "del", "--container-id", "c6").code());
    }

    @Test
    void anUplinkHoldingAddressesIsRefusedBeforeTheBridgeIsMade(Sandbox sandbox) throws Exception {
        // a veth stands for the node's NIC: one end with an address and a route, the other bare
        sandbox.ip("link", "add", "pnnic0", "type", "veth", "peer", "name", "pnnic1");
        sandbox.ip("addr", "add", "198.18.50.2/24", "dev", "pnnic0");
        sandbox.ip("link", "set", "pnnic0", "up");
        String routesBefore = sandbox.ip("route");
        MainTest.Result refused =
                command(sandbox, "network create pods --bridge pnbr0 --subnet 198.18.0.0/24 --uplink pnnic0");
        assertEquals(2, refused.code(), refused.err());
        assertTrue(
                refused.err()
                        .contains("uplink pnnic0 holds 198.18.50.2/24; enslaved to bridge pnbr0 it would lose them"),
                refused.err());
        assertFalse(sandbox.ip("-br", "link").contains("pnbr0"), "no bridge made");
        assertTrue(sandbox.ip("addr", "show", "pnnic0").contains("198.18.50.2/24"));
        assertFalse(sandbox.ip("link", "show", "pnnic0").contains("master"));
        assertEquals(routesBefore, sandbox.ip("route"));
        assertEquals("[]", podnet(sandbox, "network", "list", "--json").out().strip());

        MainTest.Result bare =
                command(sandbox, "network create pods --bridge pnbr0 --subnet 198.18.0.0/24 --uplink pnnic1");
        assertEquals(0, bare.code(), bare.err());
        assertTrue(sandbox.ip("link", "show", "pnnic1").contains("master pnbr0"));
        assertEquals(0, podnet(sandbox, "network", "delete", "pods").code());
    }

    @Test
    @SuppressWarnings("unchecked")
    void endpointIdsAreUniqueAndPrefixesMustBeUnambiguous(Sandbox sandbox) throws Exception {
        assertEquals(
                0,
                podnet(sandbox, "network", "create", "pods", "--bridge", "pnbr0", "--subnet", "198.18.0.0/24")
                        .code());
        for (String id : new String[] {"churn00000000", "churn00000001", "web1"}) {
            assertEquals(
                    0,
                    command(
                                    sandbox,
                                    "endpoint add --network pods --container-id " + id + " --netns "
                                            + sandbox.newNamespace(id))
                            .code());
        }
        List<Map<String, Object>> all = (List<Map<String, Object>>)
                Json.read(podnet(sandbox, "endpoint", "list", "--json").out());
        assertEquals(
                List.of("churn00000000/eth0", "churn00000001/eth0", "web1/eth0"),
                all.stream().map(e -> (String) e.get("id")).sorted().toList());
        MainTest.Result ambiguous = podnet(sandbox, "endpoint", "show", "--container-id", "churn0000000");
        assertEquals(2, ambiguous.code());
        assertTrue(
                ambiguous
                        .err()
                        .contains(
                                "container id 'churn0000000' is ambiguous: it names churn00000000/eth0, churn00000001/eth0"),
                ambiguous.err());
        Map<String, Object> web = (Map<String, Object>) Json.read(
                podnet(sandbox, "endpoint", "show", "--container-id", "we").out());
        assertEquals("web1", web.get("container_id"), "an unambiguous prefix names its endpoint");
        assertEquals(
                2,
                podnet(sandbox, "endpoint", "del", "--container-id", "churn").code(),
                "never removes several at once");
        assertEquals(
                3,
                ((List<Object>) Json.read(
                                podnet(sandbox, "endpoint", "list", "--json").out()))
                        .size());

        // detach before delete (libnetwork's rule), or force
        assertEquals(
                0,
                podnet(sandbox, "endpoint", "attach", "--container-id", "web1", "--sandbox-key", "sb-1")
                        .code());
        MainTest.Result attached = podnet(sandbox, "endpoint", "del", "--container-id", "web1");
        assertEquals(2, attached.code());
        assertTrue(
                attached.err().contains("endpoint web1/eth0 is attached to sandbox sb-1; detach it first"),
                attached.err());
        assertTrue(Sandbox.ipIn(sandbox.name() + "-web1", "-br", "link").contains("eth0"), "still plugged in");
        assertEquals(
                0,
                podnet(sandbox, "endpoint", "detach", "--container-id", "web1").code());
        assertEquals(
                0, podnet(sandbox, "endpoint", "del", "--container-id", "web1").code());
        assertEquals(
                0,
                podnet(sandbox, "endpoint", "attach", "--container-id", "churn00000000", "--sandbox-key", "sb-2")
                        .code());
        assertEquals(
                0,
                podnet(sandbox, "endpoint", "del", "--container-id", "churn00000000", "--force")
                        .code());
        assertEquals(
                0,
                podnet(sandbox, "endpoint", "del", "--container-id", "churn00000001")
                        .code());
        assertEquals("[]", podnet(sandbox, "endpoint", "list", "--json").out().strip());
    }

    /** The sandbox's link names (their states change on their own: a bridge without ports loses its carrier). */
    private static List<String> linkNames(Sandbox sandbox) throws Exception {
        return sandbox.ip("-o", "link")
                .lines()
                .map(l -> l.split(": ")[1].split("@")[0])
                .sorted()
                .toList();
    }

    @Test
    void ipMasqAndPublishedPortsFromTheCommandLine(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("p");
        MainTest.Result created =
                command(sandbox, "network create nat --bridge pnbr5 --subnet 198.19.5.0/24 --ip-masq --json");
        assertEquals(0, created.code(), created.err());
        assertTrue(created.out().contains("\"ip_masq\":true"), created.out());
        String add = "endpoint add --network nat --container-id pub1 --netns " + pod + " --publish ";
        MainTest.Result bad = podnet(sandbox, (add + "8080").split(" "));
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.err().contains("is not [HOSTIP:]HOSTPORT:PORT[/tcp|udp]"), bad.err());
        MainTest.Result added = podnet(sandbox, (add + "8080:80 --publish 5353:53/udp").split(" "));
        assertEquals(0, added.code(), added.err());
        MainTest.Result shown = podnet(sandbox, "endpoint", "list", "--container-id", "pub1", "--json");
        assertTrue(
                shown.out().contains("\"ports\":[\"8080:80/tcp\",\"5353:53/udp\"]"),
                "code " + shown.code() + " out [" + shown.out() + "] err [" + shown.err() + "]");
        String nft = dev.podnet.testing.Sandbox.run(
                "ip", "netns", "exec", sandbox.name(), "nft", "list", "table", "inet", "podnet");
        assertTrue(nft.contains("tcp . 8080 comment \"podnet:pub1/eth0\" : 198.19.5.2 . 80"), nft);
        assertTrue(nft.contains("udp . 5353 comment \"podnet:pub1/eth0\" : 198.19.5.2 . 53"), nft);
        assertTrue(nft.contains("198.19.5.0/24"), "the network masquerades: " + nft);
        assertEquals(
                0, podnet(sandbox, "endpoint", "del", "--container-id", "pub1").code());
        nft = dev.podnet.testing.Sandbox.run(
                "ip", "netns", "exec", sandbox.name(), "nft", "list", "map", "inet", "podnet", "ports4");
        assertFalse(nft.contains("8080"), nft);
    }
}
