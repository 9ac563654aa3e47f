package dev.podnet.dataplane.internal.link;

import static dev.podnet.dataplane.internal.link.RouteClients.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.route.NextHop;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.Rtm;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.util.List;
import org.junit.jupiter.api.Test;

@KernelTest
class RouteBuildersTest {
    @Test
    void metricsAndMultipathRoutesReachTheKernelAsBuilt(Sandbox sandbox) throws Exception {
        sandbox.ip("link", "add", "br0", "type", "bridge");
        sandbox.ip("link", "set", "br0", "up");
        sandbox.ip("addr", "add", "198.18.0.1/16", "dev", "br0");
        NetlinkClient rtnl = RouteClients.openIn(sandbox);
        try {
            int br = RouteClients.indexOf(rtnl, "br0");
            rtnl.execute(Routes.via(
                            Cidr.parse("198.20.0.0/24"), Cidr.parseAddress("198.18.0.7", "gw"), br, 77, 1400, 1360))
                    .block(T);
            rtnl.execute(Routes.multipath(
                            Cidr.parse("198.20.1.0/24"),
                            List.of(
                                    new NextHop(0, 1, br, Cidr.parseAddress("198.18.0.7", "gw")),
                                    new NextHop(0, 3, br, Cidr.parseAddress("198.18.0.8", "gw")))))
                    .block(T);

            String shown = sandbox.ip("route", "show");
            assertTrue(
                    shown.contains("198.20.0.0/24 via 198.18.0.7 dev br0 proto static metric 77 mtu 1400 advmss 1360"),
                    shown);
            assertTrue(shown.contains("nexthop via 198.18.0.7 dev br0 weight 1"), shown);
            assertTrue(shown.contains("nexthop via 198.18.0.8 dev br0 weight 3"), shown);

            List<RouteMessage> back = rtnl.dump(Routes.dumpTable(Rtm.AF_INET, 254))
                    .cast(RouteMessage.class)
                    .collectList()
                    .block(T);
            RouteMessage ecmp = back.stream()
                    .filter(r -> r.destination() != null
                            && r.destination().getHostAddress().equals("198.20.1.0"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    List.of(3, 1).stream().sorted().toList(),
                    ecmp.nextHops().stream().map(NextHop::weight).sorted().toList());
            assertThrowsIllegal(
                    () -> Routes.multipath(Cidr.parse("198.20.2.0/24"), List.of(new NextHop(0, 1, br, null))));
            assertThrowsIllegal(() -> new NextHop(0, 0, br, null));
        } finally {
            rtnl.close().block(T);
        }
    }

    private static void assertThrowsIllegal(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException expected) {
            return;
        }
        throw new AssertionError("expected IllegalArgumentException");
    }
}
