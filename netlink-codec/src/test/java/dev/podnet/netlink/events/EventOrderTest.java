package dev.podnet.netlink.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.Rtm;
import dev.podnet.testing.KernelClients;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import dev.podnet.testing.TestLoops;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/**
 * The order {@link RouteEventSource} promises after a loss: an {@link NetlinkEvent.Overrun}, then a
 * {@link NetlinkEvent.Resync} of every subscribed group, never a Resync without an Overrun before
 * it; for a lost datagram (ENOBUFS) as for a subscriber that fell more than the buffer behind.
 * Notifications may come between the Overrun and the Resyncs: the source does not promise otherwise.
 */
@KernelTest
class EventOrderTest {
    private static final Duration T = Duration.ofSeconds(10);

    /** Lets the event loop read what the kernel queued: empty tasks, each run after one more I/O pass. */
    private static void letTheLoopRead() throws Exception {
        for (int i = 0; i < 10; i++) {
            TestLoops.GROUP.next().submit(() -> {}).get(10, TimeUnit.SECONDS);
            Thread.sleep(20);
        }
    }

    /** The events in order, runs of notifications counted: for failure messages. */
    static String summary(List<NetlinkEvent> events) {
        StringBuilder b = new StringBuilder("[");
        int run = 0;
        for (NetlinkEvent e : events) {
            if (e instanceof NetlinkEvent.Notification) {
                run++;
                continue;
            }
            if (run > 0) {
                b.append(run).append(" notifications, ");
                run = 0;
            }
            if (e instanceof NetlinkEvent.Overrun o) {
                b.append("Overrun(").append(o.reason()).append("), ");
            } else if (e instanceof NetlinkEvent.Resync r) {
                b.append("Resync(")
                        .append(r.group())
                        .append(", ")
                        .append(r.snapshot().size())
                        .append("), ");
            }
        }
        if (run > 0) {
            b.append(run).append(" notifications");
        }
        return b.append(']').toString();
    }

    private static int firstIndexOf(List<NetlinkEvent> events, Class<? extends NetlinkEvent> type) {
        for (int i = 0; i < events.size(); i++) {
            if (type.isInstance(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** True once an Overrun was seen and every one of {@code groups} was resynced after the last Overrun. */
    private static boolean resyncedAfterLastOverrun(List<NetlinkEvent> events, Set<RouteGroup> groups) {
        int last = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof NetlinkEvent.Overrun) {
                last = i;
            }
        }
        if (last < 0) {
            return false;
        }
        Set<RouteGroup> resynced = EnumSet.noneOf(RouteGroup.class);
        for (NetlinkEvent e : events.subList(last + 1, events.size())) {
            if (e instanceof NetlinkEvent.Resync r) {
                resynced.add(r.group());
            }
        }
        return resynced.containsAll(groups);
    }

    private static List<NetlinkEvent> awaitUntil(
            List<NetlinkEvent> seen, Predicate<List<NetlinkEvent>> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (true) {
            List<NetlinkEvent> now = List.copyOf(seen);
            if (done.test(now)) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + T + ": " + summary(now));
            }
            Thread.sleep(10);
        }
    }

    /**
     * Walks the stream: a Resync only ever after an Overrun, only of a subscribed group, and after
     * each Overrun a Resync of every subscribed group.
     */
    static void assertEveryOverrunIsFollowedByAResyncOfEveryGroup(List<NetlinkEvent> events, Set<RouteGroup> groups) {
        boolean overrun = false;
        Set<RouteGroup> owed = EnumSet.noneOf(RouteGroup.class);
        for (int i = 0; i < events.size(); i++) {
            NetlinkEvent e = events.get(i);
            if (e instanceof NetlinkEvent.Overrun) {
                overrun = true;
                owed = EnumSet.copyOf(groups);
            } else if (e instanceof NetlinkEvent.Resync r) {
                assertTrue(
                        overrun,
                        "Resync(" + r.group() + ") at " + i + " with no Overrun before it: " + summary(events));
                assertTrue(
                        groups.contains(r.group()),
                        "a Resync of " + r.group() + ", not subscribed: " + summary(events));
                owed.remove(r.group());
            }
        }
        assertTrue(overrun, "no Overrun: " + summary(events));
        assertTrue(owed.isEmpty(), "after the last Overrun no Resync of " + owed + ": " + summary(events));
    }

    private static NetlinkEvent.Resync lastResyncOf(List<NetlinkEvent> events, RouteGroup group) {
        NetlinkEvent.Resync found = null;
        for (NetlinkEvent e : events) {
            if (e instanceof NetlinkEvent.Resync r && r.group() == group) {
                found = r;
            }
        }
        assertTrue(found != null, "no Resync of " + group + ": " + summary(events));
        return found;
    }

    private static Set<String> linkNames(List<NetlinkMessage> snapshot) {
        Set<String> names = new HashSet<>();
        for (NetlinkMessage m : snapshot) {
            names.add(((LinkMessage) m).name());
        }
        return names;
    }

