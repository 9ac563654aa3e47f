package dev.podnet.netlink;

import java.util.HexFormat;

/** A message of a type the decoder does not know, kept as its body bytes. */
public record RawMessage(int type, int flags, int sequence, int portId, byte[] body) implements BodyBytes {

    @Override
    public String toString() {
        return "RawMessage[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", seq=" + sequence + ", body="
                + HexFormat.of().formatHex(body) + "]";
    }
}
