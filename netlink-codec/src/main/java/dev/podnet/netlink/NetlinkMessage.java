package dev.podnet.netlink;

import io.netty.buffer.ByteBuf;

/**
 * One netlink message: the fixed {@code nlmsghdr} fields plus a protocol-specific body.
 *
 * <p>Messages are immutable values. A message built to be sent carries sequence 0 and port id 0;
 * the channel assigns the sequence number when it writes the message. A decoded message carries
 * the values the kernel sent.
 */
public interface NetlinkMessage {
    /** {@code nlmsg_type}. */
    int type();

    /** {@code nlmsg_flags}. */
    int flags();

    /** {@code nlmsg_seq}. */
    int sequence();

    /** {@code nlmsg_pid}: 0 for messages from the kernel. */
    int portId();

    /**
     * Length of the body in bytes. Built messages keep it a multiple of 4; a decoded message may
     * not (the kernel accepts an unaligned {@code nlmsg_len}), and the codec pads after it.
     */
    int bodyLength();

    /** Writes the body (everything after the 16-byte header). */
    void writeBody(ByteBuf out);

    /** Bytes the message takes in a datagram: header, body and the padding to 4 bytes. */
    default int encodedLength() {
        return Netlink.align(Netlink.NLMSG_HDRLEN + bodyLength());
    }
}
