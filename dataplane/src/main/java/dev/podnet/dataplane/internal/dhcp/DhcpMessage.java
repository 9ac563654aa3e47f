package dev.podnet.dataplane.internal.dhcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A BOOTP/DHCP message (RFC 2131 section 2): the fixed 236-byte BOOTP header, the magic cookie and
 * the options. {@link #parse} and {@link #encode} are its decoder and encoder.
 *
 * <p>Immutable; accessors hand out copies. Options keep the order in which each code first
 * appeared, a code this package does not know survives as raw bytes, and an option split over
 * several instances is one concatenated value (RFC 3396), split again on encoding when longer than
 * 255 bytes. Option Overload (52) is not followed: {@code sname} and {@code file} stay raw bytes.
 */
public final class DhcpMessage {
    /** {@code op} of a client's message (RFC 951). */
    public static final int BOOTREQUEST = 1;
    /** {@code op} of a server's message (RFC 951). */
    public static final int BOOTREPLY = 2;
    /** {@code htype} of Ethernet ({@code ARPHRD_ETHER}), which every Ethernet-like link uses. */
    public static final int HTYPE_ETHERNET = 1;
    /** The {@code flags} bit asking the server to broadcast its reply (RFC 2131 figure 2). */
    public static final int BROADCAST_FLAG = 0x8000;
    /** The magic cookie 99.130.83.99 that starts the options (RFC 2131 section 3). */
    public static final int MAGIC_COOKIE = 0x63825363;
    /** Length of the fixed BOOTP header, up to the magic cookie. */
    public static final int HEADER_LENGTH = 236;
    /**
     * The shortest message {@link #encode} writes, padding after the end option: RFC 951's 64-byte
     * vend field makes a BOOTP message 300 bytes, and some relays and firmware drop shorter ones.
     */
    public static final int MIN_ENCODED_LENGTH = 300;

    static final int CHADDR_LENGTH = 16;
    static final int SNAME_LENGTH = 64;
    static final int FILE_LENGTH = 128;
    /** 0.0.0.0, what an unset address field holds. */
    static final Inet4Address ANY = ipv4(new byte[4]);

    private final int op;
    private final int htype;
    private final int hlen;
    private final int hops;
    private final int xid;
    private final int secs;
    private final int flags;
    private final Inet4Address ciaddr;
    private final Inet4Address yiaddr;
    private final Inet4Address siaddr;
    private final Inet4Address giaddr;
    private final byte[] chaddr;
    private final byte[] sname;
    private final byte[] file;
    private final Map<Integer, byte[]> options;

    DhcpMessage(DhcpMessageBuilder b) {
        op = b.op;
        htype = b.htype;
        hlen = b.hlen;
        hops = b.hops;
        xid = b.xid;
        secs = b.secs;
        flags = b.flags;
        ciaddr = b.ciaddr;
        yiaddr = b.yiaddr;
        siaddr = b.siaddr;
        giaddr = b.giaddr;
        chaddr = b.chaddr.clone();
        sname = b.sname.clone();
        file = b.file.clone();
        Map<Integer, byte[]> copy = new LinkedHashMap<>();
        b.options.forEach((code, value) -> copy.put(code, value.clone()));
        options = Collections.unmodifiableMap(copy);
    }

    /** A builder with every field zero except {@code htype} 1 and {@code hlen} 6 (Ethernet). */
    public static DhcpMessageBuilder builder() {
        return new DhcpMessageBuilder();
    }

    /** Parses a whole array as one message; see {@link #parse(byte[], int, int)}. */
    public static DhcpMessage parse(byte[] data) {
        return parse(data, 0, data.length);
    }

    /**
     * Parses the message in {@code data[offset, offset + length)}, e.g. a UDP payload.
     *
     * <p>Parsing stops at the end option; what follows it is padding and is ignored. A message
     * without an end option is accepted when its last option ends exactly at the end of the data:
     * every option read is then complete, so nothing can be misread.
     *
     * @throws DhcpFormatException when the data is shorter than the header and cookie, the cookie
     *                             is wrong, or an option runs past the end
     */
    public static DhcpMessage parse(byte[] data, int offset, int length) {
        return DhcpCodec.decode(data, offset, length);
    }

    /** The number of bytes {@link #encode} writes. */
    public int encodedLength() {
        return DhcpCodec.encodedLength(this);
    }

    /** This message as it goes on the wire: header, cookie, options, end, zero padding to 300 bytes. */
    public byte[] encode() {
        return DhcpCodec.encode(this);
    }

    public int op() {
        return op;
    }

    public int htype() {
        return htype;
    }

    public int hlen() {
        return hlen;
    }

    public int hops() {
        return hops;
    }

    /** The transaction id the client chose; a reply carries the request's. */
    public int xid() {
        return xid;
    }

    public int secs() {
        return secs;
    }

    /** The flags field; see {@link #BROADCAST_FLAG}. */
    public int flags() {
        return flags;
    }

    /** The client's own address, when it has one in use (renewing, rebinding, inform). */
    public Inet4Address ciaddr() {
        return ciaddr;
    }

    /** "Your" address: the address the server gives the client. */
    public Inet4Address yiaddr() {
        return yiaddr;
    }

    /** The next server for bootstrap; 0.0.0.0 here. */
    public Inet4Address siaddr() {
        return siaddr;
    }

    /** The relay agent's address, 0.0.0.0 when the message was not relayed. */
    public Inet4Address giaddr() {
        return giaddr;
    }

    /** The 16-byte client hardware address field; an Ethernet MAC is its first 6 bytes. */
    public byte[] chaddr() {
        return chaddr.clone();
    }

    /** The 64-byte server host name field, raw. */
    public byte[] sname() {
        return sname.clone();
    }

    /** The 128-byte boot file name field, raw. */
    public byte[] file() {
        return file.clone();
    }

    /** Every option, code to value, in the order each code first appeared; a copy. */
    public Map<Integer, byte[]> options() {
        Map<Integer, byte[]> copy = new LinkedHashMap<>();
        options.forEach((code, value) -> copy.put(code, value.clone()));
        return copy;
    }

    /** The options without copying, for the codec; never to be changed. */
    Map<Integer, byte[]> optionsView() {
        return options;
    }

    /** The value of option {@code code}, if present; a copy. */
    public Optional<byte[]> option(int code) {
        byte[] value = options.get(code);
        return value == null ? Optional.empty() : Optional.of(value.clone());
    }

    /**
     * Option 53; empty when absent (a plain BOOTP message) or a value RFC 2132 does not define.
     *
     * @throws DhcpFormatException when option 53 is not one byte long
     */
    public Optional<DhcpMessageType> messageType() {
        byte[] value = options.get(DhcpOptions.DHCP_MESSAGE_TYPE);
        if (value == null) {
            return Optional.empty();
        }
        if (value.length != 1) {
            throw new DhcpFormatException("option 53 (message type) has " + value.length + " bytes, expected 1");
        }
        return DhcpMessageType.of(value[0] & 0xff);
    }

    /**
     * Option 50, the address a client asks for.
     *
     * @throws DhcpFormatException when option 50 is not four bytes long
     */
    public Optional<Inet4Address> requestedAddress() {
        return addressOption(DhcpOptions.DHCP_REQUESTED_ADDRESS, "requested address");
    }

    /**
     * Option 54, the server that sent an offer or that a client selected.
     *
     * @throws DhcpFormatException when option 54 is not four bytes long
     */
    public Optional<Inet4Address> serverId() {
        return addressOption(DhcpOptions.DHCP_SERVER_IDENTIFIER, "server identifier");
    }

    private Optional<Inet4Address> addressOption(int code, String name) {
        byte[] value = options.get(code);
        if (value == null) {
            return Optional.empty();
        }
        if (value.length != 4) {
            throw new DhcpFormatException(
                    "option " + code + " (" + name + ") has " + value.length + " bytes, expected 4");
        }
        return Optional.of(ipv4(value));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DhcpMessage m)) {
            return false;
        }
        if (op != m.op
                || htype != m.htype
                || hlen != m.hlen
                || hops != m.hops
                || xid != m.xid
                || secs != m.secs
                || flags != m.flags
                || !ciaddr.equals(m.ciaddr)
                || !yiaddr.equals(m.yiaddr)
                || !siaddr.equals(m.siaddr)
                || !giaddr.equals(m.giaddr)
                || !Arrays.equals(chaddr, m.chaddr)
                || !Arrays.equals(sname, m.sname)
                || !Arrays.equals(file, m.file)
                || !options.keySet().stream()
                        .toList()
                        .equals(m.options.keySet().stream().toList())) {
            return false;
        }
        return options.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), m.options.get(e.getKey())));
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr);
        h = 31 * h + Arrays.hashCode(chaddr);
        for (Map.Entry<Integer, byte[]> e : options.entrySet()) {
            h = 31 * h + e.getKey();
            h = 31 * h + Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format(
                "DhcpMessage[op=%d xid=0x%08x flags=0x%04x ciaddr=%s yiaddr=%s giaddr=%s chaddr=%s",
                op,
                xid,
                flags,
                ciaddr.getHostAddress(),
                yiaddr.getHostAddress(),
                giaddr.getHostAddress(),
                HexFormat.ofDelimiter(":").formatHex(chaddr, 0, Math.min(hlen, CHADDR_LENGTH))));
        options.forEach((code, value) ->
                s.append(' ').append(code).append('=').append(HexFormat.of().formatHex(value)));
        return s.append(']').toString();
    }

    static Inet4Address ipv4(byte[] four) {
        try {
            return (Inet4Address) InetAddress.getByAddress(four);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IPv4 address has 4 bytes, got " + four.length, e);
        }
    }
}
