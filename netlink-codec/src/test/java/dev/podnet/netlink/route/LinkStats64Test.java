package dev.podnet.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** {@code struct rtnl_link_stats64}: ten leading u64 counters, host (little-endian) order. */
class LinkStats64Test {
    /** Counter i (0-based) holds bytes (i+1)1, (i+1)2 ... (i+1)8 in memory order: every byte distinct. */
    private static final byte[] COUNTERS = HexFormat.of()
            .parseHex("1112131415161718" + "2122232425262728" + "3132333435363738" + "4142434445464748"
                    + "5152535455565758" + "6162636465666768" + "7172737475767778" + "8182838485868788"
                    + "9192939495969798" + "a1a2a3a4a5a6a7a8");

    private static final LinkStats64 EXPECTED = new LinkStats64(
            0x1817161514131211L,
            0x2827262524232221L,
            0x3837363534333231L,
            0x4847464544434241L,
            0x5857565554535251L,
            0x6867666564636261L,
            0x7877767574737271L,
            0x8887868584838281L,
            0x9897969594939291L,
            0xa8a7a6a5a4a3a2a1L);

    @Test
    void eachCounterIsItsOwnEightBytesLittleEndian() {
        LinkStats64 s = LinkStats64.decode(COUNTERS);
        assertEquals(EXPECTED, s);
        assertEquals(0x1817161514131211L, s.rxPackets());
        assertEquals(0x2827262524232221L, s.txPackets());
        assertEquals(0x3837363534333231L, s.rxBytes());
        assertEquals(0x4847464544434241L, s.txBytes());
        assertEquals(0x5857565554535251L, s.rxErrors());
        assertEquals(0x6867666564636261L, s.txErrors());
        assertEquals(0x7877767574737271L, s.rxDropped());
        assertEquals(0x8887868584838281L, s.txDropped());
        assertEquals(0x9897969594939291L, s.multicast());
        assertEquals(0xa8a7a6a5a4a3a2a1L, s.collisions());
    }

    @Test
    void smallCountersAsTheKernelWritesThem() {
        byte[] b = new byte[80];
        b[0] = 1; // rx_packets 1
        b[8] = 4; // tx_packets 4
        b[16] = 90; // rx_bytes 90
        b[24] = 0x54; // tx_bytes 340 = 0x154
        b[25] = 1;
        b[64] = 1; // multicast 1
        assertEquals(new LinkStats64(1, 4, 90, 340, 0, 0, 0, 0, 1, 0), LinkStats64.decode(b));
    }

    @Test
    void theKernelsLongerStructDecodesTheSame() {
        byte[] b = Arrays.copyOf(COUNTERS, 200); // rtnl_link_stats64 has grown past the ten counters read
        Arrays.fill(b, 80, 200, (byte) 0x5a);
        assertEquals(EXPECTED, LinkStats64.decode(b));
    }

    @Test
    void fewerThanEightyBytesAreNoStatistics() {
        assertNull(LinkStats64.decode(null));
        assertNull(LinkStats64.decode(Arrays.copyOf(COUNTERS, 79)));
        assertNull(LinkStats64.decode(new byte[0]));
    }
}
