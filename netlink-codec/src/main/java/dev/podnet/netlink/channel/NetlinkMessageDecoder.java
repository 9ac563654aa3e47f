package dev.podnet.netlink.channel;

import dev.podnet.netlink.MessageFactory;
import dev.podnet.netlink.NetlinkCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * One datagram ({@link ByteBuf}, released here) → the {@link dev.podnet.netlink.NetlinkMessage}s it
 * holds. A malformed message fails with {@link dev.podnet.netlink.NetlinkDecodeException} (wrapped
 * by Netty in a {@code DecoderException}); the messages before it are still passed on.
 */
final class NetlinkMessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final MessageFactory factory;

    public NetlinkMessageDecoder(MessageFactory factory) {
        super(ByteBuf.class);
        this.factory = factory;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf datagram, List<Object> out) {
        List<dev.podnet.netlink.NetlinkMessage> messages = new ArrayList<>();
        try {
            NetlinkCodec.decode(datagram, factory, messages);
        } finally {
            out.addAll(messages);
        }
    }
}
