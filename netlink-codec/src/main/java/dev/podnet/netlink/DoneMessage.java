package dev.podnet.netlink;

import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;

/**
 * {@code NLMSG_DONE}: the end of a dump. {@code error} is 0, or the negated errno when the dump
 * failed part-way; extended-ack TLVs may follow it.
 */
public record DoneMessage(int flags, int sequence, int portId, int error, AttributeList extAck, byte[] body)
        implements BodyBytes {

    public static DoneMessage decode(int flags, int sequence, int portId, ByteBuf body) {
        int size = body.readableBytes();
        byte[] raw = new byte[size];
        body.readBytes(raw);
        int error =
                size >= 4 ? (raw[0] & 0xff) | (raw[1] & 0xff) << 8 | (raw[2] & 0xff) << 16 | (raw[3] & 0xff) << 24 : 0;
        AttributeList tlvs = AttributeList.EMPTY;
        if ((flags & Netlink.NLM_F_ACK_TLVS) != 0 && size > 4) {
            try {
                tlvs = AttributeList.wrap(raw, 4, size - 4);
            } catch (RuntimeException e) {
                throw new NetlinkDecodeException("bad extended-ack TLVs in NLMSG_DONE: " + e.getMessage(), e);
            }
        }
        return new DoneMessage(flags, sequence, portId, error, tlvs, raw);
    }

    @Override
    public int type() {
        return Netlink.NLMSG_DONE;
    }
}
