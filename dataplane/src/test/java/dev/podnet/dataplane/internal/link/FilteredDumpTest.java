package dev.podnet.dataplane.internal.link;

import static dev.podnet.dataplane.internal.link.RouteClients.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.Rtm;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** With strict checking on, the kernel filters dumps: only what was asked for crosses the socket. */
@KernelTest
class FilteredDumpTest {
    @Test
    void dumpsAreFilteredByTheKernel(Sandbox sandbox) throws Exception {
        sandbox.ip("link", "add", "bra", "type", "bridge");
        sandbox.ip("link", "add", "brb", "type", "bridge");
        sandbox.ip("link", "add", "pa", "type", "veth", "peer", "name", "pb");
        sandbox.ip("link", "set", "pa", "master", "bra");
        sandbox.ip("addr", "add", "198.18.1.1/24", "dev", "bra");
        sandbox.ip("addr", "add", "198.18.1.2/24", "dev", "bra");
        sandbox.ip("addr", "add", "198.18.2.1/24", "dev", "brb");
        sandbox.ip("link", "set", "bra", "up");
        sandbox.ip("route", "add", "198.19.0.0/24", "via", "198.18.1.9", "table", "100");
        NetlinkClient rtnl = RouteClients.openIn(sandbox);
        try {
            int bra = RouteClients.indexOf(rtnl, "bra");

            List<NetlinkMessage> addrs =
                    rtnl.dump(Addresses.dumpOf(Rtm.AF_INET, bra)).collectList().block(T);
            assertEquals(
                    Set.of("198.18.1.1", "198.18.1.2"),
                    addrs.stream()
                            .map(m -> ((AddressMessage) m).address().getHostAddress())
                            .collect(Collectors.toSet()));
            assertTrue(
                    addrs.stream().allMatch(m -> (m.flags() & Netlink.NLM_F_DUMP_FILTERED) != 0),
                    "the kernel filtered");

            List<String> ports = rtnl.dump(Links.dumpPortsOf(bra))
                    .cast(LinkMessage.class)
                    .map(LinkMessage::name)
                    .collectList()
                    .block(T);
            assertEquals(List.of("pa"), ports);

            Set<String> bridges = rtnl.dump(Links.dumpKind("bridge"))
                    .cast(LinkMessage.class)
                    .map(LinkMessage::name)
                    .collect(Collectors.toSet())
                    .block(T);
            assertEquals(Set.of("bra", "brb"), bridges);

            List<NetlinkMessage> t100 =
                    rtnl.dump(Routes.dumpTable(Rtm.AF_INET, 100)).collectList().block(T);
            assertEquals(1, t100.size(), t100.toString());
            assertEquals(
                    "198.19.0.0", ((RouteMessage) t100.get(0)).destination().getHostAddress());
        } finally {
            rtnl.close().block(T);
        }
    }
}
