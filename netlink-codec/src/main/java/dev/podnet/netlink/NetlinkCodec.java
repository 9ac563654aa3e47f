package dev.podnet.netlink;

import dev.podnet.netlink.attr.AttributeFormatException;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Translates between netlink messages and bytes. Stateless; the Netty handlers and the benchmarks
 * both use it.
 */
public final class NetlinkCodec {
    private NetlinkCodec() {}

    /**
     * Writes {@code message} with the given sequence number and port id, followed by the padding
     * to the next 4-byte boundary. Computes the length first, then writes once.
     */
    public static void encode(NetlinkMessage message, int sequence, int portId, ByteBuf out) {
        encode(message, sequence, portId, 0, out);
    }

    /**
     * As {@link #encode(NetlinkMessage, int, int, ByteBuf)}, with {@code extraFlags} or'ed into the
     * message's own flags (the channel adds {@code NLM_F_REQUEST | NLM_F_ACK} this way).
     */
    public static void encode(NetlinkMessage message, int sequence, int portId, int extraFlags, ByteBuf out) {
        int length = Netlink.NLMSG_HDRLEN + message.bodyLength();
        int padded = Netlink.align(length);
        out.ensureWritable(padded);
        int start = out.writerIndex();
        out.writeIntLE(length);
        out.writeShortLE(message.type());
        out.writeShortLE(message.flags() | extraFlags);
        out.writeIntLE(sequence);
        out.writeIntLE(portId);
        message.writeBody(out);
        int written = out.writerIndex() - start;
        if (written != length) {
            throw new IllegalStateException(
                    message.getClass().getSimpleName() + " wrote " + written + " bytes but declared " + length);
        }
        // nlmsg_len may be unaligned; the next message still starts at NLMSG_ALIGN(nlmsg_len)
        out.writeZero(padded - length);
    }

    /**
     * Decodes every message of one datagram. The buffer is read from its reader index to its
     * writer index; the caller keeps ownership of it.
     *
     * @throws NetlinkDecodeException when a header is short, a length runs past the datagram or a
     *                                body's attributes do not parse; messages before the bad one are
     *                                already in {@code out}. Any other exception is a bug in a decoder
     *                                and propagates as itself, never disguised as malformed bytes.
     */
    public static void decode(ByteBuf datagram, MessageFactory factory, List<NetlinkMessage> out) {
        while (datagram.readableBytes() >= Netlink.NLMSG_HDRLEN) {
            int start = datagram.readerIndex();
            int length = datagram.getIntLE(start);
            int remaining = datagram.readableBytes();
            if (length < Netlink.NLMSG_HDRLEN || length > remaining) {
                throw new NetlinkDecodeException("nlmsghdr at offset " + start + " claims length " + length + " with "
                        + remaining + " bytes left");
            }
            int type = datagram.getUnsignedShortLE(start + 4);
            int flags = datagram.getUnsignedShortLE(start + 6);
            int seq = datagram.getIntLE(start + 8);
            int pid = datagram.getIntLE(start + 12);
            ByteBuf body = datagram.slice(start + Netlink.NLMSG_HDRLEN, length - Netlink.NLMSG_HDRLEN);
            NetlinkMessage m;
            try {
                m = switch (type) {
                    case Netlink.NLMSG_ERROR -> ErrorMessage.decode(flags, seq, pid, body);
                    case Netlink.NLMSG_DONE -> DoneMessage.decode(flags, seq, pid, body);
                    default -> {
                        NetlinkMessage known = type < 16 ? null : factory.decode(type, flags, seq, pid, body);
                        yield known != null ? known : raw(type, flags, seq, pid, body);
                    }
                };
            } catch (AttributeFormatException e) {
                // the bytes' fault, named with the message it is in; the decoders check their fixed
                // headers themselves, so an IndexOutOfBounds (or any other exception) here is a bug
                throw new NetlinkDecodeException(
                        factory.typeName(type) + " at offset " + start + ": " + e.getMessage(), e);
            }
            if (type != Netlink.NLMSG_NOOP) {
                out.add(m);
            }
            datagram.readerIndex(start + Math.min(Netlink.align(length), remaining));
        }
        if (datagram.isReadable()) {
            datagram.skipBytes(datagram.readableBytes());
        }
    }

    private static RawMessage raw(int type, int flags, int seq, int pid, ByteBuf body) {
        byte[] b = new byte[body.readableBytes()];
        body.getBytes(body.readerIndex(), b);
        return new RawMessage(type, flags, seq, pid, b);
    }
}
