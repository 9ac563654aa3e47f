package dev.podnet.netlink.attr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Lookups over attribute bytes written by hand ({@code struct nlattr}: u16 length, u16 type, value, padding). */
class AttributeListUnitTest {
    private static byte[] hex(String... parts) {
        return HexFormat.of().parseHex(String.join("", parts).replace(" ", ""));
    }

    /** Two bytes before the list, so that every offset is counted from the list's own start. */
    private static final byte[] DATA = hex(
            "ee ee",
            "08 00 01 00 81 82 83 84", // 1: u32 0x84838281
            "05 00 02 00 f1 00 00 00", // 2: u8 0xf1, padded
            "06 00 03 00 e1 f2 00 00", // 3: u16 0xf2e1, padded
            "0c 00 04 00 01 02 03 84 05 06 07 88", // 4: u64 0x8807060584030201
            "08 00 05 00 61 62 63 64", // 5: "abcd", no NUL: the next attribute follows at once
            "07 00 06 80 78 79 00 00", // 6, NLA_F_NESTED set: "xy"
            "04 00 07 40"); // 7, NLA_F_NET_BYTEORDER set: a flag, the last four bytes

    private static final int LENGTH = 56;

    private static AttributeList list() {
        return AttributeList.wrap(DATA, 2, LENGTH);
    }

    @Test
    void valuesAreReadLittleEndianAndUnsigned() {
        AttributeList a = list();
        assertEquals(0x84838281, a.u32(1, -1));
        assertEquals(0xf1, a.u8(2, -1));
        assertEquals(0xf2e1, a.u16(3, -1));
        assertEquals(0x8807060584030201L, a.u64(4, -1));
        assertEquals("abcd", a.string(5), "a value without NUL ends where the attribute does");
        assertEquals("xy", a.string(6), "flag bits are ignored in lookups");
        assertTrue(a.has(7), "the last attribute, a bare header, is found");
        assertArrayEquals(new byte[0], a.bytes(7));
        assertArrayEquals(hex("01 02 03 84 05 06 07 88"), a.bytes(4));
    }

    @Test
    void aValueTooShortForTheTypeIsAbsent() {
        AttributeList a = list();
        assertEquals(-1, a.u8(7, -1), "no byte");
        assertEquals(-1, a.u16(2, -1), "one byte");
        assertEquals(-1, a.u32(3, -1), "two bytes");
        assertEquals(-9L, a.u64(1, -9L), "four bytes");
        assertEquals(-9L, a.u64(99, -9L), "absent");
        assertEquals(-1, a.u32(99, -1));
        assertNull(a.bytes(99));
        assertNull(a.string(99));
        assertFalse(a.has(99));
        assertFalse(a.has(0x3007), "only the flag bits are masked");
    }

