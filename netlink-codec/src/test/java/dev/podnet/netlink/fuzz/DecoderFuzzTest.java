package dev.podnet.netlink.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.route.RouteMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Any bytes end in decoded messages or the codec's own {@link NetlinkDecodeException}; never another
 * exception or a hang. Whatever decodes must re-encode and decode again to the same messages.
 */
class DecoderFuzzTest {
    /** Bounded for CI: {@code bin/test} runs it with {@code JAZZER_FUZZ=1}; without it, only the seeds run. */
    @FuzzTest(maxDuration = "20s")
    void decodeAnything(byte[] datagram) {
        check(datagram);
    }

    /**
     * A long run, on request: {@code JAZZER_FUZZ=1 mvn test -pl netlink-codec
     * -Dtest='DecoderFuzzTest#decodeAnythingForAnHour' -Dpodnet.fuzz.long=true}.
     */
    @FuzzTest(maxDuration = "1h")
    @EnabledIfSystemProperty(named = "podnet.fuzz.long", matches = "true")
    void decodeAnythingForAnHour(byte[] datagram) {
        check(datagram);
    }

    private static void check(byte[] datagram) {
        ByteBuf in = Unpooled.wrappedBuffer(datagram);
        List<NetlinkMessage> out = new ArrayList<>();
        try {
            NetlinkCodec.decode(in, RouteMessages.INSTANCE, out);
        } catch (NetlinkDecodeException expected) {
            return;
        }
        ByteBuf again = Unpooled.buffer();
        for (NetlinkMessage m : out) {
            NetlinkCodec.encode(m, m.sequence(), m.portId(), again);
        }
        List<NetlinkMessage> back = new ArrayList<>();
        NetlinkCodec.decode(again, RouteMessages.INSTANCE, back);
        assertEquals(out.size(), back.size());
        for (int i = 0; i < out.size(); i++) {
            assertEquals(out.get(i).type(), back.get(i).type());
            assertEquals(out.get(i).encodedLength(), back.get(i).encodedLength());
        }
    }
}
