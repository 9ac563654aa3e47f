package dev.podnet.netlink.channel;

import static dev.podnet.testing.LinkRequests.getLinks;
import static dev.podnet.testing.LinkRequests.getLoopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.testing.KernelClients;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Requests given up on free their slots at once (a time-out holds none until the kernel answers), and
 * dumps on one client wait their turn (the kernel runs one per socket and would answer EBUSY).
 */
@KernelTest
class GivingUpTest {
    private static final Duration T = Duration.ofSeconds(10);

    @Test
    void manyTimeOutsNeverExhaustTheInFlightBound(KernelClients clients) throws Exception {
        NetlinkClient client =
                clients.open(NetlinkClientOptions.DEFAULTS.maxInFlight(4).requestTimeout(Duration.ofMillis(50)));
        // the client stops reading: the kernel's answers wait in the socket, every request times out
        autoRead(client, false);
        for (int i = 0; i < 40; i++) {
            Throwable t = assertThrows(
                    RuntimeException.class, () -> client.request(getLoopback()).block(T));
            assertInstanceOf(NetlinkTimeoutException.class, t, "request " + i + " (never NetlinkBusyException): " + t);
        }
        assertEquals(0, client.inFlight().block(T), "every slot free although no answer was read");
        // the late answers are read now: dropped, and the client works on
        autoRead(client, true);
        NetlinkMessage lo = client.request(getLoopback()).block(T);
        assertTrue(lo.toString().contains("lo"), lo.toString());
        assertEquals(0, client.inFlight().block(T));
    }

    @Test
    void dumpsOnOneClientWaitTheirTurnInsteadOfFailingWithEbusy(Sandbox sandbox, KernelClients clients)
            throws Exception {
        for (int i = 0; i < 200; i++) {
            sandbox.ip("link", "add", "gu" + i, "type", "bridge");
        }
        NetlinkClient client = clients.open();
        // eight dumps at once on one socket, and requests between them
        List<Integer> sizes = Flux.range(0, 8)
                .flatMap(
                        i -> client.dump(getLinks())
                                .count()
                                .map(Long::intValue)
                                .zipWith(client.request(getLoopback()), (n, lo) -> n),
                        8)
                .collectList()
                .block(T);
        assertEquals(8, sizes.size());
        assertTrue(sizes.stream().allMatch(n -> n == 201), "every dump whole (200 bridges and lo): " + sizes);
        assertEquals(0, client.inFlight().block(T));
    }

    private static void autoRead(NetlinkClient client, boolean on) {
        Mono.<Void>create(sink -> client.channel().eventLoop().execute(() -> {
                    client.channel().config().setAutoRead(on);
                    sink.success();
                }))
                .block(T);
    }
}
