package dev.podnet.netlink;

import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;

/**
 * The one encoder of the netlink wire format: writes requests straight into a buffer, in kernel
 * format, with no message or attribute objects. It is the only code that lays out attributes
 * (header, length, alignment padding, nesting, the 65535-byte limits). A flyweight for the hot path
 * (the messages of an endpoint add), where building message objects first would allocate some 300
 * bytes a message only to copy them out again. One writer is reused for many batches
 * ({@link #reset}); it is not thread-safe.
 *
 * <p>A message is {@link #begin begun}, given its fixed header ({@link #ifinfomsg},
 * {@link #ifaddrmsg} or {@link #rtmsg}) and attributes, and {@link #end ended}, which sets its
 * length. Sequence number and port id are left 0 (the channel or {@code SyncNetlink} stamps
 * them, with {@code NLM_F_REQUEST | NLM_F_ACK}, when it sends). Attributes are written only inside
 * a begun message (padding counts from its start); anything else is refused.
 *
 * <p>{@link AttributeList} and its {@link AttributeList.Builder Builder} are the object view of
 * attributes, for descriptions, tests and the model operations; the builder encodes through a writer
 * {@linkplain #resetForAttributes reset for bare attributes} (no message: padding counts from where
 * the attributes start, and {@link #begin}, {@link #end} and {@link #message} are refused). So a
 * request written here and the same request built as an object encode to the same bytes (tested).
 *
 * <p>A little over 400 lines: one method per attribute type and fixed header, all over the same
 * layout rules, which is the point of having one encoder.
 */
public final class RequestWriter {
    private static final int MAX_DEPTH = 8;

    private ByteBuf out;
    /** Where the open message starts, or -1. */
    private int message = -1;
    /** Where alignment padding counts from: the open message, the bare attributes, or -1 (nothing may be written). */
    private int base = -1;
    /** Writing bare attributes ({@link #resetForAttributes}), not messages. */
    private boolean attributesOnly;

    private int count;
    private int[] nests = new int[MAX_DEPTH];
    private int depth;

    /** Starts writing messages at {@code out}'s writer index. */
    public RequestWriter reset(ByteBuf out) {
        this.out = out;
        this.message = -1;
        this.base = -1;
        this.attributesOnly = false;
        this.count = 0;
        this.depth = 0;
        return this;
    }

    /**
     * Starts writing bare attributes, in no message, at {@code out}'s writer index (what
     * {@link AttributeList.Builder} encodes with): padding counts from there; {@link #begin},
     * {@link #end} and {@link #message} are refused. Nests may go deeper than a message's
     * 8 levels, as the builder's always could.
     */
    public RequestWriter resetForAttributes(ByteBuf out) {
        reset(out);
        this.attributesOnly = true;
        this.base = out.writerIndex();
        return this;
    }

    /** Messages ended since the last {@link #reset}. */
    public int count() {
        return count;
    }

    /** The buffer written to. */
    public ByteBuf buffer() {
        return out;
    }

    /** Begins a message: its {@code nlmsghdr}, length to be set by {@link #end}. */
    public RequestWriter begin(int type, int flags) {
        messagesOnly();
        if (message >= 0) {
            throw new IllegalStateException("the previous message was not ended");
        }
        message = out.writerIndex();
        base = message;
        out.writeIntLE(0);
        out.writeShortLE(type);
        out.writeShortLE(flags);
        out.writeIntLE(0);
        out.writeIntLE(0);
        return this;
    }

    /** {@code struct ifinfomsg}, the fixed header of link messages. */
    public RequestWriter ifinfomsg(int family, int index, int deviceFlags, int change) {
        writable();
        out.writeByte(family);
        out.writeByte(0);
        out.writeShortLE(0);
        out.writeIntLE(index);
        out.writeIntLE(deviceFlags);
        out.writeIntLE(change);
        return this;
    }

    /** {@code struct ifaddrmsg}, the fixed header of address messages. */
    public RequestWriter ifaddrmsg(int family, int prefixLength, int flags, int scope, int index) {
        writable();
        out.writeByte(family);
        out.writeByte(prefixLength);
        out.writeByte(flags);
        out.writeByte(scope);
        out.writeIntLE(index);
        return this;
    }

