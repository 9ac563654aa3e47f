package dev.podnet.netlink.attr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.RequestWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * A nest longer than its 16-bit length field can say is refused, as a single attribute is: before,
 * its length wrapped silently (80012 bytes written as 14476) and the kernel would have read garbage.
 */
class NestLimitTest {
    @Test
    void aNestOver65535BytesIsRefusedByTheBuilder() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AttributeList.builder()
                        .nested(1, n -> n.bytes(2, new byte[40000]).bytes(3, new byte[40000]))
                        .build());
        assertTrue(e.getMessage().contains("nested attribute 1 too long: 80012 bytes"), e.getMessage());
        AttributeList fits = AttributeList.builder()
                .nested(1, n -> n.bytes(2, new byte[30000]).bytes(3, new byte[30000]))
                .build();
        assertEquals(60012, fits.nested(1).bytes(2).length + fits.nested(1).bytes(3).length + 12);
    }

    @Test
    void aNestOver65535BytesIsRefusedByTheWriter() {
        ByteBuf buf = Unpooled.buffer(100_000);
        try {
            RequestWriter w = new RequestWriter().reset(buf);
            w.begin(16, 0)
                    .ifinfomsg(0, 0, 0, 0)
                    .nest(1)
                    .bytes(2, new byte[40000])
                    .bytes(3, new byte[40000]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, w::endNest);
            assertTrue(e.getMessage().contains("nested attribute 1 too long: 80012 bytes"), e.getMessage());
        } finally {
            buf.release();
        }
    }
}
