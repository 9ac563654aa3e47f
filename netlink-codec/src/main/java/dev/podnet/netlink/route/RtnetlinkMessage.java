package dev.podnet.netlink.route;

import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;

/**
 * An rtnetlink message: a fixed family header ({@code ifinfomsg}, {@code ifaddrmsg}, {@code rtmsg},
 * {@code ndmsg}, {@code rtgenmsg}, {@code tcmsg}) followed by attributes. The body is written here once; each
 * message writes only its own header.
 */
public sealed interface RtnetlinkMessage extends NetlinkMessage
        permits LinkMessage, AddressMessage, RouteMessage, NeighbourMessage, NsidMessage, TcMessage {
    /** The attributes after the fixed header. */
    AttributeList attributes();

    /** Writes the fixed header. */
    void writeHeader(ByteBuf out);

    @Override
    default int bodyLength() {
        int header = switch (this) {
            case LinkMessage m -> LinkMessage.HEADER_LENGTH;
            case AddressMessage m -> AddressMessage.HEADER_LENGTH;
            case RouteMessage m -> RouteMessage.HEADER_LENGTH;
            case NeighbourMessage m -> NeighbourMessage.HEADER_LENGTH;
            case NsidMessage m -> NsidMessage.HEADER_LENGTH;
            case TcMessage m -> TcMessage.HEADER_LENGTH;
        };
        return header + attributes().encodedLength();
    }

    @Override
    default void writeBody(ByteBuf out) {
        writeHeader(out);
        attributes().writeTo(out);
    }
}
