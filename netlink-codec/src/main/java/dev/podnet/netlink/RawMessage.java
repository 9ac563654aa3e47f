package dev.podnet.netlink;

import io.netty.buffer.ByteBuf;

import java.util.HexFormat;

/** A message of a type the decoder does not know, kept as its body bytes. */
public record RawMessage(int type, int flags, int sequence, int portId, byte[] body) implements NetlinkMessage {
    @Override
    public int bodyLength() {
        return body.length;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeBytes(body);
    }

    @Override
    public String toString() {
        return "RawMessage[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", seq=" + sequence
                + ", body=" + HexFormat.of().formatHex(body) + "]";
    }
}
