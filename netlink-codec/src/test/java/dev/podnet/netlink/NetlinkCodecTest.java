package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.RouteMessages;
import dev.podnet.netlink.route.Rtm;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetlinkCodecTest {
    static List<NetlinkMessage> decode(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        List<NetlinkMessage> out = new ArrayList<>();
        NetlinkCodec.decode(in, RouteMessages.INSTANCE, out);
        assertEquals(0, in.readableBytes());
        return out;
    }

    static byte[] encode(List<NetlinkMessage> messages) {
        ByteBuf out = Unpooled.buffer();
        for (NetlinkMessage m : messages) {
            NetlinkCodec.encode(m, m.sequence(), m.portId(), out);
        }
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }

    @Test
    void decodesARealLinkDump() {
        List<NetlinkMessage> msgs = Vectors.decode("link-dump");
        assertInstanceOf(DoneMessage.class, msgs.get(msgs.size() - 1));
        Map<String, LinkMessage> links = Vectors.links("link-dump");
        assertEquals(java.util.Set.of("lo", "br0", "v0", "v1"), links.keySet());
        LinkMessage v0 = links.get("v0");
        assertEquals("veth", v0.kind());
        assertEquals("bridge", links.get("br0").kind());
        assertEquals(links.get("br0").index(), v0.master());
        assertEquals("podnet:abc/eth0", v0.alias());
        assertEquals(links.get("v1").index(), v0.attributes().u32(Ifla.IFLA_LINK, 0), "a veth's IFLA_LINK is its peer");
        assertTrue(v0.isUp());
        assertEquals(1500, v0.mtu());
        assertEquals(6, v0.hardwareAddress().length);
        assertTrue(
                msgs.stream().allMatch(m -> m.sequence() == 1 && m.portId() != 0 || m instanceof DoneMessage),
                "replies carry the request's sequence and our port id");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "link-dump",
                "addr-dump",
                "route-dump",
                "neigh-dump",
                "error-extack",
                "ack",
                "rich-link-dump",
                "rich-addr-dump",
                "rich-route-dump"
            })
    void reEncodesEveryRealMessageByteForByte(String vector) {
        byte[] original = Vectors.load(vector);
        assertArrayEquals(original, encode(decode(original)));
    }

    @Test
    void decodesRealAddressesAndRoutes() {
        List<String> addrs = Vectors.decode("addr-dump", AddressMessage.class).stream()
                .map(a -> a.address().getHostAddress() + "/" + a.prefixLength())
                .toList();
        assertEquals(List.of("198.18.0.1/16", "198.18.5.9/16"), addrs);
        RouteMessage via = Vectors.routeTo("route-dump", "198.19.0.0");
        assertEquals(24, via.dstLength());
        assertEquals("198.18.0.7", via.gateway().getHostAddress());
        assertEquals(254, via.effectiveTable());
    }

    @Test
    void decodesARealNeighbourDump() {
        dev.podnet.netlink.route.NeighbourMessage n = Vectors.decode("neigh-dump").stream()
                .filter(m -> m instanceof dev.podnet.netlink.route.NeighbourMessage nm
                        && nm.destination() != null
                        && nm.destination().getHostAddress().equals("198.18.0.50"))
                .map(m -> (dev.podnet.netlink.route.NeighbourMessage) m)
                .findFirst()
                .orElseThrow();
        assertEquals(dev.podnet.netlink.route.Nda.NUD_PERMANENT, n.state());
        assertEquals("PERMANENT", dev.podnet.netlink.route.Nda.stateName(n.state()));
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0x50}, n.linkLayerAddress());
    }

    @Test
    void decodesAnExtendedAckError() {
        ErrorMessage e = assertInstanceOf(
                ErrorMessage.class, Vectors.decode("error-extack").get(0));
        assertEquals(dev.podnet.netlink.Errno.EOPNOTSUPP, e.errno());
        assertEquals(Rtm.RTM_NEWLINK, e.requestType());
        assertEquals(4, e.requestSequence());
        assertTrue(e.extAckMessage() != null && !e.extAckMessage().isEmpty(), "the kernel explained the error");
        NetlinkException ex = NetlinkException.of(e, "RTM_NEWLINK x0 (no-such-kind)");
        assertEquals("EOPNOTSUPP", ex.errnoName());
        assertTrue(
                ex.getMessage()
                        .startsWith("RTM_NEWLINK x0 (no-such-kind) failed: EOPNOTSUPP (Operation not supported): "
                                + e.extAckMessage()),
                ex.getMessage());

        ErrorMessage ack =
                assertInstanceOf(ErrorMessage.class, Vectors.decode("ack").get(0));
        assertTrue(ack.isAck());
        assertNull(ack.extAckMessage());
    }

    @Test
    void rejectsAHeaderClaimingMoreThanTheDatagram() {
        byte[] real = Vectors.load("ack");
        byte[] cut = Arrays.copyOf(real, real.length - 4);
        NetlinkDecodeException e = assertThrows(NetlinkDecodeException.class, () -> decode(cut));
        assertTrue(e.getMessage().contains("claims length"), e.getMessage());
    }

    @Test
    void rejectsAnAttributeRunningPastItsMessage() {
        LinkMessage m = LinkMessage.request(
                Rtm.RTM_NEWLINK,
                0,
                0,
                0,
                0,
                AttributeList.builder().string(Ifla.IFLA_IFNAME, "eth0").build());
        byte[] bytes = encode(List.of(m));
        bytes[16 + 16] = (byte) 200; // the attribute's length, far past the end
        NetlinkDecodeException e = assertThrows(NetlinkDecodeException.class, () -> decode(bytes));
        assertTrue(
                e.getMessage().contains("RTM_NEWLINK") && e.getMessage().contains("claims length 200"), e.getMessage());
    }

    @Test
    void rejectsAShortFixedHeader() {
        ByteBuf b = Unpooled.buffer();
        b.writeIntLE(20)
                .writeShortLE(Rtm.RTM_NEWADDR)
                .writeShortLE(0)
                .writeIntLE(0)
                .writeIntLE(0)
                .writeIntLE(0);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        NetlinkDecodeException e = assertThrows(NetlinkDecodeException.class, () -> decode(bytes));
        assertTrue(e.getMessage().contains("ifaddrmsg needs 8"), e.getMessage());
    }

    @Test
    void keepsUnknownMessageTypesRaw() {
        RawMessage raw = new RawMessage(99, 0, 7, 0, new byte[] {1, 2, 3, 4});
        List<NetlinkMessage> back = decode(encode(List.of(raw)));
        RawMessage r = assertInstanceOf(RawMessage.class, back.get(0));
        assertEquals(99, r.type());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, r.body());
    }
}
