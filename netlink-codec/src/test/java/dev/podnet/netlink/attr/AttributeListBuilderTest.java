package dev.podnet.netlink.attr;

import static dev.podnet.netlink.Hex.bytes;
import static dev.podnet.netlink.Hex.hex;
import static dev.podnet.netlink.Hex.hexOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The exact bytes {@link AttributeList.Builder} lays out: lengths, little-endian values, padding, nesting. */
class AttributeListBuilderTest {
    /** One attribute of 7 bytes, kept unaligned: copied with {@code all} it leaves the builder off a 4-byte boundary. */
    private static final AttributeList SEVEN = AttributeList.wrap(bytes("07 00 01 00 61 62 00"), 0, 7);

    @Test
    void everyValueKind() throws Exception {
        AttributeList a = AttributeList.builder()
                .u8(1, 0xf1)
                .u16(2, 0xf2e1)
                .u32(3, 0x84838281)
                .u64(4, 0x8807060584030201L)
                .string(5, "v0")
                .bytes(6, bytes("02 00 00 00 00 01"))
                .address(7, InetAddress.getByName("198.18.0.1"))
                .flag(8)
                .build();
        assertEquals(
                hex(
                        "05 00 01 00 f1 00 00 00",
                        "06 00 02 00 e1 f2 00 00",
                        "08 00 03 00 81 82 83 84",
                        "0c 00 04 00 01 02 03 84 05 06 07 88",
                        "07 00 05 00 76 30 00 00",
                        "0a 00 06 00 02 00 00 00 00 01 00 00",
                        "08 00 07 00 c6 12 00 01",
                        "04 00 08 00"),
                hexOf(a));
        assertEquals(68, a.encodedLength(), "past the builder's first 64 bytes");
    }

    @Test
    void utf8StringsAndIpv6Addresses() throws Exception {
        AttributeList a = AttributeList.builder()
                .string(1, "\u00e9")
                .address(2, InetAddress.getByName("fd00::9"))
                .build();
        assertEquals(
                hex("07 00 01 00 c3 a9 00 00", "14 00 02 00 fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 09"),
                hexOf(a));
    }

    @Test
    void allCopiesEncodedAttributesAsTheyAre() {
        assertEquals("07000100616200", hexOf(AttributeList.builder().all(SEVEN).build()));
        assertEquals(7, AttributeList.builder().all(SEVEN).build().encodedLength());
        assertSame(
                AttributeList.EMPTY,
                AttributeList.builder().all(AttributeList.EMPTY).build());
    }

    @Test
    void aNestIsPaddedAfterItsLastChild() {
        AttributeList a =
                AttributeList.builder().nested(18, n -> n.all(SEVEN)).u8(2, 1).build();
        assertEquals(
                hex(
                        "0b 00 12 80 07 00 01 00 61 62 00 00", // 11 bytes, NLA_F_NESTED, padded to 12
                        "05 00 02 00 01 00 00 00"),
                hexOf(a));
        assertEquals(
                "0400058004000600",
                hexOf(AttributeList.builder().nested(5, n -> {}).flag(6).build()));
    }

    @Test
    void aNestWithAFixedHeaderPadsTheHeaderAndTheNest() {
        AttributeList a = AttributeList.builder()
                .nestedWithHeader(1, bytes("01 02 03 04 05"), b -> b.u32(2, 7))
                .nestedWithHeader(9, bytes("aa"), b -> b.all(SEVEN))
                .flag(3)
                .build();
        assertEquals(
                hex(
                        "14 00 01 80 01 02 03 04 05 00 00 00 08 00 02 00 07 00 00 00", // 5-byte struct, padded, then 2
                        "0f 00 09 80 aa 00 00 00 07 00 01 00 61 62 00 00", // 1-byte struct, then 7 bytes; padded
                        "04 00 03 00"),
                hexOf(a));
    }

    @Test
    void theBufferGrowsForLargeValues() {
        byte[] big = new byte[300];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7 + 1);
        }
        AttributeList a = AttributeList.builder().bytes(1, big).u32(2, 5).build();
        assertEquals(312, a.encodedLength());
        assertArrayEquals(big, a.bytes(1));
        assertEquals(5, a.u32(2, -1));

        AttributeList copy = AttributeList.builder().all(a).build();
        assertEquals(a, copy);

        byte[] struct = new byte[100];
        struct[99] = 0x42;
        AttributeList nest =
                AttributeList.builder().nestedWithHeader(1, struct, b -> {}).build();
        assertEquals(104, nest.encodedLength());
        assertEquals(0x42, nest.toByteArray()[103]);
    }

    @Test
    void anAttributeHoldsAtMost65535Bytes() {
        AttributeList max =
                AttributeList.builder().bytes(7, new byte[0xffff - 4]).build();
        assertEquals(0xffff, (max.toByteArray()[0] & 0xff) | (max.toByteArray()[1] & 0xff) << 8);
        assertEquals(0x10000, max.encodedLength(), "padded to 4");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> AttributeList.builder().bytes(7, new byte[0xffff - 3]));
        assertEquals("attribute 7 too long: 65536 bytes", e.getMessage());
    }

    @Test
    void nothingBuiltIsTheEmptyList() {
        assertSame(AttributeList.EMPTY, AttributeList.builder().build());
    }
}
