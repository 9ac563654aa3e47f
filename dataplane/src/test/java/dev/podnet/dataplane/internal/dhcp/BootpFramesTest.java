package dev.podnet.dataplane.internal.dhcp;

import static dev.podnet.dataplane.internal.dhcp.DhcpMessageTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.link.MacAddress;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The test helper is checked too: a kernel test that fails should fail on the responder, not on it. */
class BootpFramesTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final MacAddress VM_MAC = MacAddress.parse("52:54:00:12:34:56");

    @Test
    void theChecksumMatchesAWorkedExample() {
        // the RFC 1071 sum over a common textbook header (192.168.0.1 -> 192.168.0.199, UDP), checksum zeroed
        byte[] header = HEX.parseHex("45000073000040004011" + "0000" + "c0a80001c0a800c7");

        assertEquals(0xb861, BootpFrames.ipv4Checksum(header, 0));
        header[10] = (byte) 0xb8;
        header[11] = 0x61;
        assertEquals(0, BootpFrames.ipv4Checksum(header, 0));
    }

    @Test
    void aClientFrameIsABroadcastFromPort68ToPort67() {
        DhcpMessage discover = BootpFrames.discover(VM_MAC, 7);

        byte[] frame = BootpFrames.clientFrame(VM_MAC, discover);

        assertEquals(14 + 20 + 8 + 300, frame.length);
        assertEquals("ffffffffffff" + "525400123456" + "0800", HEX.formatHex(frame, 0, 14));
        assertEquals("4500" + "0148", HEX.formatHex(frame, 14, 18)); // 328 bytes of IPv4 packet
        assertEquals("11", HEX.formatHex(frame, 23, 24));
        assertEquals("00000000" + "ffffffff", HEX.formatHex(frame, 26, 34));
        assertEquals(
                "0044" + "0043" + "0134" + "0000", HEX.formatHex(frame, 34, 42)); // 68 -> 67, 308 bytes, no checksum
        assertEquals(0, BootpFrames.ipv4Checksum(frame, 14));
        assertEquals(discover, DhcpMessage.parse(frame, 42, 300));
    }

    @Test
    void aFrameToPort68IsParsedWithItsAddressesAndPorts() {
        DhcpMessage discover = BootpFrames.discover(VM_MAC, 7);
        byte[] frame = BootpFrames.clientFrame(VM_MAC, discover);
        swapPorts(frame, 34);
        byte[] withVnetHeader = new byte[10 + frame.length];
        System.arraycopy(frame, 0, withVnetHeader, 10, frame.length);

        BootpFrames.ReceivedFrame received =
                BootpFrames.parse(withVnetHeader, 10, frame.length).orElseThrow();

        assertEquals(VM_MAC, received.sourceMac());
        assertEquals(MacAddress.parse("ff:ff:ff:ff:ff:ff"), received.destinationMac());
        assertEquals(ip("0.0.0.0"), received.source());
        assertEquals(ip("255.255.255.255"), received.destination());
        assertEquals(BootpFrames.SERVER_PORT, received.sourcePort());
        assertEquals(BootpFrames.CLIENT_PORT, received.destinationPort());
        assertTrue(received.ipv4ChecksumValid());
        assertEquals(discover, received.message());
    }

    @Test
    void aBadChecksumIsReported() {
        byte[] frame = BootpFrames.clientFrame(VM_MAC, BootpFrames.discover(VM_MAC, 7));
        swapPorts(frame, 34);
        frame[24] = (byte) (frame[24] ^ 0x01); // the checksum's high byte

        assertFalse(BootpFrames.parse(frame).orElseThrow().ipv4ChecksumValid());
    }

    @Test
    void otherFramesAreEmpty() {
        byte[] toServer = BootpFrames.clientFrame(VM_MAC, BootpFrames.discover(VM_MAC, 7));
        byte[] arp = HEX.parseHex("ffffffffffff" + "525400123456" + "0806" + "0001080006040001" + "00".repeat(32));
        byte[] truncated = new byte[30];

        assertEquals(Optional.empty(), BootpFrames.parse(toServer));
        assertEquals(Optional.empty(), BootpFrames.parse(arp));
        assertEquals(Optional.empty(), BootpFrames.parse(truncated));
    }

    private static void swapPorts(byte[] frame, int udp) {
        for (int i = 0; i < 2; i++) {
            byte b = frame[udp + i];
            frame[udp + i] = frame[udp + 2 + i];
            frame[udp + 2 + i] = b;
        }
    }
}