    /** {@code struct rtmsg}, the fixed header of route messages (source length and TOS 0). */
    public RequestWriter rtmsg(int family, int dstLength, int table, int protocol, int scope, int type, int flags) {
        writable();
        out.writeByte(family);
        out.writeByte(dstLength);
        out.writeByte(0);
        out.writeByte(0);
        out.writeByte(table);
        out.writeByte(protocol);
        out.writeByte(scope);
        out.writeByte(type);
        out.writeIntLE(flags);
        return this;
    }

    /**
     * {@code struct nfgenmsg}, the fixed header of nfnetlink messages (nf_tables): family, version
     * {@code NFNETLINK_V0}, and the resource id in big-endian order.
     */
    public RequestWriter nfgenmsg(int family, int resourceId) {
        writable();
        out.writeByte(family);
        out.writeByte(0);
        out.writeShort(resourceId);
        return this;
    }

    private void messagesOnly() {
        if (attributesOnly) {
            throw new IllegalStateException("this writer writes bare attributes, not messages");
        }
    }

    /** Refuses to write where no message is begun (unless writing bare attributes). */
    private void writable() {
        if (base < 0) {
            throw new IllegalStateException("no message begun");
        }
    }

    private void header(int type, int valueLength) {
        writable();
        int total = AttributeList.NLA_HDRLEN + valueLength;
        if (total > 0xffff) {
            throw new IllegalArgumentException("attribute " + type + " too long: " + total + " bytes");
        }
        out.writeShortLE(total);
        out.writeShortLE(type);
    }

    private void pad() {
        int aligned = AttributeList.align(out.writerIndex() - base);
        out.writeZero(aligned - (out.writerIndex() - base));
    }

    public RequestWriter u8(int type, int value) {
        header(type, 1);
        out.writeByte(value);
        pad();
        return this;
    }

    /** A u16 in host (little-endian) order, padded. */
    public RequestWriter u16(int type, int value) {
        header(type, 2);
        out.writeShortLE(value);
        pad();
        return this;
    }

    public RequestWriter u32(int type, int value) {
        header(type, 4);
        out.writeIntLE(value);
        return this;
    }

    /** A u64 in host (little-endian) order. */
    public RequestWriter u64(int type, long value) {
        header(type, 8);
        out.writeLongLE(value);
        return this;
    }

    /** A u16 in big-endian (network) order, padded, as nfnetlink's integers are. */
    public RequestWriter be16(int type, int value) {
        header(type, 2);
        out.writeShort(value);
        pad();
        return this;
    }

    /** A u32 in big-endian (network) order, as nf_tables' integers (registers, priorities, verdicts) are. */
    public RequestWriter be32(int type, int value) {
        header(type, 4);
        out.writeInt(value);
        return this;
    }

    /** A u64 in big-endian (network) order. */
    public RequestWriter be64(int type, long value) {
        header(type, 8);
        out.writeLong(value);
        return this;
    }

    /**
     * Opens a plain (not nested) attribute whose value the caller writes with the {@code raw*}
     * methods, for values assembled from parts (an nf_tables concatenation) without an array for
     * them; {@link #endNest} closes it, setting its length and padding.
     */
    public RequestWriter open(int type) {
        return openAt(type);
    }

    /** One byte of an {@link #open} attribute's value. */
    public RequestWriter rawByte(int value) {
        out.writeByte(value);
        return this;
    }

    /** A big-endian u16 of an {@link #open} attribute's value. */
    public RequestWriter rawShort(int value) {
        out.writeShort(value);
        return this;
    }

    /** A big-endian u32 of an {@link #open} attribute's value. */
    public RequestWriter rawInt(int value) {
        out.writeInt(value);
        return this;
    }

    /** Bytes of an {@link #open} attribute's value. */
    public RequestWriter rawBytes(byte[] value) {
        out.writeBytes(value);
        return this;
    }

    /** Zero bytes of an {@link #open} attribute's value. */
    public RequestWriter rawZero(int count) {
        out.writeZero(count);
        return this;
    }

    /** A flag attribute (no value). */
    public RequestWriter flag(int type) {
        header(type, 0);
        return this;
    }

