package dev.podnet.netlink.channel;

import dev.podnet.netlink.Errno;
import dev.podnet.netlink.ErrorMessage;
import dev.podnet.netlink.MessageFactory;
import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.internal.sys.LibC;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A netlink socket used synchronously by the calling thread, for a short batch of requests to
 * rtnetlink, which does its work inside the send: by the time the datagram is sent, every answer
 * is queued, so the replies are read straight away, with no event loop, no channel to register
 * and no thread to wake. For a socket that lives a few hundred microseconds (one inside a pod's
 * namespace, to configure it) this costs a fraction of an asynchronous channel's set-up; for
 * everything long-lived, and for dumps, use {@link NetlinkClient}.
 *
 * <p>Errors are those of {@link NetlinkClient}: {@link NetlinkException} with the errno, the
 * kernel's extended-ack text and the failing request. Not thread-safe: one thread at a time.
 */
public final class SyncNetlink implements AutoCloseable {
    private static final int READ_BUFFER = 64 << 10;
    private static final long TIMEOUT_NANOS = 10_000_000_000L;

    /**
     * Native memory for receiving, one set per thread that uses this class and kept for the thread's
     * life: sockets come and go by the hundred per second, and freeing a shared arena on each close
     * would make every thread of the JVM take part in a handshake.
     */
    private static final ThreadLocal<MemorySegment[]> NATIVE = ThreadLocal.withInitial(() -> {
        Arena arena = Arena.ofAuto();
        return new MemorySegment[] {arena.allocate(READ_BUFFER, 8), arena.allocate(12, 4), arena.allocate(4, 4)};
    });

    private final NetlinkSocket socket;
    private final MessageFactory factory;
    private int sequence;

    private SyncNetlink(NetlinkSocket socket, MessageFactory factory) {
        this.socket = socket;
        this.factory = factory;
    }

    /** Takes over {@code socket} (closed with this). */
    public static SyncNetlink of(NetlinkSocket socket, MessageFactory factory) {
        return new SyncNetlink(socket, factory);
    }

    /**
     * Opens a small rtnetlink socket in the calling thread's network namespace (64 KiB buffers:
     * enough for a batch's acknowledgements, not meant for dumps).
     */
    public static SyncNetlink openRoute() throws ErrnoException {
        return new SyncNetlink(
                NetlinkSocket.open(Netlink.NETLINK_ROUTE, 64 << 10, 64 << 10),
                dev.podnet.netlink.route.RouteMessages.INSTANCE);
    }

    /** As {@link #requestBatch}, without the replies. */
    public void executeBatch(List<? extends NetlinkMessage> requests) {
        requestBatch(requests);
    }

    /** One request, acknowledged. */
    public void execute(NetlinkMessage request) {
        requestBatch(List.of(request));
    }

    /** One request; its reply (an echo, or the object of a GET), or null when the kernel only acknowledged it. */
    public NetlinkMessage request(NetlinkMessage request) {
        List<NetlinkMessage> replies = requestBatch(List.of(request));
        return replies.isEmpty() ? null : replies.get(0);
    }

    /**
     * Sends {@code requests} in one datagram, each with {@code NLM_F_REQUEST | NLM_F_ACK}, and reads
     * every answer. The kernel applies every request even after a failed one. Returns the replies
     * sent before the acknowledgements, in request order; throws the first error (in request order),
     * later ones attached as suppressed.
     */
    public List<NetlinkMessage> requestBatch(List<? extends NetlinkMessage> requests) {
        int first = sequence + 1;
        ByteBuf out = Unpooled.buffer(256 * requests.size());
        byte[] datagram;
        try {
            for (NetlinkMessage m : requests) {
                NetlinkCodec.encode(m, ++sequence, socket.portId(), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, out);
            }
            datagram = new byte[out.readableBytes()];
            out.readBytes(datagram);
        } finally {
            out.release();
        }
        return exchange(datagram, first, requests.size(), requests::get);
    }

