package dev.podnet.dataplane.internal.dhcp;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.ipam.Cidr;
import java.net.Inet4Address;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DhcpMessageTest {
    private static final HexFormat HEX = HexFormat.of();

    /** A DHCPDISCOVER as a client puts it on the wire, written out field by field. */
    private static final String DISCOVER_HEX = ""
            + "01" + "01" + "06" + "00" // op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
            + "3903f326" // xid
            + "0000" + "0000" // secs, flags
            + "00000000" + "00000000" // ciaddr, yiaddr
            + "00000000" + "00000000" // siaddr, giaddr
            + "525400123456" + "00".repeat(10) // chaddr: the MAC, zero-padded to 16
            + "00".repeat(64) // sname
            + "00".repeat(128) // file
            + "63825363" // magic cookie 99.130.83.99
            + "35" + "01" + "01" // 53 message type: DHCPDISCOVER
            + "3d" + "07" + "01" + "525400123456" // 61 client identifier: htype 1 + MAC
            + "32" + "04" + "c0a80164" // 50 requested address 192.168.1.100
            + "0c" + "03" + "766d31" // 12 host name "vm1"
            + "37" + "07" + "0103060f1a7779" // 55 parameter request list 1 3 6 15 26 119 121
            + "ff" // end
            + "00".repeat(27); // pad to 300 bytes

    @Test
    void parsesADiscoverAsAClientSendsIt() {
        byte[] wire = HEX.parseHex(DISCOVER_HEX);
        assertEquals(300, wire.length);

        DhcpMessage m = DhcpMessage.parse(wire);

        assertEquals(DhcpMessage.BOOTREQUEST, m.op());
        assertEquals(DhcpMessage.HTYPE_ETHERNET, m.htype());
        assertEquals(6, m.hlen());
        assertEquals(0, m.hops());
        assertEquals(0x3903f326, m.xid());
        assertEquals(0, m.secs());
        assertEquals(0, m.flags());
        assertEquals(ip("0.0.0.0"), m.ciaddr());
        assertEquals(ip("0.0.0.0"), m.giaddr());
        assertArrayEquals(HEX.parseHex("525400123456" + "00".repeat(10)), m.chaddr());
        assertEquals(Optional.of(DhcpMessageType.DHCPDISCOVER), m.messageType());
        assertEquals(Optional.of(ip("192.168.1.100")), m.requestedAddress());
        assertEquals(Optional.empty(), m.serverId());
        assertEquals(List.of(53, 61, 50, 12, 55), List.copyOf(m.options().keySet()));
        assertArrayEquals(
                "vm1".getBytes(US_ASCII), m.option(DhcpOptions.HOST_NAME).orElseThrow());
        assertArrayEquals(
                new byte[] {1, 3, 6, 15, 26, 119, 121},
                m.option(DhcpOptions.DHCP_PARAMETER_REQUEST_LIST).orElseThrow());
        // same fields, same option order, same padding: the same bytes
        assertArrayEquals(wire, m.encode());
    }

    @Test
    void encodesAndParsesBackEveryField() {
        byte[] longValue = new byte[300];
        for (int i = 0; i < longValue.length; i++) {
            longValue[i] = (byte) i;
        }
        DhcpMessage m = DhcpMessage.builder()
                .op(DhcpMessage.BOOTREPLY)
                .htype(1)
                .hlen(6)
                .hops(1)
                .xid(0xdeadbeef)
                .secs(65535)
                .flags(DhcpMessage.BROADCAST_FLAG)
                .ciaddr(ip("10.0.0.1"))
                .yiaddr(ip("10.0.0.2"))
                .siaddr(ip("10.0.0.3"))
                .giaddr(ip("10.0.0.4"))
                .chaddr(HEX.parseHex("020000000001"))
                .sname("server".getBytes(US_ASCII))
                .file("boot".getBytes(US_ASCII))
                .option(DhcpOptions.DHCP_MESSAGE_TYPE, new byte[] {2})
                .option(DhcpOptions.CLASSLESS_STATIC_ROUTE, longValue)
                .option(250, new byte[0])
                .build();

        byte[] wire = m.encode();
        DhcpMessage back = DhcpMessage.parse(wire);

        assertEquals(m.encodedLength(), wire.length);
        assertEquals(240 + 3 + (2 + 255 + 2 + 45) + 2 + 1, wire.length);
        assertEquals(m, back);
        assertEquals(m.hashCode(), back.hashCode());
        assertArrayEquals(wire, back.encode());
        assertEquals(0xdeadbeef, back.xid());
        assertEquals(65535, back.secs());
        assertEquals(ip("10.0.0.3"), back.siaddr());
        assertArrayEquals(
                longValue, back.option(DhcpOptions.CLASSLESS_STATIC_ROUTE).orElseThrow());
        // RFC 3396: the 300-byte value went out as two instances of 121, 255 then 45 bytes
        int first = 240 + 3;
        assertEquals(121, wire[first] & 0xff);
        assertEquals(255, wire[first + 1] & 0xff);
        assertEquals(121, wire[first + 2 + 255] & 0xff);
        assertEquals(45, wire[first + 2 + 255 + 1] & 0xff);
        assertEquals(DhcpOptions.END, wire[wire.length - 1] & 0xff);
    }

    @Test
    void aShortMessageIsPaddedTo300BytesAfterTheEnd() {
        byte[] wire = DhcpMessage.builder()
                .op(1)
                .option(DhcpOptions.DHCP_MESSAGE_TYPE, new byte[] {1})
                .build()
                .encode();

        assertEquals(DhcpMessage.MIN_ENCODED_LENGTH, wire.length);
        assertEquals("63825363" + "350101" + "ff" + "00", HEX.formatHex(wire, 236, 245));
    }

    @Test
    void repeatedOptionsAreOneValueInOrder() {
        DhcpMessage m = DhcpMessage.parse(message("0c026162" + "350101" + "0c0163" + "ff"));

        assertEquals(List.of(12, 53), List.copyOf(m.options().keySet()));
        assertArrayEquals("abc".getBytes(US_ASCII), m.option(12).orElseThrow());
    }

    @Test
    void parsesFromAnOffsetInALargerBuffer() {
        byte[] wire = HEX.parseHex(DISCOVER_HEX);
        byte[] larger = new byte[wire.length + 20];
        System.arraycopy(wire, 0, larger, 14, wire.length);
        larger[13] = (byte) 0xee; // a byte before the message must not be read

        assertEquals(DhcpMessage.parse(wire), DhcpMessage.parse(larger, 14, wire.length));
    }

    @Test
    void aTruncatedHeaderIsAFormatError() {
        DhcpFormatException e = assertThrows(DhcpFormatException.class, () -> DhcpMessage.parse(new byte[235]));
        assertTrue(e.getMessage().contains("shorter than the 236-byte BOOTP header"), e.getMessage());
    }

    @Test
    void aMissingCookieIsAFormatError() {
        DhcpFormatException e = assertThrows(DhcpFormatException.class, () -> DhcpMessage.parse(new byte[238]));
        assertTrue(e.getMessage().contains("ends before its magic cookie"), e.getMessage());
    }

    @Test
    void aBadCookieIsAFormatError() {
        byte[] wire = message("350101ff");
        wire[239] = 0x64;

        DhcpFormatException e = assertThrows(DhcpFormatException.class, () -> DhcpMessage.parse(wire));
        assertTrue(e.getMessage().contains("bad magic cookie 0x63825364"), e.getMessage());
    }

    @Test
    void anOptionRunningPastTheEndIsAFormatError() {
        DhcpFormatException e = assertThrows(DhcpFormatException.class, () -> DhcpMessage.parse(message("35050101")));
        assertTrue(e.getMessage().contains("option 53 at byte 240 claims 5 bytes, only 2 remain"), e.getMessage());
    }

    @Test
    void anOptionWithoutItsLengthByteIsAFormatError() {
        DhcpFormatException e =
                assertThrows(DhcpFormatException.class, () -> DhcpMessage.parse(message("350101" + "0c")));
        assertTrue(e.getMessage().contains("option 12 at byte 243 has no length byte"), e.getMessage());
    }

    @Test
    void aMissingEndOptionIsToleratedWhenTheLastOptionIsWhole() {
        assertEquals(
                Optional.of(DhcpMessageType.DHCPDISCOVER),
                DhcpMessage.parse(message("350101")).messageType());
        assertTrue(DhcpMessage.parse(message("0000")).options().isEmpty());
        assertTrue(DhcpMessage.parse(message("")).options().isEmpty());
    }

    @Test
    void anOptionOfTheWrongLengthIsAFormatErrorWhenRead() {
        DhcpMessage m = DhcpMessage.parse(message("35020101" + "3203c0a801" + "ff"));

        DhcpFormatException type = assertThrows(DhcpFormatException.class, m::messageType);
        assertTrue(type.getMessage().contains("option 53"), type.getMessage());
        DhcpFormatException requested = assertThrows(DhcpFormatException.class, m::requestedAddress);
        assertTrue(requested.getMessage().contains("option 50"), requested.getMessage());
    }

    @Test
    void anUnknownMessageTypeIsEmpty() {
        assertEquals(Optional.empty(), DhcpMessage.parse(message("350163ff")).messageType());
    }

    @Test
    void theBuilderRefusesWhatCannotBeEncoded() {
        DhcpMessageBuilder b = DhcpMessage.builder();

        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.option(0, new byte[1]))
                .getMessage()
                .contains("option code 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.option(255, new byte[1]))
                .getMessage()
                .contains("option code 255"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.chaddr(new byte[17]))
                .getMessage()
                .contains("chaddr"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.op(256))
                .getMessage()
                .contains("op"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.secs(-1))
                .getMessage()
                .contains("secs"));
    }

    @Test
    void accessorsHandOutCopies() {
        DhcpMessage m = DhcpMessage.parse(HEX.parseHex(DISCOVER_HEX));

        m.chaddr()[0] = 0;
        m.option(DhcpOptions.HOST_NAME).orElseThrow()[0] = 0;
        m.options().get(DhcpOptions.HOST_NAME)[1] = 0;

        assertEquals(0x52, m.chaddr()[0]);
        assertArrayEquals(
                "vm1".getBytes(US_ASCII), m.option(DhcpOptions.HOST_NAME).orElseThrow());
    }

    /** A BOOTREQUEST header, all zero but op/htype/hlen, the cookie, then {@code optionsHex}. */
    private static byte[] message(String optionsHex) {
        return HEX.parseHex("01010600" + "00".repeat(HEADER_REST) + "63825363" + optionsHex);
    }

    private static final int HEADER_REST = DhcpMessage.HEADER_LENGTH - 4;

    static Inet4Address ip(String literal) {
        return (Inet4Address) Cidr.parseAddress(literal, "test address");
    }
}
