package dev.podnet.netlink.channel;

import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.internal.sys.LibC;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketAddress;

/**
 * A Netty {@link io.netty.channel.Channel} over a raw {@code AF_NETLINK} socket, driven by an epoll
 * {@link IoEventLoop} through Netty 4.2's {@link EpollIoHandle} API.
 *
 * <p>Inbound, each datagram from the kernel travels the pipeline as one {@link ByteBuf} (the next
 * handler owns and releases it). Datagrams whose sender is not the kernel (port id 0) are dropped;
 * a datagram larger than the read buffer is reported as a {@link NetlinkDecodeException}, never
 * passed on cut. {@code ENOBUFS} surfaces as a {@link NetlinkOverrunException} through
 * {@code exceptionCaught}.
 *
 * <p>Reading follows {@code autoRead}: while it is off the channel stops listening, the socket's
 * queue fills, and the kernel holds back the next parts of a dump (how streaming dumps push back).
 *
 * <p>Outbound, the channel takes {@link ByteBuf}s, each one or more whole netlink messages. All
 * buffers flushed together leave in one {@code writev(2)}: one datagram, which the kernel processes
 * message by message, up to {@link #MAX_DATAGRAM} bytes each.
 */
final class NetlinkChannel extends AbstractChannel {
    /** Largest datagram written: well below the 4 MiB send buffer, big enough for hundreds of requests. */
    public static final int MAX_DATAGRAM = 256 << 10;
    /** The default read buffer: dump replies are at most 32 KiB per datagram on current kernels. */
    public static final int READ_BUFFER = 64 << 10;

    private static final int MAX_IOV = 1024;
    private static final int READS_PER_EVENT = 64;
    private static final ChannelMetadata METADATA = new ChannelMetadata(false);

    private final NetlinkSocket socket;
    private final FileDescriptor fd;
    private final DefaultChannelConfig config = new DefaultChannelConfig(this);
    private final Arena arena = Arena.ofShared();
    private final MemorySegment iov = arena.allocate(16L * MAX_IOV, 8);
    private final MemorySegment sender = arena.allocate(12, 4);
    private final MemorySegment senderLength = arena.allocate(4, 4);
    private final ChannelOutboundBuffer.MessageProcessor gather = this::addToDatagram;
    private IoRegistration registration;
    private boolean writeBlocked;
    private boolean readPaused;
    private int iovCount;
    private long iovBytes;
    private volatile long datagramsWritten;

    private final int readBuffer;

    public NetlinkChannel(NetlinkSocket socket) {
        this(socket, READ_BUFFER);
    }

    /** @param readBuffer bytes read per datagram; a larger datagram is reported, not passed on cut */
    public NetlinkChannel(NetlinkSocket socket, int readBuffer) {
        super(null);
        if (readBuffer < 1024) {
            throw new IllegalArgumentException("readBuffer must be at least 1024 bytes, got " + readBuffer);
        }
        this.socket = socket;
        this.fd = new FileDescriptor(socket.fd());
        this.readBuffer = readBuffer;
    }

    /** Datagrams written so far: with {@link #MAX_DATAGRAM}, shows how requests were coalesced. */
    public long datagramsWritten() {
        return datagramsWritten;
    }

    /** The socket under this channel. */
    public NetlinkSocket socket() {
        return socket;
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return fd.isOpen();
    }

    @Override
    public boolean isActive() {
        return fd.isOpen();
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new NetlinkUnsafe();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof IoEventLoop io && io.isCompatible(NetlinkUnsafe.class);
    }

    @Override
    protected SocketAddress localAddress0() {
        return new NetlinkAddress(socket.portId(), 0).asSocketAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return new NetlinkAddress(0, 0).asSocketAddress();
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        ((IoEventLoop) eventLoop()).register((NetlinkUnsafe) unsafe()).addListener(f -> {
            if (!f.isSuccess()) {
                promise.setFailure(f.cause());
                return;
            }
            registration = (IoRegistration) f.getNow();
            registration.submit(EpollIoOps.EPOLLIN);
            promise.setSuccess();
        });
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a NetlinkSocket is bound when it is opened");
    }

    @Override
    protected void doDisconnect() {
        // datagram socket with the kernel as default peer: nothing to disconnect
    }

    @Override
    protected void doClose() throws Exception {
        try {
            doDeregister();
        } finally {
            try {
                fd.close();
            } finally {
                arena.close();
            }
        }
    }

    @Override
    protected void doDeregister() {
        IoRegistration r = registration;
        if (r != null) {
            registration = null;
            r.cancel();
        }
    }

