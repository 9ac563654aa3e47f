package dev.podnet.netlink.attr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AttributeListTest {
    @Test
    void encodesWithKernelAlignmentAndNestedFlag() {
        AttributeList a = AttributeList.builder()
                .string(3, "eth0") // 4 + 5 -> 9, padded to 12
                .u8(8, 1) // 4 + 1 -> 5, padded to 8
                .nested(18, n -> n.string(1, "veth"))
                .build();
        byte[] b = a.toByteArray();
        assertEquals(12 + 8 + 4 + 12, b.length);
        assertEquals(9, b[0]);
        assertEquals('e', b[4]);
        assertEquals(0, b[8]);
        assertEquals(16, b[20] & 0xff, "nested length covers its children");
        assertEquals(0x80, b[23] & 0xff, "NLA_F_NESTED set");
        assertEquals("veth", a.nested(18).string(1), "lookups ignore the flag bits");
        assertEquals(1, a.u8(8, -1));
        assertEquals(3, a.size());
    }

    @Test
    void valuesRoundTrip() throws Exception {
        AttributeList a = AttributeList.builder()
                .u16(1, 0xbeef)
                .u32(2, -5)
                .u64(3, Long.MIN_VALUE + 7)
                .address(4, InetAddress.getByName("198.18.3.4"))
                .flag(5)
                .bytes(6, new byte[] {9, 8, 7})
                .build();
        AttributeList back = AttributeList.wrap(a.toByteArray(), 0, a.encodedLength());
        assertEquals(0xbeef, back.u16(1, 0));
        assertEquals(-5, back.u32(2, 0));
        assertEquals(Long.MIN_VALUE + 7, back.u64(3, 0));
        assertEquals("198.18.3.4", back.address(4).getHostAddress());
        assertTrue(back.has(5));
        assertArrayEquals(new byte[] {9, 8, 7}, back.bytes(6));
        assertFalse(back.has(77));
        assertNull(back.string(77));
        assertEquals(-1, back.u32(77, -1));
        assertEquals(a, back);
    }

    @Test
    void unknownAttributesSurviveUntouched() {
        AttributeList a = AttributeList.builder()
                .u32(4, 1500)
                .bytes(0x3fff, new byte[] {1, 2, 3, 4, 5})
                .build();
        AttributeList copy = AttributeList.builder().all(a).build();
        assertArrayEquals(a.toByteArray(), copy.toByteArray());
    }

    @Test
    void refusesMalformedInput() {
        byte[] bad = {8, 0, 1, 0, 1, 2, 3, 4, (byte) 0xff, 0, 2, 0};
        AttributeFormatException e =
                assertThrows(AttributeFormatException.class, () -> AttributeList.wrap(bad, 0, bad.length));
        assertTrue(e.getMessage().contains("claims length 255"), e.getMessage());
        byte[] tooShort = {2, 0, 1, 0};
        assertThrows(AttributeFormatException.class, () -> AttributeList.wrap(tooShort, 0, tooShort.length));
    }
}
