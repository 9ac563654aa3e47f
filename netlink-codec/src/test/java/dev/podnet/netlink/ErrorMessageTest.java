package dev.podnet.netlink;

import static dev.podnet.netlink.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.attr.AttributeFormatException;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code NLMSG_ERROR} bodies written by hand ({@code struct nlmsgerr}: s32 error, the request's
 * {@code nlmsghdr}, the rest of the request unless capped, then the extended-ack TLVs).
 */
class ErrorMessageTest {
    private static ErrorMessage decode(int flags, byte[] body) {
        return Bodies.decodeWhole(body, in -> ErrorMessage.decode(flags, 9, 0, in));
    }

    private static NetlinkDecodeException refused(int flags, byte[] body) {
        return assertThrows(
                NetlinkDecodeException.class, () -> ErrorMessage.decode(flags, 9, 0, Unpooled.wrappedBuffer(body)));
    }

    @Test
    void anAckCarriesTheRequestsTypeAndSequence() {
        byte[] body = bytes("00 00 00 00", "20 00 00 00 13 01 05 00 04 03 02 01 00 00 00 00");
        ErrorMessage ack = decode(Netlink.NLM_F_CAPPED, body);
        assertTrue(ack.isAck());
        assertEquals(0, ack.error());
        assertEquals(0x0113, ack.requestType());
        assertEquals(0x01020304, ack.requestSequence());
        assertEquals(new Nlmsghdr(Netlink.NLMSG_ERROR, Netlink.NLM_F_CAPPED, 9, 0), Nlmsghdr.of(ack));
        assertSame(AttributeList.EMPTY, ack.extAck());
        assertNull(ack.extAckMessage());
        assertEquals(-1, ack.extAckOffset());
        assertArrayEquals(body, ack.body());
        assertEquals("ErrorMessage[seq=9, error=ack, request=275/16909060]", ack.toString());
    }

    @Test
    void aFailureCarriesThePositiveErrno() {
        // not capped: the whole request (a 24-byte header and body) is echoed
        byte[] body =
                bytes("ef ff ff ff", "18 00 00 00 10 00 05 06 05 00 00 00 00 00 00 00", "01 02 03 04 05 06 07 08");
        ErrorMessage e = decode(0, body);
        assertFalse(e.isAck());
        assertEquals(-17, e.error());
        assertEquals(17, e.errno());
        assertEquals(16, e.requestType());
        assertEquals(5, e.requestSequence());
        assertSame(AttributeList.EMPTY, e.extAck(), "no NLM_F_ACK_TLVS: the echoed request is not read as TLVs");
        assertEquals("ErrorMessage[seq=9, error=EEXIST, request=16/5]", e.toString());
    }

    @Test
    void anErrnoWithoutANameIsPrintedAsANumber() {
        ErrorMessage e = decode(0, bytes("38 ff ff ff", "10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"));
        assertEquals(200, e.errno());
        assertEquals("ErrorMessage[seq=9, error=errno 200, request=0/0]", e.toString());
    }

    @Test
    void aCappedErrorHasItsTlvsRightAfterTheHeader() {
        byte[] body = bytes(
                "ea ff ff ff", // -EINVAL
                "40 00 00 00 10 00 05 06 04 00 00 00 00 00 00 00", // the request's header (64 bytes, cut)
                "0d 00 01 00 62 61 64 20 6b 69 6e 64 00 00 00 00", // NLMSGERR_ATTR_MSG "bad kind"
                "08 00 02 00 30 00 00 00"); // NLMSGERR_ATTR_OFFS 48
        ErrorMessage e = decode(Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS, body);
        assertEquals(22, e.errno());
        assertEquals(2, e.extAck().size());
        assertEquals("bad kind", e.extAckMessage());
        assertEquals(48, e.extAckOffset());
        assertEquals("ErrorMessage[seq=9, error=EINVAL, request=16/4, msg='bad kind']", e.toString());
    }

