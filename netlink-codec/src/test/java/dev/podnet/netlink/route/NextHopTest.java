package dev.podnet.netlink.route;

import static dev.podnet.netlink.Hex.bytes;
import static dev.podnet.netlink.Hex.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.podnet.netlink.NetlinkDecodeException;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code RTA_MULTIPATH} values written by hand: {@code struct rtnexthop} (u16 length, u8 flags,
 * u8 hops = weight - 1, s32 ifindex) then the hop's own attributes, each hop padded to 4 bytes.
 */
class NextHopTest {
    @Test
    void decodesEachHopAfterTheAlignedOneBefore() throws Exception {
        List<NextHop> hops = NextHop.decodeAll(bytes(
                "10 00 04 02 81 82 83 84 08 00 05 00 c6 12 00 07", // onlink, weight 3, ifindex 0x84838281, via
                // 198.18.0.7
                "0d 00 01 ff 01 00 00 00 05 00 63 00 7f 00 00 00", // 13 bytes (padded to 16): weight 256, no gateway
                "08 00 00 00 02 00 00 00")); // the last 8 bytes: a bare rtnexthop
        assertEquals(
                List.of(
                        new NextHop(4, 3, 0x84838281, InetAddress.getByName("198.18.0.7")),
                        new NextHop(1, 256, 1, null),
                        new NextHop(0, 1, 2, null)),
                hops);
    }

    @Test
    void aHopLongerThan255Bytes() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(bytes("10 01 00 00 05 00 00 00")); // 272 bytes, ifindex 5
        b.writeBytes(bytes("14 00 05 00 fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01")); // RTA_GATEWAY fd00::1
        b.writeBytes(bytes("f4 00 63 00")); // type 99, 240 bytes
        b.writeBytes(new byte[240]);
        assertEquals(
                List.of(new NextHop(0, 1, 5, InetAddress.getByName("fd00::1"))), NextHop.decodeAll(b.toByteArray()));
    }

    @Test
    void trailingBytesShorterThanAHopAreIgnored() {
        assertEquals(
                List.of(new NextHop(0, 1, 2, null)),
                NextHop.decodeAll(bytes("08 00 00 00 02 00 00 00 09 09 09 09 09 09 09")));
        assertEquals(List.of(), NextHop.decodeAll(new byte[0]));
    }

    @Test
    void aHopShorterThanItsHeaderIsRefused() {
        NetlinkDecodeException e =
                assertThrows(NetlinkDecodeException.class, () -> NextHop.decodeAll(bytes("07 00 00 00 01 00 00 00")));
        assertEquals("rtnexthop at offset 0 claims length 7 of 8", e.getMessage());
    }

    @Test
    void aHopRunningPastTheEndIsRefused() {
        NetlinkDecodeException e = assertThrows(
                NetlinkDecodeException.class,
                () -> NextHop.decodeAll(
                        bytes("10 00 00 00 01 00 00 00 08 00 05 00 c6 12 00 07", "20 00 00 00 01 00 00 00")));
        assertEquals("rtnexthop at offset 16 claims length 32 of 8", e.getMessage());
    }

    @Test
    void encodesAsTheKernelLaysThemOut() throws Exception {
        List<NextHop> hops = List.of(
                new NextHop(4, 3, 0x84838281, InetAddress.getByName("198.18.0.7")),
                new NextHop(0, 256, 2, null),
                new NextHop(1, 1, 7, InetAddress.getByName("fd00::1")));
        byte[] encoded = NextHop.encodeAll(hops);
        assertEquals(
                hex(
                        "10 00 04 02 81 82 83 84 08 00 05 00 c6 12 00 07",
                        "08 00 00 ff 02 00 00 00",
                        "1c 00 01 00 07 00 00 00 14 00 05 00 fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01"),
                HexFormat.of().formatHex(encoded));
        assertEquals(hops, NextHop.decodeAll(encoded));
        assertEquals(0, NextHop.encodeAll(List.of()).length);
    }

    @Test
    void theWeightIsOneTo256() {
        assertEquals(1, new NextHop(0, 1, 1, null).weight());
        assertEquals(256, new NextHop(0, 256, 1, null).weight());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new NextHop(0, 0, 1, null));
        assertEquals("next-hop weight 0 is outside 1..256", zero.getMessage());
        IllegalArgumentException over =
                assertThrows(IllegalArgumentException.class, () -> new NextHop(0, 257, 1, null));
        assertEquals("next-hop weight 257 is outside 1..256", over.getMessage());
    }
}
