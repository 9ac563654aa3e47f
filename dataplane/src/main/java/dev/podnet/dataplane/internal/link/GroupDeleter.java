package dev.podnet.dataplane.internal.link;

import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.channel.NetlinkClient;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Deletes links by name, coalescing the deletes that arrive close together: while one delete is
 * in the kernel, later ones wait; when it ends, all that waited are put into one fresh link group
 * ({@code IFLA_GROUP}) and removed with a single {@code RTM_DELLINK} by group. The kernel then
 * unregisters them together and pays its RCU grace periods (~20 ms) once instead of once per
 * link. Each caller still gets its own result: a link already gone counts as deleted; a link that
 * cannot be put in the group fails only its own caller; if the group delete fails, each link is
 * deleted on its own. A lone delete goes out by name, as before.
 *
 * <p>Meant for a netlink client of its own, on an event loop of its own: the kernel runs a delete
 * synchronously inside the sending {@code writev}, which holds that loop for the whole grace period.
 */
public final class GroupDeleter {
    /** Groups podnet uses are drawn from above this, so as not to meet an operator's small group numbers. */
    private static final int GROUP_BASE = 0x40000000;

    private final NetlinkClient rtnl;
    private final Object lock = new Object();
    private List<Pending> waiting = new ArrayList<>();
    private boolean running;
    private int nextGroup;
    private final java.util.concurrent.atomic.AtomicLong groupRequests = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong singleRequests = new java.util.concurrent.atomic.AtomicLong();

    private record Pending(String name, Sinks.Empty<Void> done) {}

    public GroupDeleter(NetlinkClient rtnl) {
        this.rtnl = rtnl;
        this.nextGroup = new SecureRandom().nextInt(1 << 29);
    }

    /** Deletes the link named {@code name} (both ends of a veth); completes when it is gone, also if it was gone already. */
    public Mono<Void> delete(String name) {
        return Mono.defer(() -> {
            Pending p = new Pending(name, Sinks.empty());
            boolean start;
            synchronized (lock) {
                waiting.add(p);
                start = !running;
                running = true;
            }
            if (start) {
                runNext();
            }
            return p.done().asMono();
        });
    }

    /** How many {@code RTM_DELLINK} by group were sent so far. */
    public long groupRequests() {
        return groupRequests.get();
    }

    /** How many {@code RTM_DELLINK} by name were sent so far. */
    public long singleRequests() {
        return singleRequests.get();
    }

    private void runNext() {
        List<Pending> batch;
        synchronized (lock) {
            if (waiting.isEmpty()) {
                running = false;
                return;
            }
            batch = waiting;
            waiting = new ArrayList<>();
        }
        Mono<Void> work = batch.size() == 1 ? single(batch.get(0)) : group(batch);
        work.doFinally(s -> runNext()).subscribe(null, e -> {});
    }

    private Mono<Void> single(Pending p) {
        return Mono.defer(() -> {
                    singleRequests.incrementAndGet();
                    return rtnl.execute(Links.deleteByName(p.name()));
                })
                .onErrorResume(GroupDeleter::isNoDevice, e -> Mono.empty())
                .doOnSuccess(v -> p.done().tryEmitEmpty())
                .doOnError(e -> p.done().tryEmitError(e))
                .onErrorResume(e -> Mono.empty());
    }

    private Mono<Void> group(List<Pending> batch) {
        int group;
        synchronized (lock) {
            group = GROUP_BASE + (nextGroup++ & ((1 << 29) - 1));
        }
        // the marks go out together (requests made together share datagrams); each has its own answer
        return Flux.fromIterable(batch)
                .flatMap(
                        p -> rtnl.execute(Links.setGroup(p.name(), group))
                                .thenReturn(p)
                                .onErrorResume(e -> {
                                    if (isNoDevice(e)) {
                                        p.done().tryEmitEmpty();
                                    } else {
                                        p.done().tryEmitError(e);
                                    }
                                    return Mono.empty();
                                }),
                        batch.size())
                .collectList()
                .doOnNext(marked -> groupRequests.incrementAndGet())
                .flatMap(marked -> marked.isEmpty()
                        ? Mono.empty()
                        : rtnl.execute(Links.deleteGroup(group))
                                .doOnSuccess(v -> marked.forEach(p -> p.done().tryEmitEmpty()))
                                .onErrorResume(e -> Flux.fromIterable(marked)
                                        .concatMap(this::single)
                                        .then()));
    }

    private static boolean isNoDevice(Throwable e) {
        return NetlinkException.hasErrno(e, Errno.ENODEV);
    }
}