    /**
     * As {@link #requestBatch}, for {@code count} requests already written into {@code requests}
     * from its reader index (by a {@link dev.podnet.netlink.RequestWriter}, sequence numbers 0):
     * each is stamped with its sequence number, this socket's port id and
     * {@code NLM_F_REQUEST | NLM_F_ACK}. Takes ownership of the buffer, as
     * {@link NetlinkClient#requestEncoded} does: it is released once copied out (or refused);
     * {@code retain()} it first to write into it again. {@code requestAt} gives a request as an
     * object, and is asked only to describe one that failed.
     */
    public List<NetlinkMessage> requestEncoded(
            ByteBuf requests, int count, java.util.function.IntFunction<? extends NetlinkMessage> requestAt) {
        int first = sequence + 1;
        byte[] datagram;
        try {
            int at = requests.readerIndex();
            for (int i = 0; i < count; i++) {
                int length = requests.getIntLE(at);
                requests.setShortLE(
                        at + 6, requests.getUnsignedShortLE(at + 6) | Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK);
                requests.setIntLE(at + 8, first + i);
                requests.setIntLE(at + 12, socket.portId());
                at += Netlink.align(length);
            }
            if (at != requests.writerIndex()) {
                throw new IllegalArgumentException(
                        "the buffer holds " + requests.readableBytes() + " bytes, not the " + count + " messages said");
            }
            datagram = new byte[requests.readableBytes()];
            requests.getBytes(requests.readerIndex(), datagram);
        } finally {
            requests.release();
        }
        sequence += count;
        return exchange(datagram, first, count, requestAt);
    }

    /** Sends one datagram of {@code count} requests numbered from {@code first}, reads every answer. */
    private List<NetlinkMessage> exchange(
            byte[] datagram, int first, int count, java.util.function.IntFunction<? extends NetlinkMessage> requestAt) {
        try {
            LibC.sendToNetlinkPort(socket.fd(), datagram, 0);
        } catch (ErrnoException e) {
            throw new NetlinkException(e.errno(), null, -1, "sending " + count + " requests: " + e.getMessage());
        }
        MemorySegment[] nativeMemory = NATIVE.get();
        MemorySegment buffer = nativeMemory[0];
        MemorySegment sockaddr = nativeMemory[1];
        MemorySegment addrLen = nativeMemory[2];
        NetlinkException[] errors = new NetlinkException[count];
        List<NetlinkMessage>[] replies = newReplyLists(count);
        int answered = 0;
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        List<NetlinkMessage> decoded = new ArrayList<>();
        while (answered < count) {
            long n = LibC.recvfrom(socket.fd(), buffer.address(), READ_BUFFER, sockaddr, addrLen);
            if (n == -Errno.EAGAIN || n == -Errno.EINTR) {
                if (System.nanoTime() > deadline) {
                    throw new NetlinkTimeoutException("no answer from the kernel to " + (count - answered) + " of "
                            + count + " requests within 10 s");
                }
                LockSupport.parkNanos(20_000);
                continue;
            }
            if (n < 0) {
                throw new NetlinkException((int) -n, null, -1, "receiving the answers to " + count + " requests");
            }
            if (n > READ_BUFFER) {
                throw new NetlinkException(
                        Errno.EMSGSIZE,
                        null,
                        -1,
                        "an answer of " + n + " bytes is larger than " + READ_BUFFER + " (MSG_TRUNC)");
            }
            if (sockaddr.get(java.lang.foreign.ValueLayout.JAVA_INT, 4) != 0) {
                continue; // not from the kernel
            }
            decoded.clear();
            NetlinkCodec.decode(Unpooled.wrappedBuffer(buffer.asSlice(0, n).asByteBuffer()), factory, decoded);
            for (NetlinkMessage m : decoded) {
                int index = m.sequence() - first;
                if (index < 0 || index >= count || m.portId() != socket.portId()) {
                    continue; // an answer to an earlier batch that timed out, or a notification
                }
                if (m instanceof ErrorMessage e) {
                    if (!e.isAck()) {
                        errors[index] = NetlinkException.of(e, factory.describe(requestAt.apply(index)));
                    }
                    answered++;
                } else {
                    replies[index].add(m);
                }
            }
        }
        NetlinkException failure = null;
        for (NetlinkException e : errors) {
            if (e != null) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        List<NetlinkMessage> all = new ArrayList<>();
        for (List<NetlinkMessage> r : replies) {
            all.addAll(r);
        }
        return all;
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array: created raw, used typed
    private static List<NetlinkMessage>[] newReplyLists(int n) {
        List<NetlinkMessage>[] lists = new List[n];
        for (int i = 0; i < n; i++) {
            lists[i] = new ArrayList<>(1);
        }
        return lists;
    }

    public NetlinkSocket socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            LibC.close(socket.fd());
        } catch (ErrnoException ignored) {
            // the descriptor is gone either way
        }
    }
}
