package dev.podnet.netlink.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.Rtm;
import dev.podnet.testing.KernelClients;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NetlinkClient#dump} against a real {@code NLM_F_DUMP_INTR}. The kernel writes a dump's
 * first part when the request arrives and each further part as the previous one is read; it flags
 * a part when the table's generation changed since the part before. So: the request leaves, the
 * event loop is held before it reads anything, the addresses change, the loop goes on. Every
 * attempt that saw the change is interrupted, deterministically, without a race against a churner.
 *
 * <p>The client has no restart counter; the restarts show as dump requests sent, one datagram each
 * ({@link NetlinkChannel#datagramsWritten()}).
 */
@KernelTest
class DumpInterruptTest {
    private static final Duration T = Duration.ofSeconds(30);
    /** 2000 addresses of about 76 bytes: several parts of at most 32 KiB. */
    private static final int ADDRESSES = 2000;

    private static final String LINK = "dd0";
    private static final String ADDED = "198.19.0.1";

    private static String address(int i) {
        return "198.18." + (i / 250) + "." + (i % 250 + 1);
    }

    /** Every test's sandbox: a link (a bridge: this kernel has no dummy driver) with {@link #ADDRESSES} /32 addresses, in the order of {@link #address(int)}. */
    @BeforeEach
    void manyAddresses(Sandbox sandbox) throws IOException {
        sandbox.ip("link", "add", LINK, "type", "bridge");
        sandbox.ipBatch(IntStream.range(0, ADDRESSES)
                .mapToObj(i -> "addr add " + address(i) + "/32 dev " + LINK)
                .toList());
        sandbox.ip("link", "set", LINK, "up");
    }

    private static AddressMessage getAddresses() {
        return AddressMessage.request(Rtm.RTM_GETADDR, 0, Rtm.AF_INET, 0, 0, 0, 0, AttributeList.EMPTY);
    }

    /**
     * Starts the dump, holds the loop with its first part unread, then deletes the first address
     * (which that part holds) and adds one: the next part the kernel writes is flagged.
     */
    private static CompletableFuture<List<NetlinkMessage>> dumpInterruptedOnce(Sandbox sandbox, NetlinkClient client)
            throws Exception {
        try (LoopHold hold = new LoopHold()) {
            CompletableFuture<List<NetlinkMessage>> dump = hold.startThenHold(
                    client, () -> client.dump(getAddresses()).collectList().toFuture());
            sandbox.ip("addr", "del", address(0) + "/32", "dev", LINK);
            sandbox.ip("addr", "add", ADDED + "/32", "dev", LINK);
            return dump;
        }
    }

    /** The link's addresses as the dump has them, in order, duplicates kept. */
    private static List<String> addressesOf(List<NetlinkMessage> dump) {
        List<String> out = new ArrayList<>();
        for (NetlinkMessage m : dump) {
            AddressMessage a = assertInstanceOf(AddressMessage.class, m);
            if (LINK.equals(a.label())) {
                out.add(a.address().getHostAddress());
            }
        }
        return out;
    }

    /** The link's IPv4 addresses as iproute2 lists them. */
    private static Set<String> iproute2Addresses(Sandbox sandbox) throws IOException {
        Set<String> out = new HashSet<>();
        for (String line : sandbox.ip("-4", "-o", "addr", "show", "dev", LINK).split("\n")) {
            String[] f = line.trim().split("\\s+");
            for (int i = 0; i + 1 < f.length; i++) {
                if (f[i].equals("inet")) {
                    out.add(f[i + 1].substring(0, f[i + 1].indexOf('/')));
                }
            }
        }
        return out;
    }

    @Test
    void anInterruptedDumpIsRestartedAndReturnsTheTableAsItIsAfterTheChange(Sandbox sandbox, KernelClients clients)
            throws Exception {
        NetlinkClient client = clients.open(NetlinkClientOptions.DEFAULTS.dumpRetries(3));
        long sent = client.channel().datagramsWritten();
        List<NetlinkMessage> dump = dumpInterruptedOnce(sandbox, client).get(T.toSeconds(), TimeUnit.SECONDS);

        assertEquals(
                sent + 2,
                client.channel().datagramsWritten(),
                "the dump request was sent twice: interrupted once, then restarted");
        List<String> got = addressesOf(dump);
        Set<String> distinct = new HashSet<>(got);
        assertEquals(
                got.size(), distinct.size(), "an address came twice: a restart re-emitted what the first attempt had");
        Set<String> expected = new HashSet<>();
        for (int i = 1; i < ADDRESSES; i++) {
            expected.add(address(i));
        }
        expected.add(ADDED);
        assertTrue(
                !distinct.contains(address(0)),
                "the deleted address, from the interrupted attempt's first part, is gone");
        assertTrue(distinct.contains(ADDED), "the address added during the dump is there");
        assertEquals(expected, distinct);
        assertEquals(iproute2Addresses(sandbox), distinct, "the snapshot is what iproute2 lists now");
    }

    @Test
    void anInterruptedDumpWithNoRetryLeftFailsWithDumpInterrupted(Sandbox sandbox, KernelClients clients)
            throws Exception {
        NetlinkClient client = clients.open(NetlinkClientOptions.DEFAULTS.dumpRetries(0));
        long sent = client.channel().datagramsWritten();
        CompletableFuture<List<NetlinkMessage>> dump = dumpInterruptedOnce(sandbox, client);

        ExecutionException e = assertThrows(ExecutionException.class, () -> dump.get(T.toSeconds(), TimeUnit.SECONDS));
        // the bound's own error, not Reactor's RetryExhaustedException around it
        DumpInterruptedException interrupted = assertInstanceOf(DumpInterruptedException.class, e.getCause());
        assertTrue(interrupted.getMessage().contains("NLM_F_DUMP_INTR"), interrupted.getMessage());
        assertTrue(interrupted.getMessage().contains("RTM_GETADDR"), "names the dump: " + interrupted.getMessage());
        assertEquals(sent + 1, client.channel().datagramsWritten(), "dumpRetries 0: never restarted");

        // the client is still fine, and an undisturbed dump is whole
        assertEquals(
                iproute2Addresses(sandbox),
                new HashSet<>(
                        addressesOf(client.dump(getAddresses()).collectList().block(T))));
        assertEquals(0, client.inFlight().block(T));
    }
}
