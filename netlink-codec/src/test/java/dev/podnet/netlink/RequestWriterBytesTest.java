package dev.podnet.netlink;

import static dev.podnet.netlink.Hex.bytes;
import static dev.podnet.netlink.Hex.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.Ifa;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.RouteMessages;
import dev.podnet.netlink.route.Rta;
import dev.podnet.netlink.route.Rtm;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The exact bytes {@link RequestWriter} writes, worked out by hand from the kernel's structs. */
class RequestWriterBytesTest {
    /** What {@code request} writes with a fresh writer, as hex. */
    private static String written(Consumer<RequestWriter> request) {
        ByteBuf buf = Unpooled.buffer();
        try {
            request.accept(new RequestWriter().reset(buf));
            return ByteBufUtil.hexDump(buf);
        } finally {
            buf.release();
        }
    }

    /** The buffer's readable bytes as hex; releases it. */
    private static String written(ByteBuf buf) {
        try {
            return ByteBufUtil.hexDump(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void aLinkRequest() {
        ByteBuf buf = Unpooled.buffer();
        RequestWriter w = new RequestWriter();
        assertSame(w, w.reset(buf));
        assertSame(buf, w.buffer());
        RequestWriter back = w.begin(Rtm.RTM_NEWLINK, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                .ifinfomsg(Rtm.AF_UNSPEC, 0x01020304, 0x11043, -1)
                .string(Ifla.IFLA_IFNAME, "v0")
                .u8(Ifla.IFLA_OPERSTATE, 6)
                .u32(Ifla.IFLA_MTU, 1500)
                .nest(Ifla.IFLA_LINKINFO)
                .string(Ifla.IFLA_INFO_KIND, "veth")
                .endNest()
                .end();
        assertSame(w, back);
        assertEquals(1, w.count());
        String expected = hex(
                "48 00 00 00 10 00 00 06 00 00 00 00 00 00 00 00", // nlmsghdr: 72 bytes, RTM_NEWLINK, CREATE|EXCL
                "00 00 00 00 04 03 02 01 43 10 01 00 ff ff ff ff", // ifinfomsg: index, flags, change
                "07 00 03 00 76 30 00 00", // IFLA_IFNAME "v0", padded
                "05 00 10 00 06 00 00 00", // IFLA_OPERSTATE 6, padded
                "08 00 04 00 dc 05 00 00", // IFLA_MTU 1500
                "10 00 12 80 09 00 01 00 76 65 74 68 00 00 00 00"); // IFLA_LINKINFO (nested) { IFLA_INFO_KIND "veth" }
        assertEquals(expected, written(buf));

        // the same request as an object encodes to the same bytes
        LinkMessage object = LinkMessage.request(
                Rtm.RTM_NEWLINK,
                Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                0x01020304,
                0x11043,
                -1,
                AttributeList.builder()
                        .string(Ifla.IFLA_IFNAME, "v0")
                        .u8(Ifla.IFLA_OPERSTATE, 6)
                        .u32(Ifla.IFLA_MTU, 1500)
                        .nested(Ifla.IFLA_LINKINFO, li -> li.string(Ifla.IFLA_INFO_KIND, "veth"))
                        .build());
        ByteBuf encoded = Unpooled.buffer();
        NetlinkCodec.encode(object, 0, 0, encoded);
        assertEquals(expected, written(encoded));
    }

    @Test
    void anAddressRequest() throws Exception {
        InetAddress peer = InetAddress.getByName("198.18.0.2");
        String written = written(w -> w.begin(Rtm.RTM_NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE)
                .ifaddrmsg(Rtm.AF_INET, 24, Ifa.IFA_F_PERMANENT, Rta.RT_SCOPE_LINK, 0x01020304)
                .ipv4(Ifa.IFA_LOCAL, 0xc6120001)
                .address(Ifa.IFA_ADDRESS, peer)
                .u32(Ifa.IFA_FLAGS, 0x280)
                .end());
        assertEquals(
                hex(
                        "30 00 00 00 14 00 00 05 00 00 00 00 00 00 00 00", // 48 bytes, RTM_NEWADDR, CREATE|REPLACE
                        "02 18 80 fd 04 03 02 01", // ifaddrmsg: AF_INET /24 permanent scope link, index
                        "08 00 02 00 c6 12 00 01", // IFA_LOCAL 198.18.0.1 (network order)
                        "08 00 01 00 c6 12 00 02", // IFA_ADDRESS 198.18.0.2
                        "08 00 08 00 80 02 00 00"),
                written); // IFA_FLAGS 0x280
    }

    @Test
    void aRouteRequest() throws Exception {
        InetAddress destination = InetAddress.getByName("198.19.0.0");
        String written = written(w -> w.begin(Rtm.RTM_NEWROUTE, Netlink.NLM_F_CREATE)
                .rtmsg(
                        Rtm.AF_INET,
                        24,
                        Rta.RT_TABLE_MAIN,
                        Rta.RTPROT_STATIC,
                        Rta.RT_SCOPE_UNIVERSE,
                        Rta.RTN_UNICAST,
                        Rta.RTNH_F_ONLINK)
                .address(Rta.RTA_DST, destination)
                .ipv4(Rta.RTA_GATEWAY, 0xc6120007)
                .u32(Rta.RTA_OIF, 3)
                .end());
        assertEquals(
                hex(
                        "34 00 00 00 18 00 00 04 00 00 00 00 00 00 00 00", // 52 bytes, RTM_NEWROUTE, CREATE
                        "02 18 00 00 fe 04 00 01 04 00 00 00", // rtmsg: /24, main, static, universe, unicast, onlink
                        "08 00 01 00 c6 13 00 00", // RTA_DST 198.19.0.0
                        "08 00 05 00 c6 12 00 07", // RTA_GATEWAY 198.18.0.7
                        "08 00 04 00 03 00 00 00"),
                written); // RTA_OIF 3
    }

    @Test
    void bytesArePaddedAndMayBeEmpty() {
        String written = written(w -> w.begin(Rtm.RTM_SETLINK, 0)
                .ifinfomsg(Rtm.AF_UNSPEC, 2, 0, 0)
                .bytes(Ifla.IFLA_ADDRESS, bytes("02 00 00 00 00 01"))
                .bytes(99, new byte[0])
                .u32(Ifla.IFLA_MTU, 9000)
                .end());
        assertEquals(
                hex(
                        "38 00 00 00 13 00 00 00 00 00 00 00 00 00 00 00",
                        "00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00",
                        "0a 00 01 00 02 00 00 00 00 01 00 00", // IFLA_ADDRESS, 6 bytes padded to 8
                        "04 00 63 00", // type 99, no value
                        "08 00 04 00 28 23 00 00"),
                written); // IFLA_MTU 9000
    }

    @Test
    void stringsAreUtf8WithTheirNul() {
        String written = written(w -> w.begin(Rtm.RTM_SETLINK, 0)
                .ifinfomsg(Rtm.AF_UNSPEC, 5, 0, 0)
                .string(Ifla.IFLA_IFALIAS, "\u0080")
                .string(Ifla.IFLA_IFALIAS, "\u007f")
                .string(Ifla.IFLA_IFALIAS, "\u00e9")
                .end());
        assertEquals(
                hex(
                        "38 00 00 00 13 00 00 00 00 00 00 00 00 00 00 00",
                        "00 00 00 00 05 00 00 00 00 00 00 00 00 00 00 00",
                        "07 00 14 00 c2 80 00 00", // U+0080: two bytes in UTF-8
                        "06 00 14 00 7f 00 00 00", // U+007F: one
                        "07 00 14 00 c3 a9 00 00"),
                written); // e acute
    }

    @Test
    void paddingCountsFromTheMessageNotTheBuffer() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeBytes(bytes("ee ee ee")); // a message that starts unaligned in the buffer
        RequestWriter w = new RequestWriter().reset(buf).begin(99, 0).u8(1, 0x7f);
        w.buffer().writeByte(0x55); // leaves the message at 25 bytes
        w.end();
        assertEquals(
                hex(
                        "ee ee ee",
                        "19 00 00 00 63 00 00 00 00 00 00 00 00 00 00 00", // nlmsg_len 25, unaligned as written ...
                        "05 00 01 00 7f 00 00 00",
                        "55 00 00 00"),
                written(buf)); // ... and padded after
    }

    @Test
    void nestsSetTheirLengthAndArePadded() {
        ByteBuf buf = Unpooled.buffer();
        RequestWriter w = new RequestWriter().reset(buf).begin(99, 0).nest(1);
        w.buffer().writeByte(0x7f);
        w.endNest().u32(2, 0x01020304).end();
        assertEquals(
                hex(
                        "20 00 00 00 63 00 00 00 00 00 00 00 00 00 00 00",
                        "05 00 01 80 7f 00 00 00", // a nest of 5 bytes, padded when closed
                        "08 00 02 00 04 03 02 01"),
                written(buf));
    }

    @Test
    void nestsNest() {
        String written = written(
                w -> w.begin(99, 0).nest(1).nest(2).u8(3, 1).endNest().endNest().end());
        assertEquals(
                hex(
                        "20 00 00 00 63 00 00 00 00 00 00 00 00 00 00 00",
                        "10 00 01 80 0c 00 02 80 05 00 03 00 01 00 00 00"),
                written);
    }

    @Test
    void eightLevelsOfNestingAndNoMore() {
        ByteBuf buf = Unpooled.buffer();
        RequestWriter w = new RequestWriter().reset(buf).begin(99, 0);
        for (int i = 1; i <= 8; i++) {
            w.nest(i);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.nest(9));
        assertEquals("attributes nested deeper than 8", e.getMessage());
        for (int i = 0; i < 8; i++) {
            w.endNest();
        }
        w.end();
        assertEquals(48, buf.getIntLE(0));
        assertEquals(32, buf.getUnsignedShortLE(16), "the outermost nest holds the seven inside it");
        assertEquals(4, buf.getUnsignedShortLE(16 + 28), "the innermost is empty");
        buf.release();
    }

    @Test
    void endRefusesOpenNests() {
        RequestWriter w = new RequestWriter()
                .reset(Unpooled.buffer())
                .begin(99, 0)
                .nest(1)
                .nest(2);
        assertEquals(
                "2 nested attributes left open",
                assertThrows(IllegalStateException.class, w::end).getMessage());
        w.endNest();
        assertEquals(
                "1 nested attributes left open",
                assertThrows(IllegalStateException.class, w::end).getMessage());
        w.buffer().release();
    }

    @Test
    void anAttributeOfAtMost65535Bytes() {
        ByteBuf buf = Unpooled.buffer();
        RequestWriter w = new RequestWriter().reset(buf).begin(99, 0).bytes(1, new byte[0xffff - 4]);
        assertEquals(0xffff, buf.getUnsignedShortLE(16));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> w.bytes(1, new byte[0xffff - 3]));
        assertEquals("attribute 1 too long: 65536 bytes", e.getMessage());
        buf.release();
    }

    @Test
    void resetStartsAfresh() {
        RequestWriter w = new RequestWriter().reset(Unpooled.buffer());
        w.begin(99, 0).end().begin(99, 0).end();
        assertEquals(2, w.count());
        w.begin(99, 0).nest(1);
        w.buffer().release();

        ByteBuf second = Unpooled.buffer();
        w.reset(second);
        assertEquals(0, w.count());
        assertSame(second, w.buffer());
        w.begin(98, 0).end(); // neither the open message nor the open nest carried over
        assertEquals(1, w.count());
        assertEquals(hex("10 00 00 00 62 00 00 00 00 00 00 00 00 00 00 00"), written(second));
    }

    @Test
    void objectsAreAppendedWithSequenceZero() {
        ByteBuf buf = Unpooled.buffer();
        RequestWriter w = new RequestWriter().reset(buf);
        assertSame(w, w.message(LinkMessage.request(Rtm.RTM_DELLINK, 0, 7, 0, 0, AttributeList.EMPTY)));
        assertEquals(1, w.count());
        w.begin(99, 0).end();
        assertEquals(2, w.count());
        assertEquals(
                hex(
                        "20 00 00 00 11 00 00 00 00 00 00 00 00 00 00 00",
                        "00 00 00 00 07 00 00 00 00 00 00 00 00 00 00 00",
                        "10 00 00 00 63 00 00 00 00 00 00 00 00 00 00 00"),
                written(buf));
    }

    @Test
    void anObjectIsRefusedWhileAMessageIsOpen() {
        ByteBuf buf = Unpooled.buffer();
        RequestWriter w = new RequestWriter().reset(buf).begin(99, 0); // the open message starts at index 0
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> w.message(LinkMessage.request(Rtm.RTM_DELLINK, 0, 7, 0, 0, AttributeList.EMPTY)));
        assertEquals("a message is open", e.getMessage());
        assertEquals(0, w.count());
        buf.release();
    }

    @Test
    void asObjectDecodesTheOneRequestWritten() {
        NetlinkMessage m = RequestWriter.asObject(
                RouteMessages.INSTANCE,
                w -> w.begin(Rtm.RTM_NEWLINK, Netlink.NLM_F_CREATE)
                        .ifinfomsg(Rtm.AF_UNSPEC, 4, 1, 1)
                        .string(Ifla.IFLA_IFNAME, "v0")
                        .end());
        LinkMessage link = assertInstanceOf(LinkMessage.class, m);
        assertEquals(new Nlmsghdr(Rtm.RTM_NEWLINK, Netlink.NLM_F_CREATE, 0, 0), Nlmsghdr.of(link));
        assertEquals(4, link.index());
        assertEquals("v0", link.name());

        IllegalArgumentException none = assertThrows(
                IllegalArgumentException.class, () -> RequestWriter.asObject(RouteMessages.INSTANCE, w -> {}));
        assertEquals("wrote 0 requests, not one", none.getMessage());
        IllegalArgumentException two = assertThrows(
                IllegalArgumentException.class,
                () -> RequestWriter.asObject(
                        RouteMessages.INSTANCE,
                        w -> w.begin(99, 0).end().begin(99, 0).end()));
        assertEquals("wrote 2 requests, not one", two.getMessage());
    }
}
