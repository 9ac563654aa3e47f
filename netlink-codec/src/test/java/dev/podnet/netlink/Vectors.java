package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.netlink.route.RouteMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Real kernel replies captured by tools/capture-vectors.py. */
public final class Vectors {
    private Vectors() {}

    public static byte[] load(String name) {
        try (InputStream in = Vectors.class.getResourceAsStream("/vectors/" + name + ".hex")) {
            if (in == null) {
                throw new IllegalArgumentException("no vector " + name);
            }
            return HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The messages of a captured rtnetlink reply, every byte of it decoded. */
    public static List<NetlinkMessage> decode(String name) {
        ByteBuf in = Unpooled.wrappedBuffer(load(name));
        List<NetlinkMessage> out = new ArrayList<>();
        NetlinkCodec.decode(in, RouteMessages.INSTANCE, out);
        assertEquals(0, in.readableBytes(), "the whole of " + name + " is decoded");
        return out;
    }
}