    /** A NUL-terminated string (UTF-8). */
    public RequestWriter string(int type, String value) {
        int n = value.length();
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            ascii = value.charAt(i) < 0x80;
        }
        if (!ascii) {
            return bytesZ(type, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        header(type, n + 1);
        for (int i = 0; i < n; i++) {
            out.writeByte(value.charAt(i));
        }
        out.writeByte(0);
        pad();
        return this;
    }

    private RequestWriter bytesZ(int type, byte[] value) {
        header(type, value.length + 1);
        out.writeBytes(value);
        out.writeByte(0);
        pad();
        return this;
    }

    public RequestWriter bytes(int type, byte[] value) {
        header(type, value.length);
        out.writeBytes(value);
        pad();
        return this;
    }

    /** An address in network byte order (4 or 16 bytes). */
    public RequestWriter address(int type, InetAddress value) {
        return bytes(type, value.getAddress());
    }

    /** An IPv4 address given as an int ({@code a.b.c.d} is {@code a << 24 | ...}), in network byte order. */
    public RequestWriter ipv4(int type, int address) {
        header(type, 4);
        out.writeInt(address);
        return this;
    }

    /** Copies already-encoded attributes as they are (no padding added: an unaligned list leaves the writer unaligned). */
    public RequestWriter all(AttributeList attributes) {
        writable();
        attributes.writeTo(out);
        return this;
    }

    /**
     * Opens a nested attribute ({@code NLA_F_NESTED} set); {@link #endNest} closes it. A message's
     * attributes nest at most 8 deep.
     */
    public RequestWriter nest(int type) {
        return openAt(type | AttributeList.NLA_F_NESTED);
    }

    /** Writes an attribute header whose length {@link #endNest} sets, and remembers where it is. */
    private RequestWriter openAt(int typeAndFlags) {
        writable();
        if (depth >= MAX_DEPTH && !attributesOnly) {
            throw new IllegalStateException("attributes nested deeper than " + MAX_DEPTH);
        }
        if (depth == nests.length) {
            nests = java.util.Arrays.copyOf(nests, 2 * depth);
        }
        int at = out.writerIndex();
        header(typeAndFlags, 0);
        nests[depth++] = at;
        return this;
    }

    /**
     * Opens a nested attribute whose value starts with a fixed struct (as {@code VETH_INFO_PEER}
     * starts with a {@code struct ifinfomsg}), copied from {@code struct} and padded; attributes
     * follow, and {@link #endNest} closes it.
     */
    public RequestWriter nest(int type, byte[] struct) {
        nest(type);
        out.writeBytes(struct);
        pad();
        return this;
    }

    /** Closes the innermost nested attribute, setting its length. */
    public RequestWriter endNest() {
        if (depth == 0) {
            throw new IllegalStateException("no nested attribute open");
        }
        int at = nests[--depth];
        int length = out.writerIndex() - at;
        if (length > 0xffff) {
            throw new IllegalArgumentException(
                    "nested attribute " + (out.getUnsignedShortLE(at + 2) & AttributeList.NLA_TYPE_MASK) + " too long: "
                            + length + " bytes");
        }
        out.setShortLE(at, length);
        pad();
        return this;
    }

    /** Ends the message begun last: sets its length and pads it to 4 bytes. */
    public RequestWriter end() {
        messagesOnly();
        if (message < 0) {
            throw new IllegalStateException("no message begun");
        }
        if (depth != 0) {
            throw new IllegalStateException(depth + " nested attributes left open");
        }
        int length = out.writerIndex() - message;
        out.setIntLE(message, length);
        out.writeZero(Netlink.align(length) - length);
        message = -1;
        base = -1;
        count++;
        return this;
    }

    /**
     * The one request {@code write} writes, decoded into an object by {@code factory}: so that a
     * request has one definition, serving both its written form and its object form (for the
     * general API, and for describing a written request that failed).
     */
    public static NetlinkMessage asObject(MessageFactory factory, java.util.function.Consumer<RequestWriter> write) {
        ByteBuf buf = io.netty.buffer.Unpooled.buffer(256);
        try {
            RequestWriter w = new RequestWriter().reset(buf);
            write.accept(w);
            if (w.count() != 1) {
                throw new IllegalArgumentException("wrote " + w.count() + " requests, not one");
            }
            java.util.List<NetlinkMessage> out = new java.util.ArrayList<>(1);
            NetlinkCodec.decode(buf, factory, out);
            return out.get(0);
        } finally {
            buf.release();
        }
    }

    /** Appends a request built as an object (sequence and port id 0, as the others). */
    public RequestWriter message(NetlinkMessage request) {
        messagesOnly();
        if (message >= 0) {
            throw new IllegalStateException("a message is open");
        }
        NetlinkCodec.encode(request, 0, 0, out);
        count++;
        return this;
    }
}
