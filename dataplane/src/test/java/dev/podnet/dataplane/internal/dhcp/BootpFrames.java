package dev.podnet.dataplane.internal.dhcp;

import dev.podnet.dataplane.link.MacAddress;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * A DHCP client's side of the wire, for tests: client messages, and whole Ethernet frames as a VM
 * writes them into its tap and reads them back.
 *
 * <p>Frames are plain Ethernet II. A tap opened with {@code IFF_VNET_HDR} (as
 * {@code TapDevices.createPersistentTap} makes them) puts a {@code struct virtio_net_hdr} in front of
 * every frame, 10 bytes by default ({@code TUNSETVNETHDRSZ} changes it): write that many zero bytes
 * first, and parse from that offset.
 */
public final class BootpFrames {
    /** The DHCP client's UDP port ({@code bootpc}). */
    public static final int CLIENT_PORT = 68;
    /** The DHCP server's UDP port ({@code bootps}). */
    public static final int SERVER_PORT = 67;
    /** What {@link #request} asks for: mask, router, DNS, domain, MTU, search, classless routes. */
    public static final byte[] PARAMETER_REQUEST_LIST = {1, 3, 6, 15, 26, 119, 121};

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int IPPROTO_UDP = 17;
    private static final int ETHER_HEADER = 14;
    private static final int IPV4_HEADER = 20;
    private static final int UDP_HEADER = 8;

    private BootpFrames() {}

    /**
     * A frame received, as far as a test looks at it.
     *
     * @param sourceMac          Ethernet source
     * @param destinationMac     Ethernet destination
     * @param source             IPv4 source address
     * @param destination        IPv4 destination address
     * @param sourcePort         UDP source port
     * @param destinationPort    UDP destination port
     * @param ipv4ChecksumValid  whether the IPv4 header checksum is right (a VM drops the frame otherwise)
     * @param message            the DHCP message in the UDP payload
     */
    public record ReceivedFrame(
            MacAddress sourceMac,
            MacAddress destinationMac,
            Inet4Address source,
            Inet4Address destination,
            int sourcePort,
            int destinationPort,
            boolean ipv4ChecksumValid,
            DhcpMessage message) {}

    /** A client message of {@code type} from {@code mac}, to finish with more fields and options. */
    public static DhcpMessageBuilder clientMessage(MacAddress mac, int xid, DhcpMessageType type) {
        return DhcpMessage.builder()
                .op(DhcpMessage.BOOTREQUEST)
                .htype(DhcpMessage.HTYPE_ETHERNET)
                .hlen(6)
                .xid(xid)
                .chaddr(mac.bytes())
                .option(DhcpOptions.DHCP_MESSAGE_TYPE, new byte[] {(byte) type.code()});
    }

    /** A DHCPDISCOVER as a client in INIT sends it, with the {@link #PARAMETER_REQUEST_LIST}. */
    public static DhcpMessage discover(MacAddress mac, int xid) {
        return clientMessage(mac, xid, DhcpMessageType.DHCPDISCOVER)
                .option(DhcpOptions.DHCP_PARAMETER_REQUEST_LIST, PARAMETER_REQUEST_LIST)
                .build();
    }

    /**
     * A DHCPREQUEST in SELECTING state: taking {@code serverId}'s offer of {@code requested}
     * (options 50 and 54), with the {@link #PARAMETER_REQUEST_LIST}.
     */
    public static DhcpMessage request(MacAddress mac, int xid, Inet4Address requested, Inet4Address serverId) {
        return clientMessage(mac, xid, DhcpMessageType.DHCPREQUEST)
                .option(DhcpOptions.DHCP_REQUESTED_ADDRESS, requested.getAddress())
                .option(DhcpOptions.DHCP_SERVER_IDENTIFIER, serverId.getAddress())
                .option(DhcpOptions.DHCP_PARAMETER_REQUEST_LIST, PARAMETER_REQUEST_LIST)
                .build();
    }

