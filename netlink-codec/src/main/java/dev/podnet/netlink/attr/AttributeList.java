package dev.podnet.netlink.attr;

import io.netty.buffer.ByteBuf;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.IntFunction;

/**
 * An immutable sequence of netlink attributes ({@code struct nlattr}: u16 length, u16 type, value,
 * padded to 4 bytes), held as its encoded bytes.
 *
 * <p>Decoded lists are views over the bytes the kernel sent, so an attribute this code does not
 * know survives untouched and a decoded message re-encodes byte for byte. Lists built with
 * {@link #builder()} are encoded once, as they are built. Lookups scan the (short) list; the
 * {@code NLA_F_NESTED} and {@code NLA_F_NET_BYTEORDER} flag bits are ignored when matching types.
 */
public final class AttributeList {
    /** {@code NLA_F_NESTED}: set by newer kernels on nested attributes. */
    public static final int NLA_F_NESTED = 1 << 15;
    /** {@code NLA_F_NET_BYTEORDER}. */
    public static final int NLA_F_NET_BYTEORDER = 1 << 14;
    /** {@code NLA_TYPE_MASK}. */
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;
    /** {@code NLA_HDRLEN}. */
    public static final int NLA_HDRLEN = 4;

    public static final AttributeList EMPTY = new AttributeList(new byte[0], 0, 0);

    private final byte[] data;
    private final int offset;
    private final int length;

    private AttributeList(byte[] data, int offset, int length) {
        this.data = data;
        this.offset = offset;
        this.length = length;
    }

    /** Rounds up to the 4-byte netlink alignment ({@code NLA_ALIGN} / {@code NLMSG_ALIGN}). */
    public static int align(int n) {
        return (n + 3) & ~3;
    }

    /**
     * A view over {@code length} bytes of already-encoded attributes; the array is not copied and
     * must not change afterwards. The structure is validated: every attribute fits.
     *
     * @throws AttributeFormatException when an attribute header is short or claims more bytes than there are
     */
    public static AttributeList wrap(byte[] data, int offset, int length) {
        validate(data, offset, length);
        return new AttributeList(data, offset, length);
    }

    /** Reads {@code length} bytes of attributes from {@code in} (advancing its reader index) into a new list. */
    public static AttributeList read(ByteBuf in, int length) {
        if (length == 0) {
            return EMPTY;
        }
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        return wrap(bytes, 0, length);
    }

