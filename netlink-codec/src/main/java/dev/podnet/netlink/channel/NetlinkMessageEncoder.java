package dev.podnet.netlink.channel;

import dev.podnet.netlink.NetlinkCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** {@link OutboundMessage} → one direct {@link ByteBuf} of exactly the message's length. */
@ChannelHandler.Sharable
final class NetlinkMessageEncoder extends MessageToByteEncoder<OutboundMessage> {
    public static final NetlinkMessageEncoder INSTANCE = new NetlinkMessageEncoder();

    private NetlinkMessageEncoder() {
        super(OutboundMessage.class, true);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, OutboundMessage msg, boolean preferDirect) {
        int length = msg.message().encodedLength();
        return ctx.alloc().directBuffer(length, length);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, OutboundMessage msg, ByteBuf out) {
        NetlinkCodec.encode(msg.message(), msg.sequence(), 0, msg.extraFlags(), out);
    }
}
