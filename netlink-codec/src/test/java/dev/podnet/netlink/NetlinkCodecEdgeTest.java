package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.podnet.netlink.route.RouteMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Datagram edges: a message that is only a header, and trailing bytes too short for one. */
class NetlinkCodecEdgeTest {
    private static List<NetlinkMessage> decode(String hex) {
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex.replace(" ", "")));
        List<NetlinkMessage> out = new ArrayList<>();
        NetlinkCodec.decode(in, RouteMessages.INSTANCE, out);
        assertEquals(0, in.readableBytes(), "the datagram is consumed to its end");
        return out;
    }

    @Test
    void aMessageOfOnlyItsHeader() {
        List<NetlinkMessage> out = decode("10 00 00 00 03 00 02 00 07 00 00 00 0d 17 00 00");
        assertEquals(1, out.size());
        DoneMessage done = assertInstanceOf(DoneMessage.class, out.get(0));
        assertEquals(0, done.bodyLength());
        assertEquals(new Nlmsghdr(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, 7, 5901), Nlmsghdr.of(done));
    }

    @Test
    void trailingBytesShorterThanAHeaderAreSkipped() {
        List<NetlinkMessage> out = decode("14 00 00 00 03 00 02 00 07 00 00 00 0d 17 00 00 00 00 00 00 01 02 03");
        assertEquals(1, out.size());
        assertEquals(0, assertInstanceOf(DoneMessage.class, out.get(0)).error());
    }
}
