package dev.podnet.netlink.nft;

import dev.podnet.netlink.DoneMessage;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.ErrorMessage;
import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RequestWriter;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.netlink.channel.NetlinkTimeoutException;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.internal.sys.LibC;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A {@code NETLINK_NETFILTER} socket used synchronously by the calling thread, for nf_tables in
 * that thread's network namespace. nf_tables does a transaction's work inside the send, so the
 * answers are queued by the time {@link #commit} reads them: no event loop is needed, and none of
 * the channel's coalescing of requests into one datagram, which the kernel would turn into lost
 * transactions (it reads one transaction a datagram and drops what follows).
 *
 * <p>Not thread-safe: one thread at a time. Errors are {@link NftException}s (a refused
 * transaction, nothing applied) or {@link NetlinkException}s (a dump that failed).
 */
public final class NftSocket implements AutoCloseable {
    private static final int BUFFER = 1 << 20;
    private static final int READ_BUFFER = 256 << 10;
    private static final long TIMEOUT_NANOS = 10_000_000_000L;

    private final NetlinkSocket socket;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(READ_BUFFER, 8);
    private final MemorySegment sockaddr = arena.allocate(12, 4);
    private final MemorySegment addrLen = arena.allocate(4, 4);
    private int sequence = (int) (System.nanoTime() & 0x3fffffff);

    private NftSocket(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Opens a socket in the calling thread's network namespace (1 MiB buffers). */
    public static NftSocket open() throws ErrnoException {
        return new NftSocket(NetlinkSocket.open(Nft.NETLINK_NETFILTER, BUFFER, BUFFER));
    }

    /**
     * Sends {@code batch} (ended) as one datagram and reads its answers: returns when the kernel has
     * applied it, throws {@link NftException} when it refused it (nothing of it applied). The bytes
     * stay in the batch's buffer (the caller's to release); sequence numbers and the port id are
     * written into them.
     */
    public void commit(NftBatch batch) {
        if (!batch.ended()) {
            throw new IllegalStateException("the batch is not ended");
        }
        ByteBuf buf = batch.buffer();
        int count = batch.count();
        int first = sequence + 1;
        int[] starts = new int[count];
        int at = batch.start();
        for (int i = 0; i < count; i++) {
            starts[i] = at - batch.start();
            buf.setIntLE(at + 8, first + i);
            buf.setIntLE(at + 12, socket.portId());
            at += Netlink.align(buf.getIntLE(at));
        }
        if (at != buf.writerIndex()) {
            throw new IllegalStateException("the batch's buffer holds more than the batch");
        }
        sequence += count;
        byte[] datagram = new byte[at - batch.start()];
        buf.getBytes(batch.start(), datagram);
        send(datagram, "a transaction of " + (count - 2) + " messages");

        // every message between the markers asks for an answer; a refusal of the whole batch (a stale
        // generation, a failed commit) is answered on BATCH_BEGIN's sequence number
        int awaited = count - 2;
        NftException failure = null;
        List<NetlinkMessage> decoded = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (awaited > 0) {
            decoded.clear();
            if (!receive(decoded, deadline, count - 2 + " answers to a transaction")) {
                continue;
            }
            for (NetlinkMessage m : decoded) {
                int index = m.sequence() - first;
                if (!(m instanceof ErrorMessage e) || index < 0 || index >= count || m.portId() != socket.portId()) {
                    continue; // an answer to an earlier transaction, or an ack of a marker (kernel 6.10+)
                }
                if (!e.isAck()) {
                    NftException x = refusal(e, batch, index, datagram, starts);
                    if (failure == null) {
                        failure = x;
                    } else {
                        failure.addSuppressed(x);
                    }
                    if (index == 0) {
                        awaited = 0; // refused before any message was looked at: no other answer comes
                    }
                }
                if (index > 0 && index < count - 1) {
                    awaited--;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private NftException refusal(ErrorMessage e, NftBatch batch, int index, byte[] datagram, int[] starts) {
        int element = e.extAckOffset() >= 0 && index > 0 ? elementAt(datagram, starts[index], e.extAckOffset()) : -1;
        String what = index == 0
                ? "the transaction (" + (batch.count() - 2) + " messages; "
                        + (e.errno() == Errno.ERESTART ? "the ruleset changed since it was read" : "refused whole")
                        + ")"
                : batch.description(index);
        return new NftException(e.errno(), e.extAckMessage(), e.extAckOffset(), what, index, element);
    }

    /**
     * Which element of a set message the kernel's offset (from the message's start) falls in, or -1:
     * the offset points at the failing {@code NFTA_LIST_ELEM} or inside it.
     */
    static int elementAt(byte[] datagram, int messageStart, int offset) {
        int p = messageStart + Netlink.NLMSG_HDRLEN + Nft.NFGENMSG_LENGTH;
        int end = messageStart + u32(datagram, messageStart);
        int target = messageStart + offset;
        while (p + 4 <= end) {
            int len = u16(datagram, p);
            int type = u16(datagram, p + 2) & 0x3fff;
            if (len < 4) {
                return -1;
            }
            if (type == Nft.Elem.LIST_ELEMENTS && target >= p && target < p + len) {
                int q = p + 4;
                int index = 0;
                while (q + 4 <= p + len) {
                    int elen = u16(datagram, q);
                    if (elen < 4) {
                        return -1;
                    }
                    if (target >= q && target < q + elen) {
                        return index;
                    }
                    q += Netlink.align(elen);
                    index++;
                }
                return -1;
            }
            p += Netlink.align(len);
        }
        return -1;
    }

    /** The ruleset's generation ({@code NFT_MSG_GETGEN}): {@link NftBatch#begin(ByteBuf, int)} refuses a batch once it moved on. */
    public int generation() {
        ByteBuf out = Unpooled.buffer(32);
        try {
            new RequestWriter()
                    .reset(out)
                    .begin(Nft.Msg.GETGEN, Netlink.NLM_F_REQUEST)
                    .nfgenmsg(Nft.Family.UNSPEC, 0)
                    .end();
            List<NftMessage> replies = request(out, "NFT_MSG_GETGEN", false);
            for (NftMessage m : replies) {
                if (m.type() == Nft.Msg.NEWGEN) {
                    byte[] id = m.attributes().bytes(Nft.Gen.ID);
                    if (id != null && id.length == 4) {
                        return (id[0] & 0xff) << 24 | (id[1] & 0xff) << 16 | (id[2] & 0xff) << 8 | (id[3] & 0xff);
                    }
                }
            }
            throw new NetlinkException(Errno.EPROTO, null, -1, "NFT_MSG_GETGEN: no generation in the answer");
        } finally {
            out.release();
        }
    }

    /**
     * A dump: {@code getType} ({@link Nft.Msg#GETTABLE}, {@link Nft.Msg#GETSETELEM} ...) for the
     * {@code inet} family, narrowed by the attributes {@code filter} writes; the objects, in the
     * kernel's order. A dump cut short by a concurrent change ({@code NLM_F_DUMP_INTR}) is read again.
     */
    public List<NftMessage> dump(int getType, Consumer<RequestWriter> filter) {
        return dump(getType, Nft.Family.INET, filter);
    }

    /** {@link #dump(int, Consumer)} for {@code family} (conntrack's tables are per family). */
    public List<NftMessage> dump(int getType, int family, Consumer<RequestWriter> filter) {
        for (int attempt = 0; ; attempt++) {
            ByteBuf out = Unpooled.buffer(128);
            try {
                RequestWriter w = start(out, getType, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, family);
                filter.accept(w);
                w.end();
                List<NftMessage> objects = request(out, Nft.Msg.name(getType), true);
                if (objects != null) {
                    return objects;
                }
                if (attempt >= 8) {
                    throw new NetlinkException(
                            Errno.EINTR, null, -1, Nft.Msg.name(getType) + ": the dump kept being interrupted");
                }
            } finally {
                out.release();
            }
        }
    }

    /**
     * One request outside a transaction (a conntrack delete), written by {@code body} after its
     * {@code nfgenmsg}, acknowledged; fails with the kernel's error as a {@link NetlinkException}.
     */
    public void execute(int type, int family, String what, Consumer<RequestWriter> body) {
        ByteBuf out = Unpooled.buffer(256);
        try {
            RequestWriter w = start(out, type, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, family);
            body.accept(w);
            w.end();
            request(out, what, false);
        } finally {
            out.release();
        }
    }

    /** A request begun in {@code out}: its header and {@code nfgenmsg}, attributes to follow. */
    private static RequestWriter start(ByteBuf out, int type, int flags, int family) {
        return new RequestWriter().reset(out).begin(type, flags).nfgenmsg(family, 0);
    }

    /** One request (a GET): its answers until DONE (a dump) or the first, or null when a dump was interrupted. */
    private List<NftMessage> request(ByteBuf out, String what, boolean dump) {
        int seq = ++sequence;
        out.setIntLE(8, seq);
        out.setIntLE(12, socket.portId());
        byte[] datagram = new byte[out.readableBytes()];
        out.getBytes(out.readerIndex(), datagram);
        send(datagram, what);
        List<NftMessage> objects = new ArrayList<>();
        boolean interrupted = false;
        List<NetlinkMessage> decoded = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (true) {
            decoded.clear();
            if (!receive(decoded, deadline, "the answer to " + what)) {
                continue;
            }
            for (NetlinkMessage m : decoded) {
                if (m.sequence() != seq || m.portId() != socket.portId()) {
                    continue;
                }
                if (m instanceof ErrorMessage e) {
                    if (!e.isAck()) {
                        throw NetlinkException.of(e, what);
                    }
                    return objects;
                }
                if (m instanceof DoneMessage) {
                    return interrupted ? null : objects;
                }
                if ((m.flags() & Netlink.NLM_F_DUMP_INTR) != 0) {
                    interrupted = true;
                }
                if (m instanceof NftMessage n) {
                    objects.add(n);
                    if (!dump) {
                        return objects;
                    }
                }
            }
        }
    }

    private void send(byte[] datagram, String what) {
        try {
            LibC.sendToNetlinkPort(socket.fd(), datagram, 0);
        } catch (ErrnoException e) {
            throw new NetlinkException(e.errno(), null, -1, "sending " + what + ": " + e.getMessage());
        }
    }

    /** Reads one datagram into {@code out}; false when there was none yet (it waits a little first). */
    private boolean receive(List<NetlinkMessage> out, long deadline, String what) {
        long n = LibC.recvfrom(socket.fd(), buffer.address(), READ_BUFFER, sockaddr, addrLen);
        if (n == -Errno.EAGAIN || n == -Errno.EINTR) {
            if (System.nanoTime() > deadline) {
                throw new NetlinkTimeoutException("no answer from the kernel: " + what + " within 10 s");
            }
            LockSupport.parkNanos(20_000);
            return false;
        }
        if (n < 0) {
            throw new NetlinkException((int) -n, null, -1, "receiving " + what);
        }
        if (n > READ_BUFFER) {
            throw new NetlinkException(
                    Errno.EMSGSIZE, null, -1, "an answer of " + n + " bytes is larger than " + READ_BUFFER);
        }
        if (sockaddr.get(ValueLayout.JAVA_INT, 4) != 0) {
            return false; // not from the kernel
        }
        NetlinkCodec.decode(Unpooled.wrappedBuffer(buffer.asSlice(0, n).asByteBuffer()), NftMessages.INSTANCE, out);
        return true;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    private static int u32(byte[] b, int i) {
        return u16(b, i) | u16(b, i + 2) << 16;
    }

    @Override
    public void close() {
        try {
            LibC.close(socket.fd());
        } catch (ErrnoException ignored) {
            // the descriptor is gone either way
        } finally {
            arena.close();
        }
    }
}
