package dev.podnet.netlink.events;

import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.channel.NetlinkClientOptions;
import dev.podnet.netlink.channel.NetlinkListener;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.netlink.internal.sys.ErrnoException;
import io.netty.channel.IoEventLoopGroup;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * rtnetlink notifications as a hot {@link Flux}: subscribe to link, address, route and neighbour
 * groups on a socket of their own. The stream never dies of lost messages: a receive-queue
 * overflow ({@code ENOBUFS}) or a subscriber that falls more than {@code buffer} events behind
 * becomes an {@link NetlinkEvent.Overrun}, followed by a {@link NetlinkEvent.Resync} dump of every
 * subscribed group, so a consumer can rebuild its view.
 *
 * <pre>{@code
 * RouteEventSource events = RouteEventSource.open(group, socket, EnumSet.of(RouteGroup.LINK), 4096).block();
 * events.events().subscribe(e -> System.out.println(e));
 * }</pre>
 */
public final class RouteEventSource {
    private final Sinks.Many<NetlinkEvent> sink;
    private final Set<RouteGroup> groups;
    private final AtomicReference<NetlinkClient> client = new AtomicReference<>();
    private boolean behind;
    private boolean resyncing;

    private RouteEventSource(Set<RouteGroup> groups, int buffer) {
        this.groups = EnumSet.copyOf(groups);
        this.sink = Sinks.many().multicast().onBackpressureBuffer(buffer, false);
    }

    /**
     * Joins {@code groups} on {@code socket} (which the source owns from then on) and starts
     * delivering. Events that arrive before the first subscriber are buffered (up to {@code buffer}).
     */
    public static Mono<RouteEventSource> open(
            IoEventLoopGroup loops, NetlinkSocket socket, Set<RouteGroup> groups, int buffer) {
        if (groups.isEmpty()) {
            return Mono.error(new IllegalArgumentException("subscribe to at least one group"));
        }
        if (buffer < 16) {
            return Mono.error(new IllegalArgumentException("buffer must hold at least 16 events, got " + buffer));
        }
        RouteEventSource source = new RouteEventSource(groups, buffer);
        return Mono.defer(() -> {
                    try {
                        for (RouteGroup g : groups) {
                            socket.joinGroup(g.number());
                        }
                    } catch (ErrnoException e) {
                        return Mono.error(e);
                    }
                    return NetlinkClient.open(loops, socket, NetlinkClientOptions.DEFAULTS, source.listener());
                })
                .doOnNext(source.client::set)
                .thenReturn(source);
    }

    /** The events: hot, shared by every subscriber. Completes when the source is closed. */
    public Flux<NetlinkEvent> events() {
        return sink.asFlux();
    }

    private NetlinkListener listener() {
        return new NetlinkListener() {
            @Override
            public void notification(NetlinkMessage message) {
                emit(new NetlinkEvent.Notification(message));
            }

            @Override
            public void lost(Throwable cause) {
                overrun(cause.getMessage());
            }
        };
    }

    /** Runs on the event loop, as every emission does: no concurrent emitters. */
    private void emit(NetlinkEvent event) {
        if (behind && !catchUp()) {
            return;
        }
        Sinks.EmitResult r = sink.tryEmitNext(event);
        if (r == Sinks.EmitResult.FAIL_OVERFLOW) {
            behind = true;
        }
    }

    /** After the subscriber fell behind: once there is room again, announce the loss and resync. */
    private boolean catchUp() {
        if (sink.tryEmitNext(new NetlinkEvent.Overrun("the subscriber fell behind the event buffer"))
                != Sinks.EmitResult.OK) {
            return false;
        }
        behind = false;
        resync();
        return true;
    }

    private void overrun(String reason) {
        if (sink.tryEmitNext(new NetlinkEvent.Overrun(reason)) != Sinks.EmitResult.OK) {
            behind = true;
            return;
        }
        resync();
    }

    private void resync() {
        NetlinkClient c = client.get();
        if (c == null || resyncing) {
            return;
        }
        resyncing = true;
        Flux.fromIterable(groups)
                .concatMap(g -> c.dump(g.resyncDump()).collectList().map(list -> new NetlinkEvent.Resync(g, list)))
                .subscribe(
                        this::emit,
                        e -> {
                            resyncing = false;
                            overrun("resync dump failed: " + e.getMessage());
                        },
                        () -> resyncing = false);
    }

    /** Stops: closes the socket and completes the event stream. */
    public Mono<Void> close() {
        NetlinkClient c = client.get();
        return (c == null ? Mono.<Void>empty() : c.close()).doFinally(s -> sink.tryEmitComplete());
    }
}
