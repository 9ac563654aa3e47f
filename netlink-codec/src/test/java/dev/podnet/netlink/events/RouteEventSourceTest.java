package dev.podnet.netlink.events;

import static dev.podnet.testing.LinkRequests.deleteLink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.channel.NetlinkClientOptions;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.Rtm;
import dev.podnet.testing.KernelClients;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import dev.podnet.testing.TestLoops;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

@KernelTest
class RouteEventSourceTest {
    static final Duration T = Duration.ofSeconds(10);

    static <E> E await(List<NetlinkEvent> seen, Class<E> type, java.util.function.Predicate<E> match)
            throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (System.nanoTime() < deadline) {
            for (NetlinkEvent e : seen) {
                if (type.isInstance(e) && match.test(type.cast(e))) {
                    return type.cast(e);
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no " + type.getSimpleName() + " matched in " + seen);
    }

    @Test
    void linkChangesMadeByAnotherProcessArriveAsNotifications(Sandbox sandbox, KernelClients clients) throws Exception {
        RouteEventSource source = clients.events(EnumSet.of(RouteGroup.LINK), 1024);
        List<NetlinkEvent> seen = new CopyOnWriteArrayList<>();
        source.events().subscribe(seen::add);
        sandbox.ip("link", "add", "evbr0", "type", "bridge");
        sandbox.ip("link", "del", "evbr0");
        await(
                seen,
                NetlinkEvent.Notification.class,
                n -> n.message() instanceof LinkMessage l && l.type() == Rtm.RTM_NEWLINK && "evbr0".equals(l.name()));
        await(
                seen,
                NetlinkEvent.Notification.class,
                n -> n.message() instanceof LinkMessage l && l.type() == Rtm.RTM_DELLINK && "evbr0".equals(l.name()));
    }

    @Test
    void aSocketFilteredToDeletesHearsOnlyDeletesAndStillGetsItsAnswers(Sandbox sandbox, KernelClients clients)
            throws Exception {
        NetlinkSocket socket = sandbox.inside(NetlinkSocket::openRoute);
        socket.acceptOnly(Rtm.RTM_DELLINK);
        RouteEventSource source = clients.events(socket, EnumSet.of(RouteGroup.LINK), 1024);
        List<NetlinkEvent> seen = new CopyOnWriteArrayList<>();
        source.events().subscribe(seen::add);
        sandbox.ip("link", "add", "flbr0", "type", "bridge");
        sandbox.ip("link", "set", "flbr0", "up");
        sandbox.ip("link", "del", "flbr0");
        await(
                seen,
                NetlinkEvent.Notification.class,
                n -> n.message() instanceof LinkMessage l && l.type() == Rtm.RTM_DELLINK && "flbr0".equals(l.name()));
        // the kernel dropped the RTM_NEWLINKs of the add and the up before they were queued
        assertEquals(1, seen.size(), seen.toString());

        // a request's answer (NLMSG_ERROR) passes the filter: a filtered socket can still be asked things
        NetlinkSocket asking = sandbox.inside(NetlinkSocket::openRoute);
        asking.acceptOnly(Rtm.RTM_DELLINK);
        NetlinkClient client = clients.open(asking, NetlinkClientOptions.DEFAULTS);
        sandbox.ip("link", "add", "flbr1", "type", "bridge");
        client.execute(deleteLink("flbr1")).block(T);
        assertTrue(!sandbox.ip("-o", "link").contains("flbr1"));
    }

    @Test
    void anOverflowingQueueBecomesAnOverrunAndAResyncNeverADeadStream(Sandbox sandbox, KernelClients clients)
            throws Exception {
        // the smallest receive buffer allowed, and an event loop held still while 300 links appear
        NetlinkSocket small = sandbox.inside(() -> NetlinkSocket.open(Netlink.NETLINK_ROUTE, 32 << 10, 32 << 10));
        RouteEventSource source = clients.events(small, EnumSet.of(RouteGroup.LINK), 4096);
        List<NetlinkEvent> seen = new CopyOnWriteArrayList<>();
        source.events().subscribe(seen::add);
        CountDownLatch hold = TestLoops.hold(TestLoops.GROUP.next());
        sandbox.addBridges("ov", 300);
        hold.countDown();

        NetlinkEvent.Overrun overrun = await(seen, NetlinkEvent.Overrun.class, o -> true);
        assertTrue(overrun.reason().contains("ENOBUFS"), overrun.reason());
        NetlinkEvent.Resync resync = await(seen, NetlinkEvent.Resync.class, r -> r.group() == RouteGroup.LINK);
        assertEquals(301, resync.snapshot().size(), "the resync is the whole table: lo and 300 bridges");
        // and the stream lives on
        sandbox.ip("link", "add", "after0", "type", "bridge");
        NetlinkEvent.Notification after = await(
                seen,
                NetlinkEvent.Notification.class,
                n -> n.message() instanceof LinkMessage l && "after0".equals(l.name()));
        assertInstanceOf(LinkMessage.class, after.message());
    }
}