    /**
     * {@code message} in a frame from {@code sourceMac}, 0.0.0.0:68 to ff:ff:ff:ff:ff:ff,
     * 255.255.255.255:67, as a client without an address sends it. The UDP checksum is 0 ("none",
     * allowed over IPv4) so that a mistake here cannot make the kernel drop the datagram.
     */
    public static byte[] clientFrame(MacAddress sourceMac, DhcpMessage message) {
        byte[] payload = message.encode();
        int ipLength = IPV4_HEADER + UDP_HEADER + payload.length;
        ByteBuffer f = ByteBuffer.allocate(ETHER_HEADER + ipLength);
        byte[] broadcastMac = new byte[6];
        Arrays.fill(broadcastMac, (byte) 0xff);
        f.put(broadcastMac).put(sourceMac.bytes()).putShort((short) ETHERTYPE_IPV4);
        f.put((byte) 0x45) // version 4, 5 words of header
                .put((byte) 0) // DSCP/ECN
                .putShort((short) ipLength)
                .putShort((short) 0) // identification
                .putShort((short) 0) // flags, fragment offset
                .put((byte) 64) // TTL
                .put((byte) IPPROTO_UDP)
                .putShort((short) 0) // checksum, filled in below
                .putInt(0) // 0.0.0.0
                .putInt(-1); // 255.255.255.255
        f.putShort((short) CLIENT_PORT)
                .putShort((short) SERVER_PORT)
                .putShort((short) (UDP_HEADER + payload.length))
                .putShort((short) 0)
                .put(payload);
        byte[] frame = f.array();
        int checksum = ipv4Checksum(frame, ETHER_HEADER);
        frame[ETHER_HEADER + 10] = (byte) (checksum >>> 8);
        frame[ETHER_HEADER + 11] = (byte) checksum;
        return frame;
    }

    /** {@link #parse(byte[], int, int)} of a whole array. */
    public static Optional<ReceivedFrame> parse(byte[] frame) {
        return parse(frame, 0, frame.length);
    }

    /**
     * The DHCP message in {@code frame[offset, offset + length)} if the frame is IPv4/UDP to port 68,
     * unfragmented; empty for anything else (ARP, IPv6, another port, a truncated header). The IPv4
     * total length bounds the packet, so Ethernet padding is ignored.
     *
     * @throws DhcpFormatException when the UDP payload is not a well-formed DHCP message
     */
    public static Optional<ReceivedFrame> parse(byte[] frame, int offset, int length) {
        if (length < ETHER_HEADER + IPV4_HEADER + UDP_HEADER) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(frame, offset, length).slice();
        if ((b.getShort(12) & 0xffff) != ETHERTYPE_IPV4) {
            return Optional.empty();
        }
        int ip = ETHER_HEADER;
        int versionIhl = b.get(ip) & 0xff;
        int ihl = (versionIhl & 0x0f) * 4;
        int totalLength = b.getShort(ip + 2) & 0xffff;
        boolean fragment = (b.getShort(ip + 6) & 0x3fff) != 0; // MF or an offset
        if (versionIhl >>> 4 != 4
                || ihl < IPV4_HEADER
                || totalLength < ihl + UDP_HEADER
                || ip + totalLength > length
                || fragment
                || (b.get(ip + 9) & 0xff) != IPPROTO_UDP) {
            return Optional.empty();
        }
        int udp = ip + ihl;
        int destinationPort = b.getShort(udp + 2) & 0xffff;
        int udpLength = b.getShort(udp + 4) & 0xffff;
        if (destinationPort != CLIENT_PORT || udpLength < UDP_HEADER || udp + udpLength > ip + totalLength) {
            return Optional.empty();
        }
        byte[] ipHeader = new byte[ihl];
        b.get(ip, ipHeader);
        return Optional.of(new ReceivedFrame(
                new MacAddress(bytes(b, 6, 6)),
                new MacAddress(bytes(b, 0, 6)),
                DhcpMessage.ipv4(bytes(b, ip + 12, 4)),
                DhcpMessage.ipv4(bytes(b, ip + 16, 4)),
                b.getShort(udp) & 0xffff,
                destinationPort,
                ipv4Checksum(ipHeader, 0) == 0, // summing a header with its checksum gives 0 when right
                DhcpMessage.parse(frame, offset + udp + UDP_HEADER, udpLength - UDP_HEADER)));
    }

    /**
     * The IPv4 header checksum (RFC 791, RFC 1071) over the header at {@code offset}: the one's
     * complement of the one's complement sum of its 16-bit words.
     */
    static int ipv4Checksum(byte[] packet, int offset) {
        int headerLength = (packet[offset] & 0x0f) * 4;
        int sum = 0;
        for (int i = offset; i < offset + headerLength; i += 2) {
            sum += ((packet[i] & 0xff) << 8) | (packet[i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    private static byte[] bytes(ByteBuffer b, int index, int length) {
        byte[] out = new byte[length];
        b.get(index, out);
        return out;
    }
}
