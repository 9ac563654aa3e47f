package dev.podnet.netlink;

import io.netty.buffer.ByteBuf;

/** A message whose body is kept as the bytes received, and written back exactly so. */
public interface BodyBytes extends NetlinkMessage {
    /** The body as received. */
    byte[] body();

    @Override
    default int bodyLength() {
        return body().length;
    }

    @Override
    default void writeBody(ByteBuf out) {
        out.writeBytes(body());
    }
}
