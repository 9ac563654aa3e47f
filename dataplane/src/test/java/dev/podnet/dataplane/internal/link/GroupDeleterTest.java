package dev.podnet.dataplane.internal.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import dev.podnet.testing.TestLoops;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
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
        addVeths(sandbox, "gd", "gp", 40);
        // one lane: the first delete goes alone, the rest wait for it and go together
        GroupDeleter deleter = open(sandbox, 1);
        try {
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
            addVeths(sandbox, "gd", "gp", 5);
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
            deleter.close().block(T);
        }
    }

    @Test
    void lanesOverlapTheKernelsWaitsAndADeleteIsDoneWhenTheKernelAnnouncesIt(Sandbox sandbox) throws Exception {
        addVeths(sandbox, "ln", "lp", 6);
        GroupDeleter deleter = open(sandbox, 4);
        try {
            // six at once on four lanes: four go alone, each on a lane of its own; the two left wait
            // for the first lane to come free and go together
            List<String> names = IntStream.range(0, 6).mapToObj(i -> "ln" + i).toList();
            assertEquals(Map.of(), deleteAll(deleter, names));
            assertEquals(4, deleter.singleRequests(), "one lone delete per lane");
            assertEquals(1, deleter.groupRequests(), "the two that waited, in one group");
            assertFalse(sandbox.ip("-o", "link").contains("ln"));

            // one by one, as a runtime stops pods: each is gone (both ends) the moment its delete
            // completes, which is when the kernel announced it (its acknowledgement comes ~20 ms later)
            long before = deleter.completedOnNotification();
            for (int i = 0; i < 10; i++) {
                sandbox.ip("link", "add", "one" + i, "type", "veth", "peer", "name", "onep" + i);
                deleter.delete("one" + i).block(T);
                String links = sandbox.ip("-o", "link");
                assertFalse(links.contains("one" + i + "@") || links.contains("onep" + i + "@"), links);
                // the name is free again at once
                sandbox.ip("link", "add", "one" + i, "type", "veth", "peer", "name", "onep" + i);
                deleter.delete("one" + i).block(T);
            }
            assertTrue(
                    deleter.completedOnNotification() - before >= 10,
                    "of 20 deletes, " + (deleter.completedOnNotification() - before)
                            + " were completed by the kernel's notification");
            assertFalse(sandbox.ip("-o", "link").contains("one"));
        } finally {
            deleter.close().block(T);
        }
    }

    /** Veth pairs {@code name0}/{@code peer0} up to {@code count - 1}, made with iproute2. */
    private static void addVeths(Sandbox sandbox, String name, String peer, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            sandbox.ip("link", "add", name + i, "type", "veth", "peer", "name", peer + i);
        }
    }

    /** Lanes on threads of their own (as the engine has them), the subscriber on the shared test loop. */
    private static final MultiThreadIoEventLoopGroup LANES = new MultiThreadIoEventLoopGroup(
            4, new DefaultThreadFactory("test-delete", true), EpollIoHandler.newFactory());

    private static GroupDeleter open(Sandbox sandbox, int lanes) {
        return GroupDeleter.open(
                        Mono.fromCallable(() -> sandbox.inside(NetlinkSocket::openRoute)),
                        LANES,
                        lanes,
                        TestLoops.GROUP)
                .block(T);
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
