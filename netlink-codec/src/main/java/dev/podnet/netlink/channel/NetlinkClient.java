package dev.podnet.netlink.channel;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import java.util.List;
import java.util.function.IntFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Requests and dumps over one {@link NetlinkChannel}, matched to their replies by sequence number.
 * Thread-safe; every method returns a cold publisher that does nothing until subscribed.
 *
 * <p>Requests submitted close together share datagrams (see {@link #executeBatch}). Replies complete
 * the publishers on the channel's event loop: do not block in what follows them.
 *
 * <pre>{@code
 * NetlinkClient rtnl = NetlinkClient.open(group, NetlinkSocket.openRoute()).block();
 * rtnl.dump(LinkMessage.request(RTM_GETLINK, 0, 0, 0, 0, AttributeList.EMPTY))
 *     .cast(LinkMessage.class)
 *     .doOnNext(l -> System.out.println(l.index() + ": " + l.name()))
 *     .blockLast();
 * }</pre>
 */
public final class NetlinkClient {
    private final NetlinkChannel channel;
    private final RequestCorrelator correlator;
    private final NetlinkClientOptions options;
    private final EventLoop loop;

    private NetlinkClient(NetlinkChannel channel, RequestCorrelator correlator, NetlinkClientOptions options) {
        this.channel = channel;
        this.correlator = correlator;
        this.options = options;
        this.loop = channel.eventLoop();
    }

    /** The event loop this client's channel runs on. */
    public EventLoop eventLoop() {
        return loop;
    }

    /** Opens a client on {@code socket} with default options; the client owns the socket from then on. */
    public static Mono<NetlinkClient> open(IoEventLoopGroup group, NetlinkSocket socket) {
        return open(group, socket, NetlinkClientOptions.DEFAULTS);
    }

    /**
     * Registers a channel for {@code socket} on one of {@code group}'s epoll event loops. The client
     * owns the socket from then on, also when registration fails (it is closed then).
     */
    public static Mono<NetlinkClient> open(IoEventLoopGroup group, NetlinkSocket socket, NetlinkClientOptions options) {
        return open(group, socket, options, NetlinkListener.NONE);
    }

    /**
     * As {@link #open(IoEventLoopGroup, NetlinkSocket, NetlinkClientOptions)}, telling {@code listener}
     * of notifications (messages that answer none of this client's requests) and of lost messages.
     */
    public static Mono<NetlinkClient> open(
            IoEventLoopGroup group, NetlinkSocket socket, NetlinkClientOptions options, NetlinkListener listener) {
        return Mono.create(sink -> {
            NetlinkChannel channel = new NetlinkChannel(socket, options.readBuffer());
            RequestCorrelator correlator =
                    new RequestCorrelator(options.factory(), options.maxInFlight(), socket.portId(), listener);
            channel.pipeline().addLast("decoder", new NetlinkMessageDecoder(options.factory()));
            channel.pipeline().addLast("encoder", NetlinkMessageEncoder.INSTANCE);
            channel.pipeline().addLast("correlator", correlator);
            // EventLoopGroup.register, as Netty's bootstraps call it (IoEventLoopGroup's override is deprecated)
            ((EventLoopGroup) group).register(channel).addListener(f -> {
                if (f.isSuccess()) {
                    sink.success(new NetlinkClient(channel, correlator, options));
                } else {
                    NetlinkChannel.closeQuietly(socket);
                    sink.error(f.cause());
                }
            });
        });
    }

    /** The channel under this client. */
    public NetlinkChannel channel() {
        return channel;
    }

    /** The socket's port id. */
    public int portId() {
        return channel.socket().portId();
    }

    /**
     * Sends {@code request} (with {@code NLM_F_REQUEST | NLM_F_ACK} added) and completes when the
     * kernel acknowledges it, or fails with a {@link dev.podnet.netlink.NetlinkException}.
     */
    public Mono<Void> execute(NetlinkMessage request) {
        return request(request).then();
    }

    /**
     * Sends {@code request} and emits the reply the kernel sends before its acknowledgement (the
     * object of a GET, or the echo of a request sent with {@code NLM_F_ECHO}); empty when there is
     * none.
     */
    public Mono<NetlinkMessage> request(NetlinkMessage request) {
        Mono<NetlinkMessage> m = Mono.create(sink -> {
            RequestCorrelator.Single p = new RequestCorrelator.Single(sink, request, options.factory());
            sink.onCancel(() -> forget(p));
            loop.execute(() -> correlator.submit(request, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, p));
        });
        return withTimeout(m, () -> options.factory().describe(request));
    }

    /**
     * Sends all {@code requests} back to back, so they leave in one datagram, and completes when the
     * kernel has answered every one of them. The kernel does not stop at a failed request: the
     * others are still applied. Fails with the first error (in request order); later errors are
     * attached as suppressed.
     */
    public Mono<Void> executeBatch(List<? extends NetlinkMessage> requests) {
        return requestBatch(requests).then();
    }

    /**
     * As {@link #executeBatch}, emitting the replies the kernel sent before the acknowledgements
     * (echoes of {@code NLM_F_ECHO} requests, objects of GETs), in request order.
     */
    public Mono<List<NetlinkMessage>> requestBatch(List<? extends NetlinkMessage> requests) {
        if (requests.isEmpty()) {
            return Mono.just(List.of());
        }
        List<? extends NetlinkMessage> copy = List.copyOf(requests);
        Mono<List<NetlinkMessage>> m = Mono.create(sink -> {
            RequestCorrelator.Batch batch =
                    new RequestCorrelator.Batch(sink, copy.size(), copy::get, options.factory());
            sink.onCancel(() -> forget(batch));
            loop.execute(() -> correlator.submitBatch(copy, batch));
        });
        return withTimeout(m, () -> options.factory().describe(copy.get(0)));
    }

    /**
     * As {@link #requestBatch}, for {@code count} requests already written into {@code requests}
     * (by a {@link dev.podnet.netlink.RequestWriter}): no message objects on the way out. The
     * client takes ownership of the buffer. {@code requestAt} gives a request as an object, and is
     * asked only to describe one that failed.
     */
    public Mono<List<NetlinkMessage>> requestEncoded(
            ByteBuf requests, int count, IntFunction<? extends NetlinkMessage> requestAt) {
        if (count <= 0) {
            requests.release();
            return Mono.just(List.of());
        }
        Mono<List<NetlinkMessage>> m = Mono.create(sink -> {
            RequestCorrelator.Batch batch = new RequestCorrelator.Batch(sink, count, requestAt, options.factory());
            sink.onCancel(() -> forget(batch));
            loop.execute(() -> correlator.submitEncoded(requests, count, requestAt, batch));
        });
        return withTimeout(
                m,
                () -> options.factory().describe(requestAt.apply(0))
                        + (count > 1 ? " and " + (count - 1) + " more" : ""));
    }

    /**
     * Dumps: sends {@code request} with {@code NLM_F_REQUEST | NLM_F_DUMP} and emits every object of
     * the reply, as one consistent snapshot: the reply is collected first, and an interrupted dump
     * ({@code NLM_F_DUMP_INTR}: the table changed meanwhile) is restarted up to the configured number
     * of times, then fails with {@link DumpInterruptedException}. For dumps too big to hold, see
     * {@link #dumpStream}.
     */
    public Flux<NetlinkMessage> dump(NetlinkMessage request) {
        Flux<NetlinkMessage> once = Flux.<NetlinkMessage>create(sink -> {
                    RequestCorrelator.Dump p =
                            new RequestCorrelator.Dump(sink, options.factory().describe(request) + " dump");
                    sink.onCancel(() -> forget(p));
                    loop.execute(() -> correlator.submitDump(request, p));
                })
                .collectList()
                .timeout(
                        options.requestTimeout(),
                        Mono.error(() ->
                                new NetlinkTimeoutException(options.factory().describe(request)
                                        + " dump: no complete reply within " + options.requestTimeout())))
                .flatMapIterable(l -> l);
        // Collected first so that a restarted dump never emits an object twice.
        return once.retryWhen(Retry.max(options.dumpRetries())
                .filter(e -> e instanceof DumpInterruptedException)
                .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    /**
     * Streams a dump as the kernel produces it, with backpressure down to the kernel: when the
     * subscriber has no demand left this client's channel stops reading, and the kernel holds back
     * the next parts until it asks for more. Meanwhile other replies on this client wait too, so
     * stream big dumps on a client of their own. An interrupted dump ({@code NLM_F_DUMP_INTR}) ends
     * in {@link DumpInterruptedException}: what was emitted cannot be taken back, so it is not retried.
     */
    public Flux<NetlinkMessage> dumpStream(NetlinkMessage request) {
        return Flux.create(
                sink -> {
                    RequestCorrelator.Dump p =
                            new RequestCorrelator.Dump(sink, options.factory().describe(request) + " dump", channel);
                    sink.onCancel(() -> forget(p));
                    loop.execute(() -> correlator.submitDump(request, p));
                },
                reactor.core.publisher.FluxSink.OverflowStrategy.BUFFER);
    }

    /** A request given up on (timed out or cancelled) frees its slots at once: see {@link NetlinkProtocol#forget}. */
    private void forget(RequestCorrelator.Pending p) {
        loop.execute(() -> correlator.forget(p));
    }

    /** Fails {@code m} with a {@link NetlinkTimeoutException} naming {@code what} (described only then) if no reply comes in time. */
    private <T> Mono<T> withTimeout(Mono<T> m, java.util.function.Supplier<String> what) {
        return m.timeout(
                options.requestTimeout(),
                Mono.error(() ->
                        new NetlinkTimeoutException(what.get() + ": no reply within " + options.requestTimeout())));
    }

    /** Requests awaiting replies (a snapshot; for tests and metrics). */
    public Mono<Integer> inFlight() {
        return Mono.create(sink -> loop.execute(() -> sink.success(correlator.inFlight())));
    }

    /** Closes the channel and its socket; requests still in flight fail with {@link NetlinkClosedException}. */
    public Mono<Void> close() {
        return Mono.create(sink -> channel.close().addListener(f -> {
            if (f.isSuccess()) {
                sink.success();
            } else {
                sink.error(f.cause());
            }
        }));
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public String toString() {
        return "NetlinkClient[" + channel.socket() + "]";
    }
}
