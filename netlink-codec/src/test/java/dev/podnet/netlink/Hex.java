package dev.podnet.netlink;

import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;

/**
 * Bytes as the tests write them by hand: hex in groups, a struct or an attribute each, spaces
 * ignored ({@code hex("05 00 01 00", "f1 00 00 00")}); and what the code under test wrote, as hex.
 */
public final class Hex {
    private Hex() {}

    /** The parts joined, spaces dropped. */
    public static String hex(String... parts) {
        return String.join("", parts).replace(" ", "");
    }

    /** The bytes the parts spell. */
    public static byte[] bytes(String... parts) {
        return HexFormat.of().parseHex(hex(parts));
    }

    /** An attribute list's encoding. */
    public static String hexOf(AttributeList attributes) {
        return HexFormat.of().formatHex(attributes.toByteArray());
    }

    /** What {@code m.writeBody} writes: the fixed header and the attributes. */
    public static String bodyOf(NetlinkMessage m) {
        ByteBuf out = Unpooled.buffer();
        try {
            m.writeBody(out);
            return ByteBufUtil.hexDump(out);
        } finally {
            out.release();
        }
    }

    /** The whole message as {@link NetlinkCodec#encode} writes it, {@code nlmsghdr} first. */
    public static String encoded(NetlinkMessage m, int sequence, int portId) {
        ByteBuf out = Unpooled.buffer();
        try {
            NetlinkCodec.encode(m, sequence, portId, out);
            return ByteBufUtil.hexDump(out);
        } finally {
            out.release();
        }
    }
}