    @Test
    void sizeTypesAndLength() {
        AttributeList a = list();
        assertEquals(7, a.size());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 0x8006, 0x4007}, a.types());
        assertEquals(LENGTH, a.encodedLength());
        assertFalse(a.isEmpty());
        assertTrue(AttributeList.EMPTY.isEmpty());
        assertEquals(0, AttributeList.EMPTY.size());
        assertArrayEquals(new int[0], AttributeList.EMPTY.types());
    }

    @Test
    void toStringNamesTypesAndValueLengths() {
        AttributeList a = list();
        assertEquals("[1(4B), 2(1B), 3(2B), 4(8B), 5(4B), 6(3B), 7(0B)]", a.toString());
        assertEquals(
                "[1(4B), 2(1B), 3(2B), 4(8B), 5(4B), SIX(3B), SEVEN(0B)]",
                a.toString(t -> t == 6 ? "SIX" : t == 7 ? "SEVEN" : null));
        assertEquals("[]", AttributeList.EMPTY.toString());
    }

    @Test
    void theBytesAreTheListsOnly() {
        AttributeList a = list();
        byte[] own = a.toByteArray();
        assertEquals(LENGTH, own.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(DATA, 2, 2 + LENGTH), own);
        ByteBuf out = Unpooled.buffer();
        out.writeByte(0x55);
        a.writeTo(out);
        assertEquals("55" + HexFormat.of().formatHex(own), ByteBufUtil.hexDump(out));
        out.release();
    }

    @Test
    void equalityAndHashAreOverTheBytes() {
        AttributeList a = list();
        AttributeList same = AttributeList.wrap(a.toByteArray(), 0, LENGTH);
        assertEquals(same, a);
        assertEquals(a, same);
        assertEquals(java.util.Arrays.hashCode(a.toByteArray()), a.hashCode());
        assertEquals(same.hashCode(), a.hashCode());
        assertNotEquals(a, AttributeList.wrap(DATA, 2, 8));
        assertNotEquals(AttributeList.wrap(DATA, 2, 8), AttributeList.wrap(DATA, 10, 8));
        assertFalse(a.equals("[1(4B)]"));
        assertFalse(a.equals(null));

        AttributeList flag = AttributeList.wrap(hex("ee 04 00 07 00"), 1, 4);
        assertEquals(1042902, flag.hashCode());
        assertEquals(-725153062, AttributeList.wrap(DATA, 2, 8).hashCode());
        assertEquals(1, AttributeList.EMPTY.hashCode());
    }

    @Test
    void theFirstAttributeOfAListAtOffsetZeroIsFound() {
        AttributeList a = AttributeList.wrap(hex("08 00 01 00 0a 00 00 01", "04 00 02 00"), 0, 12);
        assertTrue(a.has(1));
        assertEquals(0x0100000a, a.u32(1, -1));
        assertArrayEquals(hex("0a 00 00 01"), a.bytes(1));
        assertEquals("10.0.0.1", a.address(1).getHostAddress());
        assertTrue(a.has(2));
        assertEquals(2, a.size());
    }

    @Test
    void stringsEndAtTheirNul() {
        AttributeList a = AttributeList.wrap(hex("09 00 01 00 61 62 00 63 64 00 00 00", "04 00 02 00"), 0, 16);
        assertEquals("ab", a.string(1));
        assertEquals("", a.string(2), "an empty value");
    }

    @Test
    void addressesAreFourOrSixteenBytes() {
        AttributeList a = AttributeList.wrap(
                hex(
                        "08 00 01 00 c6 12 00 01",
                        "14 00 02 00 fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 09",
                        "0a 00 03 00 02 00 00 00 00 01 00 00"),
                0,
                40);
        assertEquals("198.18.0.1", a.address(1).getHostAddress());
        assertEquals("fd00:0:0:0:0:0:0:9", a.address(2).getHostAddress());
        assertNull(a.address(3), "six bytes are no IP address");
        assertNull(a.address(4));
    }

    @Test
    void nestedListsAreViewsAndValidated() {
        AttributeList a = AttributeList.wrap(
                hex(
                        "10 00 12 80 08 00 01 00 76 65 74 68 04 00 02 00", // 18 (nested) { 1: "veth", 2: flag }
                        "0c 00 13 00 ff 00 01 00 01 02 03 04"),
                0,
                28); // 19 { an attribute claiming 255 bytes }
        AttributeList inner = a.nested(18);
        assertEquals(2, inner.size());
        assertEquals("veth", inner.string(1));
        assertEquals(hex("08 00 01 00 76 65 74 68 04 00 02 00").length, inner.encodedLength());
        assertSame(AttributeList.EMPTY, a.nested(7));
        AttributeFormatException e =
                assertThrows(AttributeFormatException.class, () -> a.nested(19).size());
        assertEquals("attribute type 1 at offset 0 claims length 255 but 8 bytes remain", e.getMessage());
    }

    @Test
    void trailingBytesShorterThanAHeaderAreTolerated() {
        AttributeList a = AttributeList.wrap(hex("08 00 01 00 01 02 03 04 09 09 09"), 0, 11);
        assertEquals(1, a.size());
        assertEquals(0x04030201, a.u32(1, -1));
    }

    @Test
    void theFormatErrorSaysWhereFromTheListsStart() {
        byte[] bad = hex("ee ee ee ee", "08 00 01 00 01 02 03 04", "ff 00 02 80");
        AttributeFormatException e = assertThrows(AttributeFormatException.class, () -> AttributeList.wrap(bad, 4, 12));
        assertEquals("attribute type 2 at offset 8 claims length 255 but 4 bytes remain", e.getMessage());
        byte[] shortHeader = hex("03 00 05 00");
        e = assertThrows(AttributeFormatException.class, () -> AttributeList.wrap(shortHeader, 0, 4));
        assertEquals("attribute type 5 at offset 0 claims length 3 but 4 bytes remain", e.getMessage());
    }

    @Test
    void readTakesBytesFromABuffer() {
        ByteBuf in = Unpooled.wrappedBuffer(hex("08 00 01 00 05 00 00 00 77"));
        assertSame(AttributeList.EMPTY, AttributeList.read(in, 0));
        assertEquals(0, in.readerIndex());
        AttributeList a = AttributeList.read(in, 8);
        assertEquals(8, in.readerIndex());
        assertEquals(5, a.u32(1, -1));
        in.release();
    }
}
