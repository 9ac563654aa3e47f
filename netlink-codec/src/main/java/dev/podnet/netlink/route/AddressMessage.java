package dev.podnet.netlink.route;

import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;

/**
 * {@code RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR}: a {@code struct ifaddrmsg} followed by
 * {@code IFA_*} attributes.
 */
public record AddressMessage(
        int type,
        int flags,
        int sequence,
        int portId,
        int family,
        int prefixLength,
        int addressFlags,
        int scope,
        int index,
        AttributeList attributes)
        implements RtnetlinkMessage {
    /** Size of {@code struct ifaddrmsg}. */
    public static final int HEADER_LENGTH = 8;

    public static AddressMessage request(
            int type,
            int flags,
            int family,
            int prefixLength,
            int addressFlags,
            int scope,
            int index,
            AttributeList attributes) {
        return new AddressMessage(type, flags, 0, 0, family, prefixLength, addressFlags, scope, index, attributes);
    }

    static AddressMessage decode(int type, int flags, int seq, int pid, ByteBuf body) {
        RouteMessages.requireFixedHeader(type, body, HEADER_LENGTH, "ifaddrmsg");
        int family = body.readUnsignedByte();
        int prefix = body.readUnsignedByte();
        int aflags = body.readUnsignedByte();
        int scope = body.readUnsignedByte();
        int index = body.readIntLE();
        AttributeList attributes = AttributeList.read(body, body.readableBytes());
        return new AddressMessage(type, flags, seq, pid, family, prefix, aflags, scope, index, attributes);
    }

    @Override
    public void writeHeader(ByteBuf out) {
        out.writeByte(family);
        out.writeByte(prefixLength);
        out.writeByte(addressFlags);
        out.writeByte(scope);
        out.writeIntLE(index);
    }

    /** {@code IFA_LOCAL}, else {@code IFA_ADDRESS} (point-to-point peers aside, the interface's own address). */
    public InetAddress address() {
        InetAddress local = attributes.address(Ifa.IFA_LOCAL);
        return local != null ? local : attributes.address(Ifa.IFA_ADDRESS);
    }

    /** The address flags: {@code IFA_FLAGS} (32 bits) when present, else {@code ifa_flags}. */
    public int allFlags() {
        return attributes.u32(Ifa.IFA_FLAGS, addressFlags);
    }

    /** {@code IFA_LABEL}, or null. */
    public String label() {
        return attributes.string(Ifa.IFA_LABEL);
    }

    /** {@code IFA_BROADCAST}, or null. */
    public InetAddress broadcast() {
        return attributes.address(Ifa.IFA_BROADCAST);
    }

    /**
     * {@code IFA_CACHEINFO}: preferred and valid lifetimes in seconds (0xffffffff: forever), or null.
     */
    public long[] lifetimes() {
        byte[] b = attributes.bytes(Ifa.IFA_CACHEINFO);
        if (b == null || b.length < 8) {
            return null;
        }
        long preferred = (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
        long valid = (b[4] & 0xffL) | (b[5] & 0xffL) << 8 | (b[6] & 0xffL) << 16 | (b[7] & 0xffL) << 24;
        return new long[] {preferred, valid};
    }

    @Override
    public String toString() {
        return RtnlNames.message(type) + "[seq=" + sequence + ", index=" + index + ", " + address() + "/" + prefixLength
                + ", attrs=" + attributes.toString(RtnlNames::addressAttribute) + "]";
    }
}
