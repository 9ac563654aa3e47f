package dev.podnet.netlink.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import dev.podnet.testing.TestLoops;
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
    void manyTimeOutsNeverExhaustTheInFlightBound(Sandbox sandbox) throws Exception {
        NetlinkClient client = NetlinkClient.open(
                        TestLoops.GROUP,
                        sandbox.inside(NetlinkSocket::openRoute),
                        NetlinkClientOptions.DEFAULTS.maxInFlight(4).requestTimeout(Duration.ofMillis(50)))
                .block(T);
        try {
            // the client stops reading: the kernel's answers wait in the socket, every request times out
            autoRead(client, false);
            for (int i = 0; i < 40; i++) {
                Throwable t = assertThrows(
                        RuntimeException.class,
                        () -> client.request(NetlinkClientTest.getLoopback()).block(T));
                assertInstanceOf(
                        NetlinkTimeoutException.class, t, "request " + i + " (never NetlinkBusyException): " + t);
            }
            assertEquals(0, client.inFlight().block(T), "every slot free although no answer was read");
            // the late answers are read now: dropped, and the client works on
            autoRead(client, true);
            NetlinkMessage lo = client.request(NetlinkClientTest.getLoopback()).block(T);
            assertTrue(lo.toString().contains("lo"), lo.toString());
            assertEquals(0, client.inFlight().block(T));
        } finally {
            client.close().block(T);
        }
    }

    @Test
    void dumpsOnOneClientWaitTheirTurnInsteadOfFailingWithEbusy(Sandbox sandbox) throws Exception {
        for (int i = 0; i < 200; i++) {
            sandbox.ip("link", "add", "gu" + i, "type", "bridge");
        }
        NetlinkClient client = NetlinkClient.open(TestLoops.GROUP, sandbox.inside(NetlinkSocket::openRoute))
                .block(T);
        try {
            // eight dumps at once on one socket, and requests between them
            List<Integer> sizes = Flux.range(0, 8)
                    .flatMap(
                            i -> client.dump(NetlinkClientTest.getLinks())
                                    .count()
                                    .map(Long::intValue)
                                    .zipWith(client.request(NetlinkClientTest.getLoopback()), (n, lo) -> n),
                            8)
                    .collectList()
                    .block(T);
            assertEquals(8, sizes.size());
            assertTrue(sizes.stream().allMatch(n -> n == 201), "every dump whole (200 bridges and lo): " + sizes);
            assertEquals(0, client.inFlight().block(T));
        } finally {
            client.close().block(T);
        }
    }

    private static void autoRead(NetlinkClient client, boolean on) {
        Mono.<Void>create(sink -> client.channel().eventLoop().execute(() -> {
                    client.channel().config().setAutoRead(on);
                    sink.success();
                }))
                .block(T);
    }
}
