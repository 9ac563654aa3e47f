package dev.podnet.netlink.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.podnet.netlink.BodyBytes;
import dev.podnet.netlink.DoneMessage;
import dev.podnet.netlink.ErrorMessage;
import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeFormatException;
import dev.podnet.netlink.nft.NftMessage;
import dev.podnet.netlink.nft.NftMessages;
import dev.podnet.netlink.nft.NftRuleset;
import dev.podnet.netlink.route.RouteMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.opentest4j.AssertionFailedError;

/**
 * Any bytes end in decoded messages or the codec's own {@link NetlinkDecodeException}; never another
 * exception, a decode exception hiding one, or a hang. Every typed accessor of what decodes is
 * called ({@link Accessors}). Whatever decodes re-encodes to bytes that decode to equal messages,
 * which re-encode to exactly the same bytes.
 */
class DecoderFuzzTest {
    /** rtnetlink's decoder, as the channel runs it. */
    static final Function<ByteBuf, List<NetlinkMessage>> ROUTE = DecoderFuzzTest::decodeRoute;

    /** nf_tables' decoder: the messages, then every one read as a dump's table, chain, set, elements and rule. */
    static final Function<ByteBuf, List<NetlinkMessage>> NFT = DecoderFuzzTest::decodeNft;

    /** Bounded for CI: {@code bin/test} runs it with {@code JAZZER_FUZZ=1}; without it, only the seeds run. */
    @FuzzTest(maxDuration = "20s")
    void decodeAnything(byte[] datagram) {
        // one target for both protocols: Jazzer fuzzes one target a run (the seeds hold rtnetlink
        // datagrams and nf_tables dumps alike)
        check(datagram, ROUTE);
        check(datagram, NFT);
    }

    /**
     * A long run, on request: {@code JAZZER_FUZZ=1 mvn test -pl netlink-codec
     * -Dtest='DecoderFuzzTest#decodeAnythingForAnHour' -Dpodnet.fuzz.long=true}.
     */
    @FuzzTest(maxDuration = "1h")
    @EnabledIfSystemProperty(named = "podnet.fuzz.long", matches = "true")
    void decodeAnythingForAnHour(byte[] datagram) {
        check(datagram, ROUTE);
        check(datagram, NFT);
    }

    /**
     * The fuzz target, with the decoder as a parameter so that {@link FuzzTargetSelfTest} can show
     * it fails. Returns normally when the behaviour holds; otherwise throws an assertion failure, or
     * the unexpected exception itself.
     */
    static void check(byte[] datagram, Function<ByteBuf, List<NetlinkMessage>> decoder) {
        List<NetlinkMessage> decoded;
        try {
            decoded = decoder.apply(Unpooled.wrappedBuffer(datagram));
        } catch (NetlinkDecodeException e) {
            if (!Accessors.thrownOnPurpose(e)) {
                fail("the decoder hid a bug in a decode error: " + e, e);
            }
            return;
        }
        for (NetlinkMessage m : decoded) {
            Accessors.touchAll(m);
        }
        byte[] once = encode(decoded);
        List<NetlinkMessage> again;
        try {
            again = decoder.apply(Unpooled.wrappedBuffer(once));
        } catch (NetlinkDecodeException e) {
            throw new AssertionFailedError("bytes the codec wrote itself do not decode: " + e, e);
        }
        assertEquals(decoded.size(), again.size(), "messages decoded again after re-encoding");
        for (int i = 0; i < decoded.size(); i++) {
            assertSameMessage(decoded.get(i), again.get(i), "message " + i + " decoded again after re-encoding");
        }
        assertArrayEquals(once, encode(again), "re-encoded bytes, decoded and encoded once more");
    }

    private static List<NetlinkMessage> decodeRoute(ByteBuf datagram) {
        List<NetlinkMessage> out = new ArrayList<>();
        NetlinkCodec.decode(datagram, RouteMessages.INSTANCE, out);
        assertEquals(0, datagram.readableBytes(), "the decoder reads a datagram to its end");
        return out;
    }

    private static List<NetlinkMessage> decodeNft(ByteBuf datagram) {
        List<NetlinkMessage> out = new ArrayList<>();
        NetlinkCodec.decode(datagram, NftMessages.INSTANCE, out);
        assertEquals(0, datagram.readableBytes(), "the decoder reads a datagram to its end");
        List<NftMessage> nft = new ArrayList<>();
        Map<String, List<NftMessage>> bySet = new HashMap<>();
        for (NetlinkMessage m : out) {
            if (m instanceof NftMessage n) {
                nft.add(n);
            }
        }
        for (NftMessage n : nft) {
            // every message as the elements of whatever set a message names, and as a table named podnet
            String set = n.attributes().string(dev.podnet.netlink.nft.Nft.Set.NAME);
            if (set != null) {
                bySet.put(set, nft);
            }
        }
        try {
            NftRuleset.of("podnet", nft, nft, nft, bySet, nft);
        } catch (AttributeFormatException e) {
            throw new NetlinkDecodeException("nf_tables attributes: " + e.getMessage(), e);
        }
        return out;
    }

    private static byte[] encode(List<NetlinkMessage> messages) {
        ByteBuf out = Unpooled.buffer();
        try {
            int declared = 0;
            for (NetlinkMessage m : messages) {
                NetlinkCodec.encode(m, m.sequence(), m.portId(), out);
                declared += m.encodedLength();
            }
            assertEquals(declared, out.readableBytes(), "bytes written against the messages' encodedLength()");
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            out.release();
        }
    }

    private static void assertSameMessage(NetlinkMessage expected, NetlinkMessage actual, String what) {
        assertEquals(expected.getClass(), actual.getClass(), what);
        if (expected instanceof BodyBytes e && actual instanceof BodyBytes a) {
            // these records hold the body as an array, which their equals compares by identity
            assertEquals(
                    List.of(e.type(), e.flags(), e.sequence(), e.portId()),
                    List.of(a.type(), a.flags(), a.sequence(), a.portId()),
                    what + ": header");
            assertArrayEquals(e.body(), a.body(), what + ": body");
            if (expected instanceof ErrorMessage ee && actual instanceof ErrorMessage ae) {
                assertEquals(
                        List.of(ee.error(), ee.requestType(), ee.requestSequence()),
                        List.of(ae.error(), ae.requestType(), ae.requestSequence()),
                        what + ": error, request");
                assertEquals(ee.extAck(), ae.extAck(), what + ": extended ack");
            }
            if (expected instanceof DoneMessage ed && actual instanceof DoneMessage ad) {
                assertEquals(ed.error(), ad.error(), what + ": error");
                assertEquals(ed.extAck(), ad.extAck(), what + ": extended ack");
            }
        } else {
            assertEquals(expected, actual, what);
            assertEquals(expected.hashCode(), actual.hashCode(), what + ": hash");
        }
    }
}
