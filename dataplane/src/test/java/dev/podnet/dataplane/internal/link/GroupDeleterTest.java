package dev.podnet.dataplane.internal.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import dev.podnet.testing.TestLoops;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@KernelTest
class GroupDeleterTest {
    private static final Duration T = Duration.ofSeconds(30);

    @Test
    void deletesArrivingTogetherGoInOneGroupRequestEachWithItsOwnResult(Sandbox sandbox) throws Exception {
        for (int i = 0; i < 40; i++) {
            sandbox.ip("link", "add", "gd" + i, "type", "veth", "peer", "name", "gp" + i);
        }
        NetlinkClient host = NetlinkClient.open(TestLoops.GROUP, sandbox.inside(NetlinkSocket::openRoute))
                .block(T);
        try {
            GroupDeleter deleter = new GroupDeleter(host);
            // 40 veths and 2 names that do not exist (deleted already: success for their callers)
            List<String> names = new java.util.ArrayList<>(
                    IntStream.range(0, 40).mapToObj(i -> "gd" + i).toList());
            names.addAll(List.of("nosuch0", "nosuch1"));
            Map<String, Throwable> failures = deleteAll(deleter, names);
            assertEquals(Map.of(), failures);
            String left = sandbox.ip("-o", "link");
            assertFalse(left.contains("gd") || left.contains("gp"), left);
            assertTrue(
                    deleter.groupRequests() >= 1 && deleter.groupRequests() + deleter.singleRequests() <= 3,
                    "42 deletes in at most 3 kernel requests (the first alone, the rest grouped): "
                            + deleter.groupRequests() + " by group, " + deleter.singleRequests() + " by name");

            // a group the kernel refuses (lo cannot be deleted) falls back to deletes by name: only lo's caller fails
            for (int i = 0; i < 5; i++) {
                sandbox.ip("link", "add", "gd" + i, "type", "veth", "peer", "name", "gp" + i);
            }
            Map<String, Throwable> withLo = deleteAll(deleter, List.of("gd0", "gd1", "gd2", "gd3", "gd4", "lo"));
            assertEquals(List.of("lo"), List.copyOf(withLo.keySet()), withLo.toString());
            assertInstanceOf(NetlinkException.class, withLo.get("lo"));
            assertFalse(sandbox.ip("-o", "link").contains("gd"));

            // a lone delete afterwards goes by name
            sandbox.ip("link", "add", "solo0", "type", "veth", "peer", "name", "solo1");
            long singles = deleter.singleRequests();
            deleter.delete("solo0").block(T);
            assertEquals(singles + 1, deleter.singleRequests());
            assertFalse(sandbox.ip("-o", "link").contains("solo0"));
        } finally {
            host.close().block(T);
        }
    }

    private static Map<String, Throwable> deleteAll(GroupDeleter deleter, List<String> names) {
        Map<String, Throwable> failures = new ConcurrentHashMap<>();
        Flux.fromIterable(names)
                .flatMap(
                        n -> deleter.delete(n).onErrorResume(e -> {
                            failures.put(n, e);
                            return Mono.empty();
                        }),
                        names.size())
                .blockLast(T);
        return failures;
    }
}
