package dev.podnet.netlink.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeFormatException;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.Rtm;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The fuzz target can fail: each way the decoder or a message could break, played by a fake, makes
 * {@link DecoderFuzzTest#check} throw; and what the codec rejects on purpose does not.
 */
class FuzzTargetSelfTest {
    /** The fakes below ignore their input. */
    private static final byte[] ANY = new byte[20];

    @Test
    void aDecoderThatThrowsAnythingButADecodeErrorFailsTheTarget() {
        IndexOutOfBoundsException e = assertThrows(
                IndexOutOfBoundsException.class,
                () -> DecoderFuzzTest.check(ANY, datagram -> {
                    throw new IndexOutOfBoundsException("fake: read past a short header");
                }));
        assertTrue(e.getMessage().startsWith("fake"), e.getMessage());
    }

    @Test
    void aBugWrappedInADecodeErrorFailsTheTarget() {
        AssertionFailedError e = assertThrows(
                AssertionFailedError.class,
                () -> DecoderFuzzTest.check(ANY, datagram -> {
                    throw new NetlinkDecodeException(
                            "RTM_NEWLINK at offset 0: -4", new ArrayIndexOutOfBoundsException(-4));
                }));
        assertInstanceOf(ArrayIndexOutOfBoundsException.class, e.getCause().getCause());
    }

    @Test
    void decodeErrorsThrownOnPurposePass() {
        assertDoesNotThrow(() -> DecoderFuzzTest.check(ANY, datagram -> {
            throw new NetlinkDecodeException("nlmsghdr at offset 0 claims length 200 with 20 bytes left");
        }));
        assertDoesNotThrow(() -> DecoderFuzzTest.check(ANY, datagram -> {
            throw new NetlinkDecodeException(
                    "RTM_NEWLINK at offset 0: bad attribute",
                    new AttributeFormatException("attribute type 3 at offset 0 claims length 200 but 8 bytes remain"));
        }));
        // and the real decoder, on a header that claims more than the datagram holds
        byte[] cut = new byte[20];
        cut[0] = (byte) 200;
        assertDoesNotThrow(() -> DecoderFuzzTest.check(cut, DecoderFuzzTest.ROUTE));
    }

    @Test
    void anAccessorThatThrowsAnythingButADecodeErrorFailsTheTarget() {
        // no attribute list: every attribute accessor dereferences null (no real decode makes this)
        LinkMessage broken = new LinkMessage(Rtm.RTM_NEWLINK, 0, 1, 0, 0, 1, 1, 0, 0, null);
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> DecoderFuzzTest.check(ANY, datagram -> List.of(broken)));
        assertTrue(
                Arrays.stream(e.getStackTrace()).anyMatch(f -> f.getClassName().equals(Accessors.class.getName())),
                "thrown while calling the accessors");
    }

    @Test
    void anAccessorsDecodeErrorForBadNestedAttributesPasses() {
        // IFLA_LINKINFO whose one nested attribute claims 200 bytes of the 4 there are
        LinkMessage bad = LinkMessage.request(
                Rtm.RTM_NEWLINK,
                0,
                7,
                0,
                0,
                AttributeList.builder()
                        .bytes(Ifla.IFLA_LINKINFO, new byte[] {(byte) 200, 0, 1, 0})
                        .build());
        ByteBuf b = Unpooled.buffer();
        byte[] bytes;
        try {
            NetlinkCodec.encode(bad, 1, 0, b);
            bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
        } finally {
            b.release();
        }
        LinkMessage decoded = (LinkMessage)
                DecoderFuzzTest.ROUTE.apply(Unpooled.wrappedBuffer(bytes)).get(0);
        assertThrows(AttributeFormatException.class, decoded::kind, "the accessor parses the nested attributes lazily");
        assertDoesNotThrow(() -> DecoderFuzzTest.check(bytes, DecoderFuzzTest.ROUTE));
    }

    @Test
    void aRoundTripThatChangesAMessageFailsTheTarget() {
        LinkMessage first = LinkMessage.request(
                Rtm.RTM_NEWLINK,
                0,
                7,
                0,
                0,
                AttributeList.builder().u32(Ifla.IFLA_MTU, 1500).build());
        LinkMessage second = LinkMessage.request(
                Rtm.RTM_NEWLINK,
                0,
                7,
                0,
                0,
                AttributeList.builder().u32(Ifla.IFLA_MTU, 1400).build());
        AtomicInteger calls = new AtomicInteger();
        assertThrows(
                AssertionFailedError.class,
                () -> DecoderFuzzTest.check(
                        ANY, datagram -> List.<NetlinkMessage>of(calls.getAndIncrement() == 0 ? first : second)));
        assertEquals(2, calls.get(), "decoded, then decoded again after re-encoding");
    }
}
