package dev.podnet.netlink;

import static dev.podnet.netlink.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.podnet.netlink.attr.AttributeFormatException;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** {@code NLMSG_DONE} bodies written by hand: the error int (little-endian), the extended-ack TLVs after it. */
class DoneMessageTest {
    private static DoneMessage decode(int flags, byte[] body) {
        return Bodies.decodeWhole(body, in -> DoneMessage.decode(flags, 7, 5901, in));
    }

    @Test
    void theErrorIsTheFirstFourBytesLittleEndian() {
        DoneMessage d = decode(Netlink.NLM_F_MULTI, bytes("01 02 03 04"));
        assertEquals(0x04030201, d.error());
        assertEquals(new Nlmsghdr(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, 7, 5901), Nlmsghdr.of(d));
        assertArrayEquals(bytes("01 02 03 04"), d.body());
        assertEquals(4, d.bodyLength());
        assertEquals(20, d.encodedLength());
        assertSame(AttributeList.EMPTY, d.extAck());
    }

    @Test
    void everyByteOfTheErrorIsUnsigned() {
        // every byte has its top bit set: a byte read signed would smear ones over the others
        assertEquals(0xd4c3b2a1, decode(0, bytes("a1 b2 c3 d4")).error());
        assertEquals(-4, decode(0, bytes("fc ff ff ff")).error(), "-EINTR");
        assertEquals(0x80, decode(0, bytes("80 00 00 00")).error());
        assertEquals(0x8000, decode(0, bytes("00 80 00 00")).error());
        assertEquals(0x800000, decode(0, bytes("00 00 80 00")).error());
    }

    @Test
    void aBodyShorterThanFourBytesHasNoError() {
        DoneMessage three = decode(Netlink.NLM_F_MULTI, bytes("05 06 07"));
        assertEquals(0, three.error());
        assertArrayEquals(bytes("05 06 07"), three.body());
        assertEquals(3, three.bodyLength());
        assertEquals(20, three.encodedLength(), "padded to 4");

        DoneMessage empty = decode(Netlink.NLM_F_MULTI, new byte[0]);
        assertEquals(0, empty.error());
        assertEquals(0, empty.bodyLength());
        assertEquals(16, empty.encodedLength());
    }

    @Test
    void extendedAckTlvsFollowTheErrorWhenFlagged() {
        byte[] body = bytes(
                "ea ff ff ff", // -EINVAL
                "09 00 01 00 62 61 64 21 00 00 00 00", // NLMSGERR_ATTR_MSG "bad!" (4 + 5 bytes, padded to 12)
                "08 00 02 00 24 01 00 00"); // NLMSGERR_ATTR_OFFS 0x124
        DoneMessage d = decode(Netlink.NLM_F_MULTI | Netlink.NLM_F_ACK_TLVS, body);
        assertEquals(-22, d.error());
        assertEquals(20, d.extAck().encodedLength());
        assertEquals(2, d.extAck().size());
        assertEquals("bad!", d.extAck().string(Netlink.NLMSGERR_ATTR_MSG));
        assertEquals(0x124, d.extAck().u32(Netlink.NLMSGERR_ATTR_OFFS, -1));
        assertArrayEquals(body, d.body());
    }

    @Test
    void bytesAfterTheErrorAreNotTlvsWithoutTheFlag() {
        byte[] body = bytes("ea ff ff ff", "08 00 02 00 24 01 00 00");
        assertSame(AttributeList.EMPTY, decode(Netlink.NLM_F_MULTI, body).extAck());
        assertSame(AttributeList.EMPTY, decode(Netlink.NLM_F_CAPPED, body).extAck(), "only NLM_F_ACK_TLVS counts");
    }

    @Test
    void theFlagWithNothingAfterTheErrorGivesTheEmptyList() {
        DoneMessage d = decode(Netlink.NLM_F_MULTI | Netlink.NLM_F_ACK_TLVS, bytes("fc ff ff ff"));
        assertEquals(-4, d.error());
        assertSame(AttributeList.EMPTY, d.extAck());
    }

    @Test
    void malformedTlvsAreADecodeError() {
        byte[] body = bytes("00 00 00 00", "28 00 01 00 78 00 00 00"); // claims 40 bytes, has 8
        NetlinkDecodeException e = assertThrows(
                NetlinkDecodeException.class,
                () -> DoneMessage.decode(Netlink.NLM_F_ACK_TLVS, 1, 0, Unpooled.wrappedBuffer(body)));
        assertEquals(
                "bad extended-ack TLVs in NLMSG_DONE: attribute type 1 at offset 0 claims length 40 but 8 bytes remain",
                e.getMessage());
        assertInstanceOf(AttributeFormatException.class, e.getCause());
    }

    @Test
    void aDumpEndsWithTheKernelsDone() {
        java.util.List<NetlinkMessage> out = Vectors.decode("addr-dump");
        DoneMessage d = assertInstanceOf(DoneMessage.class, out.get(out.size() - 1));
        assertEquals(new Nlmsghdr(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, 2, 5901), Nlmsghdr.of(d));
        assertEquals(0, d.error());
        assertArrayEquals(new byte[4], d.body());
        assertSame(AttributeList.EMPTY, d.extAck());
    }
}
