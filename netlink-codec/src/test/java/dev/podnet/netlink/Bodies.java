package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.function.Function;

/** Message bodies handed to a decoder directly, without an {@code nlmsghdr} before them. */
final class Bodies {
    private Bodies() {}

    /** What {@code decoder} makes of {@code body}, which it must read to its end. */
    static <T> T decodeWhole(byte[] body, Function<ByteBuf, T> decoder) {
        ByteBuf in = Unpooled.wrappedBuffer(body);
        try {
            T decoded = decoder.apply(in);
            assertEquals(0, in.readableBytes(), "the whole body is read");
            return decoded;
        } finally {
            in.release();
        }
    }
}
