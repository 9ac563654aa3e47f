package dev.podnet.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.testing.KernelClients;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link LinkMessage#stats()} ({@code IFLA_STATS64}) holds the kernel's counters, each in its own
 * field: read between two readings by iproute2 ({@code ip -s -j link}), every counter lies between
 * them, and the traffic the test made is counted. Loopback counts each packet both ways; a veth
 * with a silent peer only sends, so receive and transmit cannot be mistaken for each other.
 */
@KernelTest
class LinkStatsTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final int PINGS = 5;
    /** An ICMP echo with ping's default 56 data bytes, as an IPv4 packet; the counters add the link header. */
    private static final int ECHO_IP_BYTES = 84;

    /** The four counters compared, as iproute2 prints them under {@code stats64}. */
    record Counters(long rxPackets, long txPackets, long rxBytes, long txBytes) {
        static Counters of(Sandbox sandbox, String link) throws IOException {
            String json = sandbox.ip("-s", "-j", "link", "show", "dev", link);
            int stats = json.indexOf("\"stats64\"");
            assertTrue(stats >= 0, "no stats64 in " + json);
            String rx = object(json, "\"rx\":{", stats);
            String tx = object(json, "\"tx\":{", stats);
            return new Counters(number(rx, "packets"), number(tx, "packets"), number(rx, "bytes"), number(tx, "bytes"));
        }

        private static String object(String json, String key, int from) {
            int start = json.indexOf(key, from);
            assertTrue(start >= 0, "no " + key + " in " + json);
            int end = json.indexOf('}', start);
            return json.substring(start + key.length(), end);
        }

        private static long number(String object, String name) {
            Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(object);
            assertTrue(m.find(), "no " + name + " in {" + object + "}");
            return Long.parseLong(m.group(1));
        }
    }

    private static LinkStats64 statsOf(NetlinkClient client, String link) {
        LinkMessage reply = assertInstanceOf(
                LinkMessage.class,
                client.request(LinkMessage.request(
                                Rtm.RTM_GETLINK,
                                0,
                                0,
                                0,
                                0,
                                AttributeList.builder()
                                        .string(Ifla.IFLA_IFNAME, link)
                                        .build()))
                        .block(T));
        LinkStats64 stats = reply.stats();
        assertNotNull(stats, "no IFLA_STATS64 decoded for " + link + ": " + reply);
        return stats;
    }

    private static void assertBetween(String counter, long before, long podnet, long after) {
        assertTrue(
                before <= podnet && podnet <= after,
                counter + ": podnet read " + podnet + ", iproute2 " + before + " just before and " + after
                        + " just after");
    }

    /** podnet's reading of {@code link}, between two of iproute2's. */
    private static LinkStats64 readBetween(Sandbox sandbox, NetlinkClient client, String link) throws IOException {
        Counters before = Counters.of(sandbox, link);
        LinkStats64 podnet = statsOf(client, link);
        Counters after = Counters.of(sandbox, link);
        assertBetween("rx_packets", before.rxPackets(), podnet.rxPackets(), after.rxPackets());
        assertBetween("tx_packets", before.txPackets(), podnet.txPackets(), after.txPackets());
        assertBetween("rx_bytes", before.rxBytes(), podnet.rxBytes(), after.rxBytes());
        assertBetween("tx_bytes", before.txBytes(), podnet.txBytes(), after.txBytes());
        return podnet;
    }

    /** Pings {@code address} from inside the sandbox; returns ping's exit status (1: no reply). */
    private static int ping(Sandbox sandbox, String address) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        sandbox.name(),
                        "ping",
                        "-q",
                        "-n",
                        "-c",
                        String.valueOf(PINGS),
                        "-i",
                        "0.2",
                        "-W",
                        "1",
                        address)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ping " + address + " did not end within 30 s");
        }
        return p.exitValue();
    }

    @Test
    void loopbackCountersAreWhatIproute2ReadsAndCountThePings(Sandbox sandbox, KernelClients clients) throws Exception {
        sandbox.ip("link", "set", "lo", "up");
        assertEquals(0, ping(sandbox, "127.0.0.1"), "loopback answers");
        NetlinkClient client = clients.open();
        LinkStats64 lo = readBetween(sandbox, client, "lo");
        // each echo and each reply leaves and enters lo: counted as sent and as received
        assertTrue(lo.rxPackets() >= 2 * PINGS && lo.txPackets() >= 2 * PINGS, lo.toString());
        assertTrue(
                lo.rxBytes() >= 2L * PINGS * ECHO_IP_BYTES && lo.txBytes() >= 2L * PINGS * ECHO_IP_BYTES,
                lo.toString());
        assertEquals(0, lo.rxErrors(), lo.toString());
        assertEquals(0, lo.txErrors(), lo.toString());
    }

    @Test
    void aLinkCountsWhatItSentAndNothingReceived(Sandbox sandbox, KernelClients clients) throws Exception {
        // a veth whose peer is silent (no IPv6 link-local, no address): echoes go out through st0 to a
        // permanent neighbour entry (no ARP), and nothing comes back
        sandbox.ip("link", "add", "st0", "type", "veth", "peer", "name", "st1");
        for (String end : new String[] {"st0", "st1"}) {
            sandbox.ip("link", "set", end, "addrgenmode", "none");
            sandbox.ip("link", "set", end, "up");
        }
        sandbox.ip("addr", "add", "198.18.0.1/24", "dev", "st0");
        sandbox.ip("neigh", "add", "198.18.0.2", "lladdr", "02:00:00:00:00:99", "dev", "st0", "nud", "permanent");
        ping(sandbox, "198.18.0.2");
        NetlinkClient client = clients.open();
        LinkStats64 st0 = readBetween(sandbox, client, "st0");
        assertEquals(0, st0.rxPackets(), "its silent peer sent nothing: " + st0);
        assertEquals(0, st0.rxBytes(), st0.toString());
        assertTrue(st0.txPackets() >= PINGS, st0.toString());
        assertTrue(st0.txBytes() >= (long) PINGS * ECHO_IP_BYTES, st0.toString());
        assertTrue(st0.txBytes() > st0.txPackets(), "bytes and packets in their own fields: " + st0);
    }
}