    @Test
    void anUncappedErrorHasItsTlvsAfterTheAlignedRequest() {
        byte[] body = bytes(
                "ea ff ff ff",
                "16 00 00 00 13 00 05 00 06 00 00 00 00 00 00 00", // a 22-byte request: header ...
                "aa bb cc dd ee ff 00 00", // ... its 6 bytes, padded to 24
                "08 00 02 00 14 00 00 00"); // NLMSGERR_ATTR_OFFS 20
        ErrorMessage e = decode(Netlink.NLM_F_ACK_TLVS, body);
        assertEquals(19, e.requestType());
        assertEquals(6, e.requestSequence());
        assertEquals(1, e.extAck().size());
        assertEquals(20, e.extAckOffset());
        assertNull(e.extAckMessage());
        assertEquals("ErrorMessage[seq=9, error=EINVAL, request=19/6]", e.toString());
    }

    @Test
    void anEchoedRequestEndingTheBodyLeavesNoTlvs() {
        ErrorMessage e =
                decode(Netlink.NLM_F_ACK_TLVS, bytes("ea ff ff ff", "10 00 00 00 13 00 05 00 06 00 00 00 00 00 00 00"));
        assertEquals(0, e.extAck().encodedLength());
        assertEquals(-1, e.extAckOffset());
    }

    @Test
    void anEchoedRequestLongerThanTheBodyIsRefused() {
        NetlinkDecodeException e = refused(
                Netlink.NLM_F_ACK_TLVS, bytes("ea ff ff ff", "40 00 00 00 13 00 05 00 06 00 00 00 00 00 00 00"));
        assertEquals("NLMSG_ERROR claims a 64-byte echoed request but has 16 bytes", e.getMessage());
    }

    @Test
    void aNegativeEchoedLengthIsRefused() {
        NetlinkDecodeException e = refused(
                Netlink.NLM_F_ACK_TLVS, bytes("ea ff ff ff", "f8 ff ff ff 13 00 05 00 06 00 00 00 00 00 00 00"));
        assertEquals("NLMSG_ERROR claims a -8-byte echoed request but has 16 bytes", e.getMessage());
    }

    @Test
    void aZeroEchoedLengthReadsTheHeaderAsTlvs() {
        // NLMSG_ALIGN(0) is 0: the TLVs start right after the error, where a zero length does not parse
        NetlinkDecodeException e = refused(
                Netlink.NLM_F_ACK_TLVS, bytes("ea ff ff ff", "00 00 00 00 13 00 05 00 06 00 00 00 00 00 00 00"));
        assertEquals(
                "bad extended-ack TLVs: attribute type 0 at offset 0 claims length 0 but 16 bytes remain",
                e.getMessage());
        assertInstanceOf(AttributeFormatException.class, e.getCause());
    }

    @Test
    void malformedTlvsAreRefused() {
        NetlinkDecodeException e = refused(
                Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS,
                bytes("ea ff ff ff", "20 00 00 00 13 00 05 00 06 00 00 00 00 00 00 00", "c8 00 01 00 41 42 43 44"));
        assertEquals(
                "bad extended-ack TLVs: attribute type 1 at offset 0 claims length 200 but 8 bytes remain",
                e.getMessage());
    }

    @Test
    void aBodyShorterThanTwentyBytesIsRefused() {
        NetlinkDecodeException e = refused(0, bytes("00 00 00 00", "10 00 00 00 13 00 05 00 06 00 00 00 00 00 00"));
        assertEquals("NLMSG_ERROR body of 19 bytes, need at least 20", e.getMessage());
    }

    @Test
    void decodesTheKernelsExtendedAck() {
        List<NetlinkMessage> out = Vectors.decode("error-extack");
        assertEquals(1, out.size());
        ErrorMessage e = assertInstanceOf(ErrorMessage.class, out.get(0));
        assertEquals(
                new Nlmsghdr(Netlink.NLMSG_ERROR, Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS, 4, 5901),
                Nlmsghdr.of(e));
        assertEquals(-95, e.error());
        assertEquals(16, e.requestType());
        assertEquals(4, e.requestSequence());
        assertEquals("Unknown device type", e.extAckMessage());
        assertEquals(-1, e.extAckOffset());
        assertEquals(44, e.bodyLength());
        assertEquals("ErrorMessage[seq=4, error=EOPNOTSUPP, request=16/4, msg='Unknown device type']", e.toString());
    }
}
