package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.RouteMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

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

    /** The messages of {@code type} in a captured reply, in order. */
    public static <T extends NetlinkMessage> List<T> decode(String name, Class<T> type) {
        return decode(name).stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The links of a captured link dump, by name. */
    public static Map<String, LinkMessage> links(String name) {
        return decode(name, LinkMessage.class).stream()
                .collect(Collectors.toMap(LinkMessage::name, Function.identity()));
    }

    /** The route to {@code destination} (the address as Java writes it) in a captured route dump. */
    public static RouteMessage routeTo(String name, String destination) {
        return decode(name, RouteMessage.class).stream()
                .filter(r -> r.destination() != null
                        && r.destination().getHostAddress().equals(destination))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no route to " + destination + " in " + name));
    }
}
