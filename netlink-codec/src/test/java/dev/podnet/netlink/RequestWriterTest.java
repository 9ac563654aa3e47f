package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.RouteMessages;
import dev.podnet.netlink.route.Rtm;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestWriterTest {
    @Test
    void writesMessagesTheDecoderReadsBack() {
        ByteBuf buf = Unpooled.buffer();
        RequestWriter w = new RequestWriter().reset(buf);
        w.begin(Rtm.RTM_NEWLINK, Netlink.NLM_F_CREATE)
                .ifinfomsg(Rtm.AF_UNSPEC, 0, 1, 1)
                .string(Ifla.IFLA_IFNAME, "br0")
                .u8(Ifla.IFLA_OPERSTATE, 6)
                .nest(Ifla.IFLA_LINKINFO)
                .string(Ifla.IFLA_INFO_KIND, "bridge")
                .endNest()
                .u32(Ifla.IFLA_MTU, 1400)
                .end();
        w.begin(Rtm.RTM_SETLINK, 0)
                .ifinfomsg(Rtm.AF_UNSPEC, 5, 0, 0)
                .string(Ifla.IFLA_IFALIAS, "ä")
                .end();
        assertEquals(2, w.count());
        assertEquals(0, buf.readableBytes() % 4, "every message padded to 4 bytes");
        List<NetlinkMessage> out = new ArrayList<>();
        NetlinkCodec.decode(buf, RouteMessages.INSTANCE, out);
        LinkMessage br = assertInstanceOf(LinkMessage.class, out.get(0));
        assertEquals("br0", br.name());
        assertEquals("bridge", br.kind());
        assertEquals(1400, br.mtu());
        assertEquals(Netlink.NLM_F_CREATE, br.flags());
        LinkMessage set = assertInstanceOf(LinkMessage.class, out.get(1));
        assertEquals(5, set.index());
        assertEquals("ä", set.alias());
        assertEquals(AttributeList.builder().string(Ifla.IFLA_IFALIAS, "ä").build(), set.attributes());
    }

    @Test
    void misuseIsRefused() {
        RequestWriter w = new RequestWriter().reset(Unpooled.buffer());
        w.begin(Rtm.RTM_SETLINK, 0).ifinfomsg(0, 1, 0, 0);
        assertThrows(IllegalStateException.class, () -> w.begin(Rtm.RTM_SETLINK, 0), "a message left open");
        w.nest(Ifla.IFLA_LINKINFO);
        assertThrows(IllegalStateException.class, w::end, "a nest left open");
    }
}
