package dev.podnet.netlink;

import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;

/**
 * {@code NLMSG_ERROR}: an acknowledgement ({@code error == 0}) or a failure ({@code error} is the
 * negated errno), with the header of the request it answers and, when the socket has
 * {@code NETLINK_EXT_ACK} on, the kernel's extended-ack TLVs (message text, offending offset).
 *
 * @param error            0 for an ack, else {@code -errno}
 * @param requestType      {@code nlmsg_type} of the request answered
 * @param requestSequence  {@code nlmsg_seq} of the request answered
 * @param extAck           the extended-ack TLVs ({@code NLMSGERR_ATTR_*}), possibly empty
 * @param body             the body as received, so that the message re-encodes unchanged
 */
public record ErrorMessage(
        int flags,
        int sequence,
        int portId,
        int error,
        int requestType,
        int requestSequence,
        AttributeList extAck,
        byte[] body)
        implements BodyBytes {

    /** Decodes an {@code NLMSG_ERROR} body. */
    public static ErrorMessage decode(int flags, int sequence, int portId, ByteBuf body) {
        int size = body.readableBytes();
        if (size < 4 + Netlink.NLMSG_HDRLEN) {
            throw new NetlinkDecodeException("NLMSG_ERROR body of " + size + " bytes, need at least 20");
        }
        byte[] raw = new byte[size];
        body.getBytes(body.readerIndex(), raw);
        int error = body.readIntLE();
        int origLen = body.readIntLE();
        int origType = body.readUnsignedShortLE();
        body.skipBytes(2);
        int origSeq = body.readIntLE();
        body.skipBytes(4);
        AttributeList tlvs = AttributeList.EMPTY;
        if ((flags & Netlink.NLM_F_ACK_TLVS) != 0) {
            // The request is echoed whole unless capped (NETLINK_CAP_ACK, or always for acks of success).
            int echoed = (flags & Netlink.NLM_F_CAPPED) != 0 ? Netlink.NLMSG_HDRLEN : Netlink.align(origLen);
            int tlvStart = 4 + echoed;
            if (echoed < 0 || tlvStart > size) { // a negative length wraps the aligned size below zero
                throw new NetlinkDecodeException(
                        "NLMSG_ERROR claims a " + echoed + "-byte echoed request but has " + (size - 4) + " bytes");
            }
            try {
                tlvs = AttributeList.wrap(raw, tlvStart, size - tlvStart);
            } catch (RuntimeException e) {
                throw new NetlinkDecodeException("bad extended-ack TLVs: " + e.getMessage(), e);
            }
        }
        body.skipBytes(body.readableBytes());
        return new ErrorMessage(flags, sequence, portId, error, origType, origSeq, tlvs, raw);
    }

    @Override
    public int type() {
        return Netlink.NLMSG_ERROR;
    }

    /** True for an acknowledgement of success. */
    public boolean isAck() {
        return error == 0;
    }

    /** The positive errno. */
    public int errno() {
        return -error;
    }

    /** The kernel's extended-ack text ({@code NLMSGERR_ATTR_MSG}), or null. */
    public String extAckMessage() {
        return extAck.string(Netlink.NLMSGERR_ATTR_MSG);
    }

    /** Byte offset of the offending attribute inside the request ({@code NLMSGERR_ATTR_OFFS}), or -1. */
    public int extAckOffset() {
        return extAck.u32(Netlink.NLMSGERR_ATTR_OFFS, -1);
    }

    @Override
    public String toString() {
        return "ErrorMessage[seq=" + sequence + ", error="
                + (error == 0 ? "ack" : dev.podnet.netlink.Errno.name(-error))
                + ", request=" + requestType + "/" + requestSequence
                + (extAckMessage() != null ? ", msg='" + extAckMessage() + "'" : "") + "]";
    }
}
