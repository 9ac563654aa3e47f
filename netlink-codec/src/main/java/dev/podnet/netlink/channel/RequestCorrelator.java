package dev.podnet.netlink.channel;

import dev.podnet.netlink.DoneMessage;
import dev.podnet.netlink.ErrorMessage;
import dev.podnet.netlink.MessageFactory;
import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.MonoSink;

/**
 * The channel's handler for requests and replies: writes requests, hands what is read to the
 * {@link NetlinkProtocol} (sequence numbers, pending requests, dumps one at a time), and fails what
 * is pending when the channel closes or loses replies. Confined to the channel's event loop: every
 * method except the constructor runs there.
 *
 * <p>Writes are coalesced: a request only schedules a flush, which runs after the tasks already
 * queued on the loop, so requests submitted close together (one endpoint's batch, or many
 * endpoints' concurrent batches) leave in one datagram.
 *
 * <p>A little over 400 lines: the three kinds of pending request (single, batch, streamed dump) are
 * nested here because each is a few lines of the same event-loop-confined state machine.
 */
final class RequestCorrelator extends ChannelDuplexHandler {
    private final NetlinkProtocol protocol;
    private final MessageFactory factory;
    private final int maxPending;
    private final NetlinkListener listener;
    private ChannelHandlerContext ctx;
    private boolean flushScheduled;
    private final Runnable flushTask = this::flushNow;

    RequestCorrelator(MessageFactory factory, int maxPending, int portId, NetlinkListener listener) {
        this.factory = factory;
        this.maxPending = maxPending;
        this.protocol = new NetlinkProtocol(maxPending, portId);
        this.listener = listener;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    int inFlight() {
        return protocol.inFlight();
    }

    /** Writes {@code request} for {@code p}; schedules a flush. */
    void submit(NetlinkMessage request, int extraFlags, Pending p) {
        if (admit(request, 1, p)) {
            write(request, extraFlags, p);
        }
    }

    /** Writes dump {@code request} for {@code p} when no other dump runs on the socket (they wait their turn). */
    void submitDump(NetlinkMessage request, Pending p) {
        protocol.dump(p, () -> {
            if (admit(request, 1, p)) {
                write(request, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, p);
            } else {
                protocol.forget(p, false); // refused: the next dump's turn
            }
        });
    }

    /** Gives up on {@code p} (timed out or cancelled): its slots are free at once, its late replies dropped. */
    void forget(Pending p) {
        protocol.forget(p, true);
    }

    /** Writes all of {@code requests} for one {@link Batch}, back to back, so they share a datagram. */
    void submitBatch(List<? extends NetlinkMessage> requests, Batch batch) {
        if (admit(requests.get(0), requests.size(), batch)) {
            for (int i = 0; i < requests.size(); i++) {
                batch.sequenceNumbers[i] = write(requests.get(i), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, batch);
            }
        }
    }

    /**
     * Writes the {@code count} requests already encoded in {@code requests} (sequence numbers and
     * port ids 0) for one {@link Batch}: stamps each with a sequence number and
     * {@code NLM_F_REQUEST | NLM_F_ACK}, and writes the buffer as it is (it shares the datagram
     * with whatever else is flushed with it). Takes ownership of the buffer.
     */
    void submitEncoded(
            ByteBuf requests,
            int count,
            java.util.function.IntFunction<? extends NetlinkMessage> requestAt,
            Batch batch) {
        RuntimeException refused = refusal(requestAt.apply(0), count);
        if (refused != null) {
            requests.release(); // before the caller hears of it: the buffer is ours, and gone when it is told
            batch.fail(refused);
            return;
        }
        int at = requests.readerIndex();
        for (int i = 0; i < count; i++) {
            int length = requests.getIntLE(at);
            int seq = protocol.register(batch);
            batch.sequenceNumbers[i] = seq;
            requests.setShortLE(
                    at + 6, requests.getUnsignedShortLE(at + 6) | Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK);
            requests.setIntLE(at + 8, seq);
            at += Netlink.align(length);
        }
        if (at != requests.writerIndex()) {
            protocol.forget(batch, false);
            requests.release();
            batch.fail(
                    new IllegalArgumentException("the buffer holds " + (requests.writerIndex() - requests.readerIndex())
                            + " bytes, not the " + count + " messages said"));
            return;
        }
        ctx.write(requests).addListener(f -> {
            if (!f.isSuccess() && !batch.sequences.isEmpty()) {
                protocol.forget(batch, false);
                batch.fail(writeFailure(f.cause()));
            }
        });
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(flushTask);
        }
    }

