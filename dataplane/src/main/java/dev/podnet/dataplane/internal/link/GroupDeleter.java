package dev.podnet.dataplane.internal.link;

import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.channel.NetlinkClientOptions;
import dev.podnet.netlink.channel.NetlinkListener;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.netlink.events.RouteGroup;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.Rtm;
import io.netty.channel.IoEventLoopGroup;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Deletes links by name, as fast as the kernel lets a delete be seen done.
 *
 * <p>What a delete costs: the kernel runs {@code RTM_DELLINK} inside the sender's {@code sendmsg}.
 * It unlinks the device (its name is free, its addresses and routes are gone, a bridge has lost the
 * port), announces {@code RTM_DELLINK} to the link group's subscribers, and then, with the RTNL lock
 * already released, waits for an RCU barrier and the device's last references before the call
 * returns and the acknowledgement is queued: about 20 ms on this machine kind, of which the part
 * that matters to a caller is the first millisecond. Three things follow from that:
 *
 * <ul>
 *   <li><b>Lanes</b>: several sockets, each on a thread of its own (a delete blocks its thread for
 *       the whole wait). The waits of deletes on different lanes overlap, as the kernel allows: they
 *       are spent outside the RTNL lock.
 *   <li><b>Groups</b>: deletes that arrive while every lane is busy are put together into one fresh
 *       link group ({@code IFLA_GROUP}) and removed with a single {@code RTM_DELLINK} by group, so the
 *       kernel waits once for all of them. Each caller still gets its own result: a link already
 *       gone counts as deleted; a link that cannot be put in the group fails only its own caller; if
 *       the group delete fails, each link is deleted on its own.
 *   <li><b>Done when the kernel says it is gone</b>: a subscriber to the host namespace's link
 *       notifications (a socket of its own, filtered in the kernel to {@code RTM_DELLINK}) completes
 *       a delete when the kernel announces the device's removal, matched by interface index (looked
 *       up just before the delete, so a notification about an earlier device of the same name never
 *       counts). The acknowledgement still completes it when the notification is lost.
 * </ul>
 */
public final class GroupDeleter {
    /** Groups podnet uses are drawn from above this, so as not to meet an operator's small group numbers. */
    private static final int GROUP_BASE = 0x40000000;

    private final List<NetlinkClient> lanes;
    private final Object lock = new Object();
    private final ArrayDeque<NetlinkClient> idle;
    private List<Pending> waiting = new ArrayList<>();
    private int nextGroup;
    private final Map<Integer, Pending> byIndex = new ConcurrentHashMap<>();
    private volatile NetlinkClient watch;
    private final AtomicLong groupRequests = new AtomicLong();
    private final AtomicLong singleRequests = new AtomicLong();
    private final AtomicLong seenGone = new AtomicLong();

    private static final class Pending {
        final String name;
        final Sinks.Empty<Void> done = Sinks.empty();
        volatile int index;

        Pending(String name) {
            this.name = name;
        }

        void succeed() {
            done.tryEmitEmpty();
        }

        void fail(Throwable e) {
            done.tryEmitError(e);
        }
    }

    /** Deletes through {@code lanes} (each a client on an event loop of its own), completing on their answers only. */
    public GroupDeleter(List<NetlinkClient> lanes) {
        if (lanes.isEmpty()) {
            throw new IllegalArgumentException("at least one lane");
        }
        this.lanes = List.copyOf(lanes);
        this.idle = new ArrayDeque<>(lanes);
        this.nextGroup = new SecureRandom().nextInt(1 << 29);
    }

    /**
     * Opens {@code lanes} clients on {@code laneLoops} (one per loop: give that group as many threads as
     * lanes) and the notification subscriber on {@code watchLoops}, all on sockets {@code sockets}
     * opens (each subscription a new socket, in the namespace whose links are deleted).
     */
    public static Mono<GroupDeleter> open(
            Mono<NetlinkSocket> sockets, IoEventLoopGroup laneLoops, int lanes, IoEventLoopGroup watchLoops) {
        return Flux.range(0, lanes)
                .concatMap(i -> sockets.flatMap(s -> NetlinkClient.open(laneLoops, s)))
                .collectList()
                .map(GroupDeleter::new)
                .flatMap(d -> sockets.flatMap(s -> {
                            try {
                                s.joinGroup(RouteGroup.LINK.number());
                                s.acceptOnly(Rtm.RTM_DELLINK);
                            } catch (ErrnoException e) {
                                return Mono.error(e);
                            }
                            return NetlinkClient.open(watchLoops, s, NetlinkClientOptions.DEFAULTS, d.listener());
                        })
                        .doOnNext(c -> d.watch = c)
                        .thenReturn(d)
                        .onErrorResume(e -> d.close().then(Mono.error(e))));
    }

