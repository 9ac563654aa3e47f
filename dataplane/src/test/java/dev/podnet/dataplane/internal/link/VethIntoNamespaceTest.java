package dev.podnet.dataplane.internal.link;

import static dev.podnet.dataplane.internal.link.RouteClients.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.internal.sys.LibC;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.util.List;
import org.junit.jupiter.api.Test;

@KernelTest
class VethIntoNamespaceTest {
    @Test
    void oneMessageCreatesTheVethWithItsPeerInsideThePod(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("pod");
        NetlinkClient host = RouteClients.openIn(sandbox);
        NetlinkClient inPod = RouteClients.openIn(java.nio.file.Path.of("/run/netns", pod));
        int podFd = LibC.open("/run/netns/" + pod, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        try {
            LinkMessage br =
                    (LinkMessage) host.request(Links.newBridge("br9", 1450)).block(T);
            host.executeBatch(List.of(Links.noIpv6LinkLocal(br.index()), Links.up(br.index())))
                    .block(T);
            MacAddress mac = MacAddress.parse("02:aa:bb:cc:dd:ee");
            LinkMessage echo = (LinkMessage) host.request(Links.newVethIntoNamespace(
                            new VethSpec("hostend0", br.index(), 1450, 7, "eth0", podFd, mac, true, true)))
                    .block(T);
            assertEquals("hostend0", echo.name());
            int peer = echo.attributes().u32(Ifla.IFLA_LINK, 0);
            inPod.executeBatch(List.of(
                            Links.noIpv6LinkLocal(peer),
                            Links.up(peer),
                            Addresses.add(peer, Cidr.parse("198.18.9.2/24")),
                            Routes.defaultVia(Cidr.parseAddress("198.18.9.1", "gw"), peer)))
                    .block(T);

            String hostSide = sandbox.ip("-o", "-d", "link", "show", "hostend0");
            assertTrue(
                    hostSide.contains("master br9")
                            && hostSide.contains("mtu 1450")
                            && hostSide.contains("group 7")
                            && hostSide.contains("state UP"),
                    "the host end came up in the create: " + hostSide);
            String podSide = Sandbox.ipIn(pod, "-o", "-d", "link", "show", "eth0");
            assertTrue(
                    podSide.contains("02:aa:bb:cc:dd:ee")
                            && podSide.contains("mtu 1450")
                            && podSide.contains("addrgenmode none")
                            && podSide.contains("UP"),
                    podSide);
            assertTrue(
                    podSide.startsWith(peer + ":"), "IFLA_LINK of the echo is the peer's index in the pod: " + podSide);
            assertTrue(Sandbox.ipIn(pod, "route").contains("default via 198.18.9.1 dev eth0"));

            // the host end names the pod's namespace by an id; RTM_GETNSID on the namespace's descriptor gives the same
            // id
            LinkMessage hostEnd =
                    (LinkMessage) host.request(Links.getByName("hostend0")).block(T);
            var nsid = (dev.podnet.netlink.route.NsidMessage)
                    host.request(dev.podnet.netlink.route.NsidMessage.getByFd(podFd))
                            .block(T);
            assertTrue(nsid.nsid() >= 0, nsid.toString());
            assertEquals(nsid.nsid(), hostEnd.linkNetnsId());

            host.execute(Links.deleteByName("hostend0")).block(T);
            assertEquals(1, Sandbox.ipIn(pod, "-o", "link").lines().count(), "deleting the host end took the pod end");
        } finally {
            LibC.close(podFd);
            host.close().block(T);
            inPod.close().block(T);
        }
    }
}
