package dev.podnet.netlink.attr;

import dev.podnet.netlink.RequestWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * An immutable sequence of netlink attributes ({@code struct nlattr}: u16 length, u16 type, value,
 * padded to 4 bytes), held as its encoded bytes: the object view of attributes, for descriptions,
 * tests and the model operations.
 *
 * <p>Decoded lists are views over the bytes the kernel sent, so an attribute this code does not
 * know survives untouched and a decoded message re-encodes byte for byte. Lists built with
 * {@link #builder()} are encoded once, as they are built, through {@link RequestWriter}: the one
 * encoder of the wire format, so that a list built here and the same attributes written into a
 * request there are the same bytes. Lookups scan the (short) list; the {@code NLA_F_NESTED} and
 * {@code NLA_F_NET_BYTEORDER} flag bits are ignored when matching types.
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

    /** A builder that encodes attributes as they are added, through a {@link RequestWriter}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a list through a {@link RequestWriter} {@linkplain RequestWriter#resetForAttributes
     * reset for bare attributes}, into a heap buffer of its own: the writer lays everything out, this
     * only fronts it with the object API (nested attributes built with a callback). {@link #build}
     * copies the bytes out and frees the buffer; the builder may still be added to, and built again.
     */
    public static final class Builder {
        private final RequestWriter writer = new RequestWriter();
        /** The buffer written to; null before the first attribute and after {@link #build}. */
        private ByteBuf buf;
        /** What the last {@link #build} returned, or null. */
        private AttributeList built;

        private Builder() {}

        /** The writer, with a buffer (holding what was built before, if anything). */
        private RequestWriter writer() {
            if (buf == null) {
                buf = Unpooled.buffer(64);
                writer.resetForAttributes(buf);
                if (built != null) {
                    writer.all(built);
                }
            }
            return writer;
        }

        public Builder u8(int type, int value) {
            writer().u8(type, value);
            return this;
        }

        public Builder u16(int type, int value) {
            writer().u16(type, value);
            return this;
        }

        public Builder u32(int type, int value) {
            writer().u32(type, value);
            return this;
        }

        public Builder u64(int type, long value) {
            writer().u64(type, value);
            return this;
        }

        /** A NUL-terminated string. */
        public Builder string(int type, String value) {
            writer().string(type, value);
            return this;
        }

        public Builder bytes(int type, byte[] value) {
            writer().bytes(type, value);
            return this;
        }

        /** An address in network byte order (4 or 16 bytes). */
        public Builder address(int type, InetAddress value) {
            writer().address(type, value);
            return this;
        }

        /** A flag attribute (no value). */
        public Builder flag(int type) {
            writer().flag(type);
            return this;
        }

        /**
         * A nested attribute with {@code NLA_F_NESTED} set, its children written by {@code body}.
         *
         * @throws IllegalArgumentException when the nest is longer than its 16-bit length field can say
         */
        public Builder nested(int type, java.util.function.Consumer<Builder> body) {
            writer().nest(type);
            body.accept(this);
            writer().endNest();
            return this;
        }

        /**
         * A nested attribute whose value starts with a fixed struct (as {@code VETH_INFO_PEER} starts
         * with a {@code struct ifinfomsg}), written by {@code struct}, followed by attributes.
         */
        public Builder nestedWithHeader(int type, byte[] struct, java.util.function.Consumer<Builder> body) {
            writer().nest(type, struct);
            body.accept(this);
            writer().endNest();
            return this;
        }

        /** Copies already-encoded attributes. */
        public Builder all(AttributeList attributes) {
            writer().all(attributes);
            return this;
        }

        public AttributeList build() {
            if (buf != null) {
                int n = buf.writerIndex();
                byte[] bytes = new byte[n];
                buf.getBytes(0, bytes);
                buf.release();
                buf = null;
                // not wrap: the bytes are the writer's, and an unaligned list copied with all() may
                // leave them what the validation would misread
                built = n == 0 ? EMPTY : new AttributeList(bytes, 0, n);
            }
            return built != null ? built : EMPTY;
        }
    }
}
