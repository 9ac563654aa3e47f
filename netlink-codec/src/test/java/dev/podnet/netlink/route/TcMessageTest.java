package dev.podnet.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.Hex;
import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.testing.KernelClients;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Traffic control requests against the kernel, read back with iproute2's {@code tc}: two devices
 * joined as a wire by ingress redirects carry a ping between two namespaces, and a UDP port kept
 * out of the redirect is listed as the keys that say so.
 */
@KernelTest
class TcMessageTest {
    private static final Duration T = Duration.ofSeconds(10);

    @Test
    void aRedirectIsWhatIproute2Sends() {
        // `tc filter add dev <index 2> parent ffff: protocol all prio 1 u32 match u8 0 0 action mirred egress
        // redirect dev <index 3>` as strace shows it, but for NLA_F_NESTED, which podnet sets on every nest
        TcMessage m = TcMessage.redirectAll(2, 1, 3);
        assertEquals(
                Hex.hex(
                        "00 000000 02000000 00000000 0000ffff 00030100", // tcmsg: family, ifindex, handle, parent, info
                        "08000100 75333200", // TCA_KIND "u32"
                        "60000280", // TCA_OPTIONS
                        "38000780 34000180", // TCA_U32_ACT, action 1
                        "0b000100 6d6972726564 0000", // TCA_ACT_KIND "mirred"
                        "24000280 20000200", // TCA_ACT_OPTIONS, TCA_MIRRED_PARMS:
                        "00000000 00000000 04000000 00000000 00000000 01000000 03000000", // stolen, egress redirect, 3
                        "24000500 01000100 00000000 00000000 00000000", // TCA_U32_SEL: terminal, one key
                        "00000000 00000000 00000000 00000000"), // the key: mask 0, value 0 at 0
                Hex.bodyOf(m));
        assertEquals(Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, m.flags());
        assertEquals(1, m.priority());
        assertEquals(TcMessage.ETH_P_ALL, m.protocol());
        assertEquals(3, m.redirectTarget(), "the redirect reads back from the request's own attributes");
        assertEquals(0, TcMessage.keepUdpPort(2, 1, 67).redirectTarget());
        assertEquals(TcMessage.ETH_P_IP, TcMessage.keepUdpPort(2, 1, 67).protocol());
    }

    @Test
    void twoDevicesJoinedByRedirectsCarryAPing(Sandbox sandbox, KernelClients clients) throws Exception {
        // namespace l: 198.19.98.1 on wl; the sandbox: wl's peer "in", wired by redirects to "out";
        // namespace r: 198.19.98.2 on wr, out's peer
        String left = sandbox.newNamespace("l");
        String right = sandbox.newNamespace("r");
        sandbox.ipBatch(List.of(
                "link add in type veth peer name wl netns " + left,
                "link add out type veth peer name wr netns " + right,
                "link set in up",
                "link set out up"));
        Sandbox.ipIn(left, "addr", "add", "198.19.98.1/24", "dev", "wl");
        Sandbox.ipIn(left, "link", "set", "wl", "up");
        Sandbox.ipIn(right, "addr", "add", "198.19.98.2/24", "dev", "wr");
        Sandbox.ipIn(right, "link", "set", "wr", "up");
        NetlinkClient c = clients.open();
        int in = ((LinkMessage) c.request(LinkMessage.request(Rtm.RTM_GETLINK, attrName("in")))
                        .block(T))
                .index();
        int out = ((LinkMessage) c.request(LinkMessage.request(Rtm.RTM_GETLINK, attrName("out")))
                        .block(T))
                .index();
        c.executeBatch(List.of(
                        TcMessage.ingressQdisc(in),
                        TcMessage.ingressQdisc(out),
                        TcMessage.keepUdpPort(in, 1, 67),
                        TcMessage.redirectAll(in, 2, out),
                        TcMessage.redirectAll(out, 2, in)))
                .block(T);

        String shown = sandbox.exec("tc", "filter", "show", "dev", "in", "ingress");
        assertTrue(shown.contains("mirred (Egress Redirect to device out) stolen"), shown);
        assertTrue(shown.contains("match 00110000/00ff0000 at 8"), shown);
        assertTrue(shown.contains("match 00000043/0000ffff at 20"), shown);
        assertTrue(shown.contains("match 05000000/0f000000 at 0"), "no IP options: " + shown);
        assertTrue(shown.contains("match 00000000/00003fff at 4"), "not a fragment: " + shown);
        List<TcMessage> filters = c.dump(TcMessage.dumpIngressFilters(in))
                .cast(TcMessage.class)
                .collectList()
                .block(T);
        assertTrue(
                filters.stream().anyMatch(f -> f.priority() == 2 && f.redirectTarget() == out),
                "the dump reads the redirect back: " + filters);
        assertTrue(filters.stream().allMatch(f -> "u32".equals(f.kind()) && f.index() == in), filters.toString());
        // the kernel holds each selector as it was sent
        for (TcMessage sent : List.of(TcMessage.keepUdpPort(in, 1, 67), TcMessage.redirectAll(in, 2, out))) {
            assertTrue(
                    filters.stream()
                            .anyMatch(f -> f.priority() == sent.priority()
                                    && java.util.Arrays.equals(f.selector(), sent.selector())),
                    "the dump holds the selector sent at priority " + sent.priority() + ": " + filters);
        }

        String ping = Sandbox.run("ip", "netns", "exec", left, "ping", "-c", "1", "-W", "2", "198.19.98.2");
        assertTrue(ping.contains("1 received"), ping);

        // an ingress qdisc is one per device: a second is refused, by name
        expectErrno("EEXIST", () -> c.request(TcMessage.ingressQdisc(in)).block(T));
        c.request(TcMessage.deleteIngressQdisc(in)).block(T);
        assertEquals(
                "", sandbox.exec("tc", "filter", "show", "dev", "in", "ingress").strip(), "its filters went too");
        Throwable stopped = org.junit.jupiter.api.Assertions.assertThrows(
                java.io.IOException.class,
                () -> Sandbox.run("ip", "netns", "exec", left, "ping", "-c", "1", "-W", "1", "198.19.98.2"));
        assertTrue(stopped.getMessage().contains("exited 1"), "no wire, no reply: " + stopped.getMessage());
    }

    private static dev.podnet.netlink.attr.AttributeList attrName(String name) {
        return dev.podnet.netlink.attr.AttributeList.builder()
                .string(Ifla.IFLA_IFNAME, name)
                .build();
    }

    private static void expectErrno(String errno, Executable call) {
        Throwable e = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, call);
        while (!(e instanceof NetlinkException) && e.getCause() != null) {
            e = e.getCause();
        }
        NetlinkException n = assertInstanceOf(NetlinkException.class, e);
        assertTrue(n.getMessage().contains(errno), n.getMessage());
    }
}
