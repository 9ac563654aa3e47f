package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

/** A message of a type nobody decodes, and a factory that only names types. */
class RawMessageTest {
    @Test
    void printsItsHeaderAndBodyInHex() {
        RawMessage raw = new RawMessage(99, 0x302, 7, 0, new byte[] {1, 2, 0x7f, -1});
        assertEquals("RawMessage[type=99, flags=0x302, seq=7, body=01027fff]", raw.toString());
        assertEquals(4, raw.bodyLength());
        assertEquals(20, raw.encodedLength());
    }

    @Test
    void theDefaultDescriptionIsTheTypeName() {
        MessageFactory names = new MessageFactory() {
            @Override
            public NetlinkMessage decode(int type, int flags, int sequence, int portId, ByteBuf body) {
                return null;
            }

            @Override
            public String typeName(int type) {
                return "T" + type;
            }
        };
        assertEquals("T99", names.describe(new RawMessage(99, 0, 0, 0, new byte[0])));
    }
}
