package dev.podnet.netlink;

import io.netty.buffer.ByteBuf;

/** Decodes the bodies of one netlink protocol's own message types (rtnetlink's, for instance). */
public interface MessageFactory {
    /**
     * Decodes one message body.
     *
     * @param body exactly the body bytes; the factory reads them and must not retain the buffer
     * @return the message, or null when the type is not one this factory knows
     * @throws NetlinkDecodeException when the body is malformed
     */
    NetlinkMessage decode(int type, int flags, int sequence, int portId, ByteBuf body);

    /** A readable name for a message type, e.g. {@code RTM_NEWLINK}. */
    String typeName(int type);

    /** A short description of a request for error messages, e.g. {@code RTM_NEWLINK pn1a2b (veth)}. */
    default String describe(NetlinkMessage request) {
        return typeName(request.type());
    }
}