    @Test
    void afterASocketOverrunEverySubscribedGroupIsResyncedAndNeverBeforeTheOverrun(
            Sandbox sandbox, KernelClients clients) throws Exception {
        sandbox.ip("link", "add", "eo0", "type", "bridge");
        sandbox.ip("addr", "add", "198.18.7.1/32", "dev", "eo0");
        Set<RouteGroup> groups = EnumSet.of(RouteGroup.LINK, RouteGroup.IPV4_IFADDR);
        // the smallest receive buffer allowed, and the loop held while 300 links appear: ENOBUFS
        NetlinkSocket small = sandbox.inside(() -> NetlinkSocket.open(Netlink.NETLINK_ROUTE, 32 << 10, 32 << 10));
        RouteEventSource source = clients.events(small, groups, 4096);
        List<NetlinkEvent> seen = new CopyOnWriteArrayList<>();
        source.events().subscribe(seen::add);
        CountDownLatch hold = TestLoops.hold(TestLoops.GROUP.next());
        try {
            sandbox.addBridges("ov", 300);
        } finally {
            hold.countDown();
        }

        List<NetlinkEvent> events = awaitUntil(
                seen, e -> resyncedAfterLastOverrun(e, groups), "Resync of " + groups + " after the Overrun");
        assertEveryOverrunIsFollowedByAResyncOfEveryGroup(events, groups);
        int overrunAt = firstIndexOf(events, NetlinkEvent.Overrun.class);
        assertTrue(((NetlinkEvent.Overrun) events.get(overrunAt)).reason().contains("ENOBUFS"), summary(events));

        // each Resync is the whole table as it is after the loss
        Set<String> links = linkNames(lastResyncOf(events, RouteGroup.LINK).snapshot());
        assertEquals(302, links.size(), "lo, eo0 and 300 bridges: " + links.size());
        assertTrue(links.contains("ov0") && links.contains("ov299") && links.contains("eo0"));
        List<NetlinkMessage> addresses =
                lastResyncOf(events, RouteGroup.IPV4_IFADDR).snapshot();
        assertTrue(
                addresses.stream()
                        .anyMatch(m -> m instanceof AddressMessage a
                                && "198.18.7.1".equals(a.address().getHostAddress())),
                "the IPv4 resync has eo0's address: " + addresses);
    }

    /** Asks for one event, then for nothing until told: the source's own buffer fills behind it. */
    private static final class OneThenNothing extends BaseSubscriber<NetlinkEvent> {
        final List<NetlinkEvent> seen = new CopyOnWriteArrayList<>();

        @Override
        protected void hookOnSubscribe(Subscription s) {
            s.request(1);
        }

        @Override
        protected void hookOnNext(NetlinkEvent e) {
            seen.add(e);
        }
    }

    @Test
    void aSubscriberFallingMoreThanTheBufferBehindGetsTheBufferThenAnOverrunThenAResync(
            Sandbox sandbox, KernelClients clients) throws Exception {
        int buffer = 16; // the least the source takes
        int bridges = 100;
        RouteEventSource source = clients.events(EnumSet.of(RouteGroup.LINK), buffer);
        OneThenNothing slow = new OneThenNothing();
        source.events().subscribe(slow);
        try {
            // the socket keeps up (4 MiB, the loop free): only the source's buffer can overflow
            sandbox.addBridges("fb", bridges);
            letTheLoopRead();
            assertEquals(1, slow.seen.size(), "one event asked for, one delivered: " + summary(slow.seen));

            slow.requestUnbounded();
            // the source notices room on its next event: that one comes after the Overrun
            sandbox.ip("link", "add", "trigger0", "type", "bridge");
            List<NetlinkEvent> events = awaitUntil(
                    slow.seen,
                    e -> resyncedAfterLastOverrun(e, EnumSet.of(RouteGroup.LINK)),
                    "Resync of LINK after an Overrun");

            assertEveryOverrunIsFollowedByAResyncOfEveryGroup(events, EnumSet.of(RouteGroup.LINK));
            int overrunAt = firstIndexOf(events, NetlinkEvent.Overrun.class);
            NetlinkEvent.Overrun overrun = (NetlinkEvent.Overrun) events.get(overrunAt);
            assertTrue(overrun.reason().contains("fell behind"), overrun.reason());
            assertTrue(
                    overrunAt >= 1 && overrunAt <= 1 + buffer,
                    "before the Overrun: the event asked for and at most the buffer, got " + overrunAt + ": "
                            + summary(events));
            for (NetlinkEvent e : events.subList(0, overrunAt)) {
                assertTrue(
                        e instanceof NetlinkEvent.Notification,
                        "only notifications before the Overrun: " + summary(events));
            }

            // notifications were dropped (that is what the Overrun says), and the Resync has them all
            Set<String> notified = new HashSet<>();
            for (NetlinkEvent e : events) {
                if (e instanceof NetlinkEvent.Notification n
                        && n.message() instanceof LinkMessage l
                        && l.type() == Rtm.RTM_NEWLINK
                        && l.name() != null
                        && l.name().startsWith("fb")) {
                    notified.add(l.name());
                }
            }
            assertTrue(notified.size() < bridges, "every bridge was notified: nothing was lost? " + summary(events));
            Set<String> links = linkNames(lastResyncOf(events, RouteGroup.LINK).snapshot());
            assertEquals(bridges + 2, links.size(), "lo, " + bridges + " bridges and trigger0: " + links.size());
            assertTrue(links.contains("fb0") && links.contains("fb" + (bridges - 1)) && links.contains("trigger0"));
        } finally {
            slow.dispose();
        }
    }
}
