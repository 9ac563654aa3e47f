package dev.podnet.netlink.attr;

import static dev.podnet.netlink.Hex.bytes;
import static dev.podnet.netlink.Hex.hexOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.podnet.netlink.RequestWriter;
import dev.podnet.netlink.route.LinkMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * {@link AttributeList.Builder} is a front over {@link RequestWriter}, the one encoder: the same
 * attributes built as a list and written into a request are the same bytes, down to padding, nests
 * and copied lists.
 */
class AttributeListWriterTest {
    private static final int RTM_NEWLINK = 16;
    private static final int RTM_DELLINK = 17;
    /** A link request's {@code nlmsghdr} and {@code ifinfomsg}: where its attributes start. */
    private static final int ATTRIBUTES = 16 + 16;

    /** One attribute of 7 bytes, kept unaligned: copied with {@code all} it leaves the writer off a 4-byte boundary. */
    private static final AttributeList SEVEN = AttributeList.wrap(bytes("07 00 01 00 61 62 00"), 0, 7);
    /** A five-byte fixed struct: padded to eight before the attributes that follow it. */
    private static final byte[] STRUCT = bytes("01 02 03 04 05");

    @Test
    void theBuilderLaysOutWhatTheWriterWritesInAMessage() throws Exception {
        InetAddress v4 = InetAddress.getByName("198.18.0.1");
        InetAddress v6 = InetAddress.getByName("fd00::9");
        AttributeList built = AttributeList.builder()
                .u8(1, 0xf1)
                .u16(2, 0xf2e1)
                .u32(3, 0x84838281)
                .u64(4, 0x8807060584030201L)
                .string(5, "v0")
                .string(6, "")
                .string(7, "\u00e9t\u00e9")
                .bytes(8, bytes("02 00 00 00 00 01"))
                .bytes(9, new byte[0])
                .address(10, v4)
                .address(11, v6)
                .flag(12)
                .nested(
                        13,
                        a -> a.u8(1, 7)
                                .nested(2, b -> b.string(1, "veth").all(SEVEN))
                                .u32(3, 9))
                .nestedWithHeader(
                        14,
                        STRUCT,
                        peer -> peer.string(1, "eth0")
                                .nested(2, b -> b.u16(1, 3).flag(2)))
                .nested(15, a -> {})
                .all(SEVEN)
                .build();

        ByteBuf buf = Unpooled.buffer();
        try {
            new RequestWriter()
                    .reset(buf)
                    .begin(RTM_NEWLINK, 0)
                    .ifinfomsg(0, 0, 0, 0)
                    .u8(1, 0xf1)
                    .u16(2, 0xf2e1)
                    .u32(3, 0x84838281)
                    .u64(4, 0x8807060584030201L)
                    .string(5, "v0")
                    .string(6, "")
                    .string(7, "\u00e9t\u00e9")
                    .bytes(8, bytes("02 00 00 00 00 01"))
                    .bytes(9, new byte[0])
                    .address(10, v4)
                    .address(11, v6)
                    .flag(12)
                    .nest(13)
                    .u8(1, 7)
                    .nest(2)
                    .string(1, "veth")
                    .all(SEVEN)
                    .endNest()
                    .u32(3, 9)
                    .endNest()
                    .nest(14, STRUCT)
                    .string(1, "eth0")
                    .nest(2)
                    .u16(1, 3)
                    .flag(2)
                    .endNest()
                    .endNest()
                    .nest(15)
                    .endNest()
                    .all(SEVEN)
                    .end();
            int length = buf.getIntLE(0); // nlmsg_len: the message without its closing padding
            assertEquals(ByteBufUtil.hexDump(buf, ATTRIBUTES, length - ATTRIBUTES), hexOf(built));
            assertEquals(length - ATTRIBUTES, built.encodedLength());
        } finally {
            buf.release();
        }

        // and the layout is the kernel's, read back through the object view
        assertEquals(0x8807060584030201L, built.u64(4, -1));
        assertEquals("", built.string(6));
        assertEquals("\u00e9t\u00e9", built.string(7));
        assertEquals(v6, built.address(11));
        assertEquals("veth", built.nested(13).nested(2).string(1));
        assertEquals(9, built.nested(13).u32(3, -1));
        assertEquals(8 + 12 + 16, built.bytes(14).length, "the struct padded to 8, \"eth0\" to 12, the inner nest 16");
        assertEquals(0, built.bytes(15).length, "an empty nest");
    }