    /** Deletes the link named {@code name} (both ends of a veth); completes when it is gone, also if it was gone already. */
    public Mono<Void> delete(String name) {
        return Mono.defer(() -> {
            Pending p = new Pending(name);
            NetlinkClient lane;
            synchronized (lock) {
                waiting.add(p);
                lane = idle.poll();
            }
            if (lane != null) {
                runNext(lane);
            }
            return p.done.asMono();
        });
    }

    /** How many {@code RTM_DELLINK} by group were sent so far. */
    public long groupRequests() {
        return groupRequests.get();
    }

    /** How many {@code RTM_DELLINK} by index were sent so far. */
    public long singleRequests() {
        return singleRequests.get();
    }

    /** How many deletes were completed by the kernel's notification, before its acknowledgement. */
    public long completedOnNotification() {
        return seenGone.get();
    }

    /** Closes the lanes and the subscriber; deletes in the kernel finish there. */
    public Mono<Void> close() {
        NetlinkClient w = watch;
        return Flux.fromIterable(lanes)
                .concatWith(w == null ? Flux.empty() : Flux.just(w))
                .concatMap(c -> c.close().onErrorResume(e -> Mono.empty()))
                .then();
    }

    private NetlinkListener listener() {
        return new NetlinkListener() {
            @Override
            public void notification(NetlinkMessage message) {
                if (message instanceof LinkMessage link && link.type() == Rtm.RTM_DELLINK) {
                    Pending p = byIndex.remove(link.index());
                    if (p != null) {
                        seenGone.incrementAndGet();
                        p.succeed();
                    }
                }
            }

            @Override
            public void lost(Throwable cause) {
                // the acknowledgements complete what the lost notifications would have
            }
        };
    }

    private void runNext(NetlinkClient lane) {
        List<Pending> batch;
        synchronized (lock) {
            if (waiting.isEmpty()) {
                idle.push(lane);
                return;
            }
            batch = waiting;
            waiting = new ArrayList<>();
        }
        Mono<Void> work = batch.size() == 1 ? single(lane, batch.get(0)) : group(lane, batch);
        work.doFinally(s -> runNext(lane)).subscribe(null, e -> {});
    }

    /** Looks the link up and watches for its index; empty when there is no such link. */
    private Mono<Integer> watched(NetlinkClient lane, Pending p) {
        return lane.request(Links.getByName(p.name)).cast(LinkMessage.class).map(link -> {
            p.index = link.index();
            if (watch != null) {
                byIndex.put(link.index(), p);
            }
            return link.index();
        });
    }

    private void unwatch(Pending p) {
        if (p.index != 0) {
            byIndex.remove(p.index, p);
        }
    }

    private Mono<Void> single(NetlinkClient lane, Pending p) {
        return watched(lane, p)
                .flatMap(index -> {
                    singleRequests.incrementAndGet();
                    return lane.execute(Links.deleteByIndex(index));
                })
                .onErrorResume(GroupDeleter::isNoDevice, e -> Mono.empty())
                .doOnSuccess(v -> p.succeed())
                .doOnError(p::fail)
                .onErrorResume(e -> Mono.empty())
                .doFinally(s -> unwatch(p));
    }

    private Mono<Void> group(NetlinkClient lane, List<Pending> batch) {
        int group;
        synchronized (lock) {
            group = GROUP_BASE + (nextGroup++ & ((1 << 29) - 1));
        }
        // the look-ups and marks go out together (requests made together share datagrams); each has its own answer
        return Flux.fromIterable(batch)
                .flatMap(
                        p -> watched(lane, p)
                                .flatMap(index -> lane.execute(Links.setGroup(p.name, group)))
                                .thenReturn(p)
                                .onErrorResume(e -> {
                                    if (isNoDevice(e)) {
                                        p.succeed();
                                    } else {
                                        p.fail(e);
                                    }
                                    unwatch(p);
                                    return Mono.empty();
                                }),
                        batch.size())
                .collectList()
                .flatMap(marked -> {
                    if (marked.isEmpty()) {
                        return Mono.empty();
                    }
                    groupRequests.incrementAndGet();
                    return lane.execute(Links.deleteGroup(group))
                            .doOnSuccess(v -> marked.forEach(Pending::succeed))
                            .onErrorResume(e -> Flux.fromIterable(marked)
                                    .concatMap(p -> single(lane, p))
                                    .then());
                })
                .doFinally(s -> batch.forEach(this::unwatch));
    }

    private static boolean isNoDevice(Throwable e) {
        return NetlinkException.hasErrno(e, Errno.ENODEV);
    }
}