    @Override
    protected void doBeginRead() {
        // autoRead back on (a streaming dump's subscriber wants more): listen again
        if (registration != null && readPaused) {
            readPaused = false;
            registration.submit(writeBlocked ? EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT) : EpollIoOps.EPOLLIN);
        }
    }

    /**
     * Stops listening for input while autoRead is off: the kernel then holds further dump parts back.
     * The descriptor stays registered with EPOLLERR only (submitting NONE would remove it from epoll).
     */
    private void pauseReading() {
        if (registration != null && !readPaused) {
            readPaused = true;
            registration.submit(writeBlocked ? EpollIoOps.EPOLLOUT : EpollIoOps.EPOLLERR);
        }
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf buf) {
            if (buf.isDirect()) {
                return buf;
            }
            ByteBuf direct = alloc().directBuffer(buf.readableBytes());
            direct.writeBytes(buf);
            buf.release();
            return direct;
        }
        throw new UnsupportedOperationException(
                "NetlinkChannel writes ByteBuf, not " + msg.getClass().getName());
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        while (!in.isEmpty()) {
            iovCount = 0;
            iovBytes = 0;
            in.forEachFlushedMessage(gather);
            if (iovCount == 0) {
                return;
            }
            int count = iovCount;
            long r = LibC.writev(socket.fd(), iov.address(), count);
            if (r == -Errno.EAGAIN) {
                if (!writeBlocked && registration != null) {
                    writeBlocked = true;
                    registration.submit(
                            readPaused ? EpollIoOps.EPOLLOUT : EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT));
                }
                return;
            }
            if (r >= 0) {
                datagramsWritten++;
            }
            ErrnoException cause =
                    r < 0 ? new ErrnoException("writev", "netlink datagram of " + iovBytes + " bytes", (int) -r) : null;
            for (int i = 0; i < count; i++) {
                if (cause == null) {
                    in.remove();
                } else {
                    in.remove(cause);
                }
            }
        }
        if (writeBlocked && registration != null) {
            writeBlocked = false;
            registration.submit(readPaused ? EpollIoOps.EPOLLERR : EpollIoOps.EPOLLIN);
        }
    }

    /** Adds flushed buffers to the iovec until the datagram is full. Runs on the event loop only. */
    private boolean addToDatagram(Object msg) {
        ByteBuf b = (ByteBuf) msg;
        if (iovCount == MAX_IOV || (iovCount > 0 && iovBytes + b.readableBytes() > MAX_DATAGRAM)) {
            return false;
        }
        iov.setAtIndex(ValueLayout.JAVA_LONG, 2L * iovCount, address(b) + b.readerIndex());
        iov.setAtIndex(ValueLayout.JAVA_LONG, 2L * iovCount + 1, b.readableBytes());
        iovCount++;
        iovBytes += b.readableBytes();
        return true;
    }

    private static long address(ByteBuf b) {
        if (b.hasMemoryAddress()) {
            return b.memoryAddress();
        }
        return MemorySegment.ofBuffer(b.internalNioBuffer(0, b.capacity())).address();
    }

    private void readReady() {
        ChannelPipeline pipeline = pipeline();
        boolean readSome = false;
        for (int i = 0; i < READS_PER_EVENT && fd.isOpen(); i++) {
            if (!config.isAutoRead()) {
                pauseReading();
                break;
            }
            ByteBuf buf = alloc().directBuffer(readBuffer);
            long n;
            try {
                n = LibC.recvfrom(
                        socket.fd(), address(buf) + buf.writerIndex(), buf.writableBytes(), sender, senderLength);
            } catch (RuntimeException e) {
                buf.release();
                throw e;
            }
            if (n == -Errno.EAGAIN) {
                buf.release();
                break;
            }
            if (n < 0) {
                buf.release();
                int errno = (int) -n;
                if (errno == Errno.ENOBUFS) {
                    pipeline.fireExceptionCaught(new NetlinkOverrunException(
                            "netlink receive queue overflowed (ENOBUFS) on " + socket + ": messages were lost"));
                    continue;
                }
                if (errno == Errno.EINTR) {
                    continue;
                }
                pipeline.fireExceptionCaught(new ErrnoException("recvfrom", socket.toString(), errno));
                break;
            }
            int senderPort = sender.get(ValueLayout.JAVA_INT, 4);
            if (n > buf.writableBytes()) {
                buf.release();
                pipeline.fireExceptionCaught(new NetlinkDecodeException("datagram of " + n + " bytes truncated to "
                        + readBuffer + " (MSG_TRUNC): its messages are lost"));
                continue;
            }
            if (senderPort != 0) {
                // only the kernel may answer us; anything else on this port is spoofed or stray
                buf.release();
                continue;
            }
            buf.writerIndex(buf.writerIndex() + (int) n);
            readSome = true;
            pipeline.fireChannelRead(buf);
        }
        if (readSome) {
            pipeline.fireChannelReadComplete();
        }
    }

    /** The unsafe is also the epoll handle, as Netty's own epoll channels do it. */
    private final class NetlinkUnsafe extends AbstractUnsafe implements EpollIoHandle {
        @Override
        public FileDescriptor fd() {
            return fd;
        }

        @Override
        public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException("netlink channels talk to the kernel only"));
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            EpollIoOps ops = ((EpollIoEvent) event).ops();
            if (ops.contains(EpollIoOps.EPOLLOUT)) {
                flush0();
            }
            if (ops.contains(EpollIoOps.EPOLLIN) || ops.contains(EpollIoOps.EPOLLERR)) {
                readReady();
            }
        }

        @Override
        public void close() {
            close(voidPromise());
        }
    }

    @Override
    public String toString() {
        return "NetlinkChannel[" + socket + "]";
    }

    /** Closes the descriptor of a socket that never became a channel. */
    static void closeQuietly(NetlinkSocket socket) {
        try {
            LibC.close(socket.fd());
        } catch (IOException ignored) {
            // already closed
        }
    }
}