    @Test
    void theBuilderNestsDeeperThanAMessageMay() {
        AttributeList a = nest(AttributeList.builder(), 10).build();
        assertEquals(8 + 10 * 4, a.encodedLength());
        AttributeList inner = a;
        for (int level = 10; level > 0; level--) {
            inner = inner.nested(level);
        }
        assertEquals(7, inner.u8(1, -1));
    }

    private static AttributeList.Builder nest(AttributeList.Builder b, int levels) {
        return levels == 0 ? b.u8(1, 7) : b.nested(levels, inner -> nest(inner, levels - 1));
    }

    @Test
    void aBuilderGoesOnAfterBuild() {
        AttributeList.Builder b = AttributeList.builder().u32(1, 5);
        AttributeList first = b.build();
        assertSame(first, b.build(), "nothing added since");
        AttributeList second = b.flag(2).build();
        assertEquals("0800010005000000", hexOf(first));
        assertEquals("080001000500000004000200", hexOf(second));
    }

    @Test
    void aWriterOfBareAttributesPadsFromTheirStartAndWritesNoMessages() {
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeByte(0xee); // the attributes start unaligned in the buffer
            RequestWriter w =
                    new RequestWriter().resetForAttributes(buf).u8(1, 2).nest(2).endNest();
            assertEquals("ee" + "0500010002000000" + "04000280", ByteBufUtil.hexDump(buf));
            String refused = "this writer writes bare attributes, not messages";
            assertEquals(
                    refused,
                    assertThrows(IllegalStateException.class, () -> w.begin(RTM_NEWLINK, 0))
                            .getMessage());
            assertEquals(
                    refused, assertThrows(IllegalStateException.class, w::end).getMessage());
            assertEquals(
                    refused,
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> w.message(LinkMessage.request(RTM_DELLINK, 0, 7, 0, 0, AttributeList.EMPTY)))
                            .getMessage());
            assertEquals(0, w.count());
            assertEquals(13, buf.readableBytes(), "nothing written by what was refused");
        } finally {
            buf.release();
        }
    }

    @Test
    void aWriterOfMessagesWritesNothingOutsideOne() {
        ByteBuf buf = Unpooled.buffer();
        try {
            RequestWriter w = new RequestWriter().reset(buf);
            assertEquals(
                    "no message begun",
                    assertThrows(IllegalStateException.class, () -> w.u32(1, 2)).getMessage());
            assertEquals(
                    "no message begun",
                    assertThrows(IllegalStateException.class, () -> w.nest(1)).getMessage());
            assertEquals(
                    "no message begun",
                    assertThrows(IllegalStateException.class, () -> w.ifinfomsg(0, 0, 0, 0))
                            .getMessage());
            assertEquals(
                    "no message begun",
                    assertThrows(IllegalStateException.class, w::end).getMessage());
            assertEquals(0, buf.readableBytes());
            w.begin(RTM_NEWLINK, 0).end();
            assertEquals(
                    "no message begun",
                    assertThrows(IllegalStateException.class, () -> w.flag(1)).getMessage(),
                    "nor after one has ended");
            w.begin(RTM_NEWLINK, 0);
            assertEquals(
                    "no nested attribute open",
                    assertThrows(IllegalStateException.class, w::endNest).getMessage());
            w.end();
            assertEquals(2, w.count());
            assertEquals(32, buf.readableBytes());
        } finally {
            buf.release();
        }
    }
}
