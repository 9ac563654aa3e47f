package dev.podnet.dataplane.internal.dhcp;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The one decoder and the one encoder of {@link DhcpMessage}: RFC 2131 section 2 layout, RFC 2132
 * option framing, RFC 3396 for options longer than 255 bytes. Only translates; decides nothing.
 */
final class DhcpCodec {
    private static final int OPTIONS_OFFSET = DhcpMessage.HEADER_LENGTH + 4;

    private DhcpCodec() {}

    /** See {@link DhcpMessage#parse(byte[], int, int)}. */
    static DhcpMessage decode(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (length < DhcpMessage.HEADER_LENGTH) {
            throw new DhcpFormatException("DHCP message of " + length + " bytes is shorter than the "
                    + DhcpMessage.HEADER_LENGTH + "-byte BOOTP header");
        }
        if (length < OPTIONS_OFFSET) {
            throw new DhcpFormatException("DHCP message of " + length + " bytes ends before its magic cookie"
                    + " (bytes " + DhcpMessage.HEADER_LENGTH + ".." + (OPTIONS_OFFSET - 1) + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(data, offset, length).slice();
        int cookie = in.getInt(DhcpMessage.HEADER_LENGTH);
        if (cookie != DhcpMessage.MAGIC_COOKIE) {
            throw new DhcpFormatException(String.format(
                    "bad magic cookie 0x%08x at byte %d, expected 0x%08x (99.130.83.99)",
                    cookie, DhcpMessage.HEADER_LENGTH, DhcpMessage.MAGIC_COOKIE));
        }
        DhcpMessageBuilder b = DhcpMessage.builder()
                .op(u8(in, 0))
                .htype(u8(in, 1))
                .hlen(u8(in, 2))
                .hops(u8(in, 3))
                .xid(in.getInt(4))
                .secs(in.getShort(8) & 0xffff)
                .flags(in.getShort(10) & 0xffff)
                .ciaddr(DhcpMessage.ipv4(bytes(in, 12, 4)))
                .yiaddr(DhcpMessage.ipv4(bytes(in, 16, 4)))
                .siaddr(DhcpMessage.ipv4(bytes(in, 20, 4)))
                .giaddr(DhcpMessage.ipv4(bytes(in, 24, 4)))
                .chaddr(bytes(in, 28, DhcpMessage.CHADDR_LENGTH))
                .sname(bytes(in, 44, DhcpMessage.SNAME_LENGTH))
                .file(bytes(in, 108, DhcpMessage.FILE_LENGTH));
        Map<Integer, byte[]> found = new LinkedHashMap<>();
        int i = OPTIONS_OFFSET;
        while (i < length) {
            int code = u8(in, i);
            if (code == DhcpOptions.PAD) {
                i++;
                continue;
            }
            if (code == DhcpOptions.END) {
                break;
            }
            if (i + 1 >= length) {
                throw new DhcpFormatException("option " + code + " at byte " + i + " has no length byte");
            }
            int len = u8(in, i + 1);
            if (i + 2 + len > length) {
                throw new DhcpFormatException("option " + code + " at byte " + i + " claims " + len + " bytes, only "
                        + (length - i - 2) + " remain");
            }
            // RFC 3396: the instances of one code are one value, in the order they appear
            found.merge(code, bytes(in, i + 2, len), DhcpCodec::concat);
            i += 2 + len;
        }
        found.forEach(b::option);
        return b.build();
    }

    /** See {@link DhcpMessage#encodedLength()}. */
    static int encodedLength(DhcpMessage m) {
        int n = OPTIONS_OFFSET + 1; // + the end option
        for (byte[] value : m.optionsView().values()) {
            int instances = Math.max(1, (value.length + 254) / 255);
            n += 2 * instances + value.length;
        }
        return Math.max(n, DhcpMessage.MIN_ENCODED_LENGTH);
    }

    /** See {@link DhcpMessage#encode()}. */
    static byte[] encode(DhcpMessage m) {
        byte[] out = new byte[encodedLength(m)];
        ByteBuffer buf = ByteBuffer.wrap(out);
        buf.put((byte) m.op())
                .put((byte) m.htype())
                .put((byte) m.hlen())
                .put((byte) m.hops())
                .putInt(m.xid())
                .putShort((short) m.secs())
                .putShort((short) m.flags())
                .put(m.ciaddr().getAddress())
                .put(m.yiaddr().getAddress())
                .put(m.siaddr().getAddress())
                .put(m.giaddr().getAddress())
                .put(m.chaddr())
                .put(m.sname())
                .put(m.file())
                .putInt(DhcpMessage.MAGIC_COOKIE);
        for (Map.Entry<Integer, byte[]> e : m.optionsView().entrySet()) {
            int code = e.getKey();
            byte[] value = e.getValue();
            int at = 0;
            do { // RFC 3396: a value over 255 bytes goes out as consecutive instances of its code
                int chunk = Math.min(255, value.length - at);
                buf.put((byte) code).put((byte) chunk).put(value, at, chunk);
                at += chunk;
            } while (at < value.length);
        }
        buf.put((byte) DhcpOptions.END);
        return out; // the rest of the array is already zero: pad
    }

    private static int u8(ByteBuffer in, int index) {
        return in.get(index) & 0xff;
    }

    private static byte[] bytes(ByteBuffer in, int index, int length) {
        byte[] out = new byte[length];
        in.get(index, out);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
