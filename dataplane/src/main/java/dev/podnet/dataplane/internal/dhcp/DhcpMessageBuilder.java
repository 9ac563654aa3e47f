package dev.podnet.dataplane.internal.dhcp;

import java.net.Inet4Address;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Collects the fields of a {@link DhcpMessage}; values are checked and copied as they are set.
 * Starts with every field zero except {@code htype} 1 and {@code hlen} 6 (Ethernet).
 */
public final class DhcpMessageBuilder {
    int op;
    int htype = DhcpMessage.HTYPE_ETHERNET;
    int hlen = 6;
    int hops;
    int xid;
    int secs;
    int flags;
    Inet4Address ciaddr = DhcpMessage.ANY;
    Inet4Address yiaddr = DhcpMessage.ANY;
    Inet4Address siaddr = DhcpMessage.ANY;
    Inet4Address giaddr = DhcpMessage.ANY;
    byte[] chaddr = new byte[DhcpMessage.CHADDR_LENGTH];
    byte[] sname = new byte[DhcpMessage.SNAME_LENGTH];
    byte[] file = new byte[DhcpMessage.FILE_LENGTH];
    final Map<Integer, byte[]> options = new LinkedHashMap<>();

    DhcpMessageBuilder() {}

    /** {@link DhcpMessage#BOOTREQUEST} or {@link DhcpMessage#BOOTREPLY}. */
    public DhcpMessageBuilder op(int op) {
        this.op = unsigned("op", op, 0xff);
        return this;
    }

    /** The hardware type; {@link DhcpMessage#HTYPE_ETHERNET} for Ethernet. */
    public DhcpMessageBuilder htype(int htype) {
        this.htype = unsigned("htype", htype, 0xff);
        return this;
    }

    /** The hardware address length: 6 for Ethernet. */
    public DhcpMessageBuilder hlen(int hlen) {
        this.hlen = unsigned("hlen", hlen, 0xff);
        return this;
    }

    public DhcpMessageBuilder hops(int hops) {
        this.hops = unsigned("hops", hops, 0xff);
        return this;
    }

    public DhcpMessageBuilder xid(int xid) {
        this.xid = xid;
        return this;
    }

    public DhcpMessageBuilder secs(int secs) {
        this.secs = unsigned("secs", secs, 0xffff);
        return this;
    }

    public DhcpMessageBuilder flags(int flags) {
        this.flags = unsigned("flags", flags, 0xffff);
        return this;
    }

    public DhcpMessageBuilder ciaddr(Inet4Address ciaddr) {
        this.ciaddr = Objects.requireNonNull(ciaddr, "ciaddr");
        return this;
    }

    public DhcpMessageBuilder yiaddr(Inet4Address yiaddr) {
        this.yiaddr = Objects.requireNonNull(yiaddr, "yiaddr");
        return this;
    }

    public DhcpMessageBuilder siaddr(Inet4Address siaddr) {
        this.siaddr = Objects.requireNonNull(siaddr, "siaddr");
        return this;
    }

    public DhcpMessageBuilder giaddr(Inet4Address giaddr) {
        this.giaddr = Objects.requireNonNull(giaddr, "giaddr");
        return this;
    }

    /** Up to 16 bytes, zero-padded: a MAC's 6 bytes or a whole chaddr field. */
    public DhcpMessageBuilder chaddr(byte[] chaddr) {
        this.chaddr = padded("chaddr", chaddr, DhcpMessage.CHADDR_LENGTH);
        return this;
    }

    /** Up to 64 bytes, zero-padded. */
    public DhcpMessageBuilder sname(byte[] sname) {
        this.sname = padded("sname", sname, DhcpMessage.SNAME_LENGTH);
        return this;
    }

    /** Up to 128 bytes, zero-padded. */
    public DhcpMessageBuilder file(byte[] file) {
        this.file = padded("file", file, DhcpMessage.FILE_LENGTH);
        return this;
    }

    /**
     * Sets option {@code code} (1..254) to {@code value}, replacing an earlier value but keeping
     * its place in the order; a value over 255 bytes is split on encoding (RFC 3396).
     */
    public DhcpMessageBuilder option(int code, byte[] value) {
        if (code <= DhcpOptions.PAD || code >= DhcpOptions.END) {
            throw new IllegalArgumentException("option code " + code + " is outside 1..254 (0 is pad, 255 is end)");
        }
        options.put(code, Objects.requireNonNull(value, "option value").clone());
        return this;
    }

    /** The message; this builder can go on to make others. */
    public DhcpMessage build() {
        return new DhcpMessage(this);
    }

    private static int unsigned(String field, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " " + value + " is outside 0.." + max);
        }
        return value;
    }

    private static byte[] padded(String field, byte[] value, int length) {
        Objects.requireNonNull(value, field);
        if (value.length > length) {
            throw new IllegalArgumentException(field + " has " + value.length + " bytes, at most " + length + " fit");
        }
        return Arrays.copyOf(value, length);
    }
}
