package dev.podnet.dataplane.internal.dhcp;

import dev.podnet.dataplane.internal.netns.NetnsThread;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.internal.sys.LibC;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/**
 * Serves one VM its lease: a UDP socket on port 67 inside the pod's namespace, bound to the VM
 * endpoint's tap ({@code SO_BINDTODEVICE}), driven by podnet's epoll event loop, with
 * {@link DhcpServer} deciding every answer. No process per VM.
 *
 * <p>The socket is made on the namespace thread (a socket belongs to the namespace of the thread
 * that creates it); everything after that runs on the event loop. Replies go to the limited
 * broadcast address: the VM has no address yet, and the tap has none either, so the
 * device binding is what routes them (the kernel sends a limited broadcast out of the bound device).
 */
public final class DhcpResponder implements AutoCloseable {
    /** The port DHCP servers listen on. */
    public static final int SERVER_PORT = 67;

    static final int CLIENT_PORT = 68;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_BROADCAST = 6;
    private static final InetSocketAddress BROADCAST = new InetSocketAddress("255.255.255.255", CLIENT_PORT);

    private final EpollDatagramChannel channel;
    private final AtomicLong answered;
    private final AtomicLong dropped;

    private DhcpResponder(EpollDatagramChannel channel, AtomicLong answered, AtomicLong dropped) {
        this.channel = channel;
        this.answered = answered;
        this.dropped = dropped;
    }

    /**
     * Starts answering on {@code device} inside {@code pod}.
     *
     * @param loops where the socket is driven (podnet's epoll loops)
     */
    public static Mono<DhcpResponder> open(
            NetnsThread netns, NetNs pod, String device, IoEventLoopGroup loops, DhcpServer server) {
        return netns.inside(pod, () -> LibC.socket(AF_INET, SOCK_DGRAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0))
                .flatMap(fd -> {
                    AtomicLong answered = new AtomicLong();
                    AtomicLong dropped = new AtomicLong();
                    EpollDatagramChannel ch;
                    try {
                        LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_BINDTODEVICE, device);
                        LibC.setsockopt(fd, LibC.SOL_SOCKET, SO_REUSEADDR, 1);
                        LibC.setsockopt(fd, LibC.SOL_SOCKET, SO_BROADCAST, 1);
                        ch = new EpollDatagramChannel(fd);
                    } catch (ErrnoException | RuntimeException e) {
                        closeQuietly(fd);
                        return Mono.error(new IllegalStateException(
                                "DHCP socket on " + device + " in " + pod + ": " + e.getMessage(), e));
                    }
                    ch.pipeline().addLast(new Answerer(server, answered, dropped));
                    return await(((io.netty.channel.EventLoopGroup) loops).register(ch))
                            .then(Mono.defer(() -> await(ch.bind(new InetSocketAddress(SERVER_PORT)))))
                            .thenReturn(new DhcpResponder(ch, answered, dropped))
                            .onErrorResume(e -> await(ch.close())
                                    .onErrorResume(x -> Mono.empty())
                                    .then(Mono.error(new IllegalStateException(
                                            "DHCP socket on " + device + " in " + pod + ": " + e.getMessage(), e))));
                });
    }

    private static Mono<Void> await(ChannelFuture f) {
        return Mono.create(sink -> f.addListener(done -> {
            if (done.isSuccess()) {
                sink.success();
            } else {
                sink.error(done.cause());
            }
        }));
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.close(fd);
        } catch (ErrnoException ignored) {
            // nothing more to release
        }
    }

    /** Replies sent so far. */
    public long answered() {
        return answered.get();
    }

    /** Datagrams that were not DHCP requests podnet could parse. */
    public long dropped() {
        return dropped.get();
    }

    /** Stops answering and closes the socket (asynchronously, on its event loop). */
    @Override
    public void close() {
        channel.close();
    }

    /** Parses a request, asks the server, broadcasts the answer; what cannot be parsed is dropped. */
    private static final class Answerer extends SimpleChannelInboundHandler<DatagramPacket> {
        private final DhcpServer server;
        private final AtomicLong answered;
        private final AtomicLong dropped;

        Answerer(DhcpServer server, AtomicLong answered, AtomicLong dropped) {
            this.server = server;
            this.answered = answered;
            this.dropped = dropped;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            byte[] bytes = ByteBufUtil.getBytes(packet.content());
            try {
                server.answer(DhcpMessage.parse(bytes)).ifPresent(reply -> {
                    ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(reply.encode()), BROADCAST));
                    answered.incrementAndGet();
                });
            } catch (DhcpFormatException | IllegalStateException e) {
                dropped.incrementAndGet();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a failed send (the device going away as the endpoint is removed) must not close the socket
            dropped.incrementAndGet();
        }
    }
}