    private static void validate(byte[] data, int offset, int length) {
        int p = offset;
        int end = offset + length;
        while (p < end) {
            if (end - p < NLA_HDRLEN) {
                // the kernel's nla_for_each_attr tolerates trailing bytes shorter than a header
                return;
            }
            int len = u16(data, p);
            if (len < NLA_HDRLEN || p + len > end) {
                throw new AttributeFormatException("attribute type " + (u16(data, p + 2) & NLA_TYPE_MASK)
                        + " at offset " + (p - offset) + " claims length " + len + " but "
                        + (end - p) + " bytes remain");
            }
            p += align(len);
        }
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    static int u32(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    /** Encoded size in bytes. */
    public int encodedLength() {
        return length;
    }

    public boolean isEmpty() {
        return length == 0;
    }

    /** Writes the encoded attributes to {@code out}. */
    public void writeTo(ByteBuf out) {
        out.writeBytes(data, offset, length);
    }

    /** A copy of the encoded bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(data, offset, offset + length);
    }

    /** Position of the first attribute of {@code type} (flags ignored), or -1. */
    private int find(int type) {
        int p = offset;
        int end = offset + length;
        while (end - p >= NLA_HDRLEN) {
            int len = u16(data, p);
            if ((u16(data, p + 2) & NLA_TYPE_MASK) == type) {
                return p;
            }
            p += align(len);
        }
        return -1;
    }

    private int valueLength(int pos) {
        return u16(data, pos) - NLA_HDRLEN;
    }

    public boolean has(int type) {
        return find(type) >= 0;
    }

    /** The number of attributes at this level. */
    public int size() {
        int n = 0;
        int p = offset;
        int end = offset + length;
        while (end - p >= NLA_HDRLEN) {
            n++;
            p += align(u16(data, p));
        }
        return n;
    }

    /** The value bytes of the first attribute of {@code type}, or null. */
    public byte[] bytes(int type) {
        int p = find(type);
        return p < 0 ? null : Arrays.copyOfRange(data, p + NLA_HDRLEN, p + NLA_HDRLEN + valueLength(p));
    }

    /** A u8 value, or {@code absent}. */
    public int u8(int type, int absent) {
        int p = find(type);
        return p < 0 || valueLength(p) < 1 ? absent : data[p + NLA_HDRLEN] & 0xff;
    }

    /** A u16 value in host order, or {@code absent}. */
    public int u16(int type, int absent) {
        int p = find(type);
        return p < 0 || valueLength(p) < 2 ? absent : u16(data, p + NLA_HDRLEN);
    }

    /** A u32 value in host order, or {@code absent}. */
    public int u32(int type, int absent) {
        int p = find(type);
        return p < 0 || valueLength(p) < 4 ? absent : u32(data, p + NLA_HDRLEN);
    }

    /** A u64 value in host order, or {@code absent}. */
    public long u64(int type, long absent) {
        int p = find(type);
        if (p < 0 || valueLength(p) < 8) {
            return absent;
        }
        int v = p + NLA_HDRLEN;
        return (u32(data, v) & 0xffffffffL) | ((long) u32(data, v + 4)) << 32;
    }

    /** A NUL-terminated string value, or null. */
    public String string(int type) {
        int p = find(type);
        if (p < 0) {
            return null;
        }
        int start = p + NLA_HDRLEN;
        int end = start + valueLength(p);
        int nul = start;
        while (nul < end && data[nul] != 0) {
            nul++;
        }
        return new String(data, start, nul - start, StandardCharsets.UTF_8);
    }

    /** An IPv4 or IPv6 address value (network byte order), or null. */
    public InetAddress address(int type) {
        byte[] b = bytes(type);
        if (b == null || (b.length != 4 && b.length != 16)) {
            return null;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The attributes nested inside the first attribute of {@code type}, or {@link #EMPTY}. */
    public AttributeList nested(int type) {
        int p = find(type);
        if (p < 0) {
            return EMPTY;
        }
        int len = valueLength(p);
        validate(data, p + NLA_HDRLEN, len);
        return new AttributeList(data, p + NLA_HDRLEN, len);
    }

    /** The raw type (with flag bits) of every attribute at this level, in order. */
    public int[] types() {
        int[] out = new int[size()];
        int i = 0;
        int p = offset;
        int end = offset + length;
        while (end - p >= NLA_HDRLEN) {
            out[i++] = u16(data, p + 2);
            p += align(u16(data, p));
        }
        return out;
    }

    /** A readable rendering, with attribute names from {@code names} where it knows them. */
    public String toString(IntFunction<String> names) {
        List<String> parts = new ArrayList<>();
        int p = offset;
        int end = offset + length;
        while (end - p >= NLA_HDRLEN) {
            int len = u16(data, p);
            int type = u16(data, p + 2) & NLA_TYPE_MASK;
            String name = names.apply(type);
            parts.add((name != null ? name : Integer.toString(type)) + "(" + (len - NLA_HDRLEN) + "B)");
            p += align(len);
        }
        return parts.toString();
    }

    @Override
    public String toString() {
        return toString(t -> null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttributeList other
                && Arrays.equals(data, offset, offset + length, other.data, other.offset, other.offset + other.length);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + data[i];
        }
        return h;
    }

    /** A builder that encodes attributes as they are added. */
    public static Builder builder() {
        return new Builder();
    }

    /** Encodes attributes into a growing array; nested attributes are built with a callback. */
    public static final class Builder {
        private byte[] buf = new byte[64];
        private int pos;

        private Builder() {
        }

        private void ensure(int extra) {
            if (pos + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + extra));
            }
        }

        private void putU16(int at, int v) {
            buf[at] = (byte) v;
            buf[at + 1] = (byte) (v >>> 8);
        }

        private void putU32(int at, int v) {
            buf[at] = (byte) v;
            buf[at + 1] = (byte) (v >>> 8);
            buf[at + 2] = (byte) (v >>> 16);
            buf[at + 3] = (byte) (v >>> 24);
        }

        private int header(int type, int valueLength) {
            int total = NLA_HDRLEN + valueLength;
            if (total > 0xffff) {
                throw new IllegalArgumentException("attribute " + type + " too long: " + total + " bytes");
            }
            ensure(align(total));
            int at = pos;
            putU16(at, total);
            putU16(at + 2, type);
            pos += NLA_HDRLEN;
            return at;
        }

        private void pad() {
            int aligned = align(pos);
            while (pos < aligned) {
                buf[pos++] = 0;
            }
        }

        public Builder u8(int type, int value) {
            header(type, 1);
            buf[pos++] = (byte) value;
            pad();
            return this;
        }

        public Builder u16(int type, int value) {
            header(type, 2);
            putU16(pos, value);
            pos += 2;
            pad();
            return this;
        }

        public Builder u32(int type, int value) {
            header(type, 4);
            putU32(pos, value);
            pos += 4;
            return this;
        }

        public Builder u64(int type, long value) {
            header(type, 8);
            putU32(pos, (int) value);
            putU32(pos + 4, (int) (value >>> 32));
            pos += 8;
            return this;
        }

        /** A NUL-terminated string. */
        public Builder string(int type, String value) {
            byte[] b = value.getBytes(StandardCharsets.UTF_8);
            header(type, b.length + 1);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
            buf[pos++] = 0;
            pad();
            return this;
        }

        public Builder bytes(int type, byte[] value) {
            header(type, value.length);
            System.arraycopy(value, 0, buf, pos, value.length);
            pos += value.length;
            pad();
            return this;
        }

        /** An address in network byte order (4 or 16 bytes). */
        public Builder address(int type, InetAddress value) {
            return bytes(type, value.getAddress());
        }

        /** A flag attribute (no value). */
        public Builder flag(int type) {
            header(type, 0);
            return this;
        }

        /** A nested attribute with {@code NLA_F_NESTED} set, its children written by {@code body}. */
        public Builder nested(int type, java.util.function.Consumer<Builder> body) {
            int at = header(type | NLA_F_NESTED, 0);
            body.accept(this);
            putU16(at, nestLength(type, pos - at));
            pad();
            return this;
        }

        /** A nest's length, which must fit its 16-bit field as any attribute's does. */
        private static int nestLength(int type, int length) {
            if (length > 0xffff) {
                throw new IllegalArgumentException("nested attribute " + type + " too long: " + length + " bytes");
            }
            return length;
        }

        /**
         * A nested attribute whose value starts with a fixed struct (as {@code VETH_INFO_PEER} starts
         * with a {@code struct ifinfomsg}), written by {@code struct}, followed by attributes.
         */
        public Builder nestedWithHeader(int type, byte[] struct, java.util.function.Consumer<Builder> body) {
            int at = header(type | NLA_F_NESTED, 0);
            ensure(struct.length);
            System.arraycopy(struct, 0, buf, pos, struct.length);
            pos += struct.length;
            pad();
            body.accept(this);
            putU16(at, nestLength(type, pos - at));
            pad();
            return this;
        }

        /** Copies already-encoded attributes. */
        public Builder all(AttributeList attributes) {
            ensure(attributes.length);
            System.arraycopy(attributes.data, attributes.offset, buf, pos, attributes.length);
            pos += attributes.length;
            return this;
        }

        public AttributeList build() {
            return pos == 0 ? EMPTY : new AttributeList(Arrays.copyOf(buf, pos), 0, pos);
        }
    }
}