    private boolean admit(NetlinkMessage first, int count, Pending p) {
        RuntimeException refused = refusal(first, count);
        if (refused != null) {
            p.fail(refused);
        }
        return refused == null;
    }

    /** Why requests cannot be taken now (the channel closed, or too many in flight), or null. */
    private RuntimeException refusal(NetlinkMessage first, int count) {
        if (!ctx.channel().isActive()) {
            return new NetlinkClosedException(factory.describe(first) + ": the netlink channel is closed");
        }
        if (!protocol.hasRoomFor(count)) {
            return new NetlinkBusyException(factory.describe(first) + ": " + protocol.inFlight()
                    + " requests already in flight on this channel, bound " + maxPending);
        }
        return null;
    }

    private int write(NetlinkMessage request, int extraFlags, Pending p) {
        int seq = protocol.register(p);
        ctx.write(new OutboundMessage(request, seq, extraFlags)).addListener(new WriteFailure(seq, p));
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(flushTask);
        }
        return seq;
    }

    private void flushNow() {
        flushScheduled = false;
        ctx.flush();
    }

    /**
     * Why a write failed, as the caller is told: a channel closed between a request's write and its
     * flush is the documented {@link NetlinkClosedException}, not Netty's own exception.
     */
    private Throwable writeFailure(Throwable cause) {
        if (cause instanceof java.nio.channels.ClosedChannelException
                || !ctx.channel().isOpen()) {
            NetlinkClosedException closed =
                    new NetlinkClosedException("the netlink channel closed before the request was sent");
            closed.initCause(cause);
            return closed;
        }
        return cause;
    }

    private final class WriteFailure implements ChannelFutureListener {
        private final int seq;
        private final Pending p;

        WriteFailure(int seq, Pending p) {
            this.seq = seq;
            this.p = p;
        }

        @Override
        public void operationComplete(ChannelFuture future) {
            if (!future.isSuccess() && p.sequences.contains(seq)) {
                protocol.forget(p, false);
                p.fail(writeFailure(future.cause()));
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        NetlinkMessage m = (NetlinkMessage) msg;
        if (!protocol.deliver(m)) {
            listener.notification(m);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        // Replies may have been lost with the failed datagram: waiting for them would hang forever.
        failAll(c);
        listener.lost(c);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        failAll(new NetlinkClosedException("the netlink channel closed before the kernel answered"));
        super.channelInactive(ctx);
    }

    private void failAll(Throwable cause) {
        for (Pending p : protocol.clear()) {
            p.fail(cause);
        }
    }

    /** A request (or group of requests) awaiting replies. */
    abstract static class Pending {
        /** Its sequence numbers still awaiting replies (kept by {@link NetlinkProtocol}). */
        final List<Integer> sequences = new ArrayList<>(1);

        /** Handles one reply; true when this sequence number is finished with. */
        abstract boolean onMessage(NetlinkMessage m);

        /** Fails the request; may be called more than once (for a batch), only the first counts. */
        abstract void fail(Throwable cause);
    }

    /** One request answered by an ack (with {@code NLM_F_ECHO} or a GET, a reply before it). */
    static final class Single extends Pending {
        private final MonoSink<NetlinkMessage> sink;
        private final NetlinkMessage request;
        private final MessageFactory factory;
        private NetlinkMessage reply;

        /** The request is described (for the error) only if it fails. */
        Single(MonoSink<NetlinkMessage> sink, NetlinkMessage request, MessageFactory factory) {
            this.sink = sink;
            this.request = request;
            this.factory = factory;
        }

        @Override
        boolean onMessage(NetlinkMessage m) {
            if (m instanceof ErrorMessage e) {
                if (e.isAck()) {
                    if (reply == null) {
                        sink.success();
                    } else {
                        sink.success(reply);
                    }
                } else {
                    sink.error(NetlinkException.of(e, factory.describe(request)));
                }
                return true;
            }
            if (reply == null) {
                reply = m;
            }
            return false;
        }

        @Override
        void fail(Throwable cause) {
            sink.error(cause);
        }
    }

    /** Several requests sent as one datagram; done when every one is answered. */
    static final class Batch extends Pending {
        private final MonoSink<List<NetlinkMessage>> sink;
        private final List<NetlinkMessage> replies = new ArrayList<>();
        private final java.util.function.IntFunction<? extends NetlinkMessage> requestAt;
        private final MessageFactory factory;
        final int[] sequenceNumbers;
        private int remaining;
        private NetlinkException firstError;
        private boolean failed;

        /**
         * @param requestAt the request at an index, as an object: asked for only when that request
         *                  fails, to describe it in the error
         */
        Batch(
                MonoSink<List<NetlinkMessage>> sink,
                int count,
                java.util.function.IntFunction<? extends NetlinkMessage> requestAt,
                MessageFactory factory) {
            this.sink = sink;
            this.requestAt = requestAt;
            this.factory = factory;
            this.sequenceNumbers = new int[count];
            this.remaining = count;
        }

        @Override
        boolean onMessage(NetlinkMessage m) {
            if (!(m instanceof ErrorMessage e)) {
                replies.add(m);
                return false;
            }
            if (!e.isAck()) {
                int i = 0;
                while (i < sequenceNumbers.length && sequenceNumbers[i] != e.sequence()) {
                    i++;
                }
                NetlinkException ex = NetlinkException.of(
                        e, i < sequenceNumbers.length ? factory.describe(requestAt.apply(i)) : "request");
                if (firstError == null) {
                    firstError = ex;
                } else {
                    firstError.addSuppressed(ex);
                }
            }
            if (--remaining == 0 && !failed) {
                if (firstError != null) {
                    sink.error(firstError);
                } else {
                    sink.success(replies);
                }
            }
            return true;
        }

        @Override
        void fail(Throwable cause) {
            if (!failed) {
                failed = true;
                sink.error(cause);
            }
        }
    }

    /**
     * A dump: every {@code NLM_F_MULTI} part is emitted, {@code NLMSG_DONE} completes. With
     * {@code channel} given, the dump streams with backpressure: when the subscriber has no demand
     * left the channel stops reading until it asks for more.
     */
    static final class Dump extends Pending {
        private final FluxSink<NetlinkMessage> sink;
        private final String description;
        private final io.netty.channel.Channel channel;
        boolean interrupted;

        Dump(FluxSink<NetlinkMessage> sink, String description) {
            this(sink, description, null);
        }

        Dump(FluxSink<NetlinkMessage> sink, String description, io.netty.channel.Channel channel) {
            this.sink = sink;
            this.description = description;
            this.channel = channel;
            if (channel != null) {
                sink.onRequest(n -> channel.eventLoop().execute(() -> {
                    if (!channel.config().isAutoRead() && sink.requestedFromDownstream() > 0) {
                        channel.config().setAutoRead(true);
                    }
                }));
                sink.onDispose(
                        () -> channel.eventLoop().execute(() -> channel.config().setAutoRead(true)));
            }
        }

        private void done() {
            if (channel != null && !channel.config().isAutoRead()) {
                channel.config().setAutoRead(true);
            }
        }

        @Override
        boolean onMessage(NetlinkMessage m) {
            if ((m.flags() & Netlink.NLM_F_DUMP_INTR) != 0) {
                interrupted = true;
            }
            switch (m) {
                case DoneMessage d -> {
                    done();
                    if (d.error() < 0) {
                        String text = d.extAck().string(Netlink.NLMSGERR_ATTR_MSG);
                        sink.error(new NetlinkException(-d.error(), text, -1, description));
                    } else if (interrupted) {
                        sink.error(new DumpInterruptedException(description
                                + ": interrupted (NLM_F_DUMP_INTR), the kernel's table changed during the dump"));
                    } else {
                        sink.complete();
                    }
                    return true;
                }
                case ErrorMessage e -> {
                    done();
                    if (e.isAck()) {
                        sink.complete();
                    } else {
                        sink.error(NetlinkException.of(e, description));
                    }
                    return true;
                }
                default -> {
                    sink.next(m);
                    if (channel != null && sink.requestedFromDownstream() == 0) {
                        channel.config().setAutoRead(false);
                    }
                    return false;
                }
            }
        }

        @Override
        void fail(Throwable cause) {
            done();
            sink.error(cause);
        }
    }
}
