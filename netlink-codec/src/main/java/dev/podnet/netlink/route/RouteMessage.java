package dev.podnet.netlink.route;

import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;

/**
 * {@code RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE}: a {@code struct rtmsg} followed by
 * {@code RTA_*} attributes.
 */
public record RouteMessage(
        int type,
        int flags,
        int sequence,
        int portId,
        int family,
        int dstLength,
        int srcLength,
        int tos,
        int table,
        int protocol,
        int scope,
        int routeType,
        int routeFlags,
        AttributeList attributes)
        implements RtnetlinkMessage {
    /** Size of {@code struct rtmsg}. */
    public static final int HEADER_LENGTH = 12;

    public static RouteMessage request(
            int type,
            int flags,
            int family,
            int dstLength,
            int table,
            int protocol,
            int scope,
            int routeType,
            int routeFlags,
            AttributeList attributes) {
        return new RouteMessage(
                type, flags, 0, 0, family, dstLength, 0, 0, table, protocol, scope, routeType, routeFlags, attributes);
    }

    static RouteMessage decode(int type, int flags, int seq, int pid, ByteBuf body) {
        RouteMessages.requireFixedHeader(type, body, HEADER_LENGTH, "rtmsg");
        int family = body.readUnsignedByte();
        int dst = body.readUnsignedByte();
        int src = body.readUnsignedByte();
        int tos = body.readUnsignedByte();
        int table = body.readUnsignedByte();
        int protocol = body.readUnsignedByte();
        int scope = body.readUnsignedByte();
        int rtype = body.readUnsignedByte();
        int rflags = body.readIntLE();
        AttributeList attributes = AttributeList.read(body, body.readableBytes());
        return new RouteMessage(
                type, flags, seq, pid, family, dst, src, tos, table, protocol, scope, rtype, rflags, attributes);
    }

    @Override
    public void writeHeader(ByteBuf out) {
        out.writeByte(family);
        out.writeByte(dstLength);
        out.writeByte(srcLength);
        out.writeByte(tos);
        out.writeByte(table);
        out.writeByte(protocol);
        out.writeByte(scope);
        out.writeByte(routeType);
        out.writeIntLE(routeFlags);
    }

    /** The routing table: {@code RTA_TABLE} when present (tables above 255), else {@code rtm_table}. */
    public int effectiveTable() {
        return attributes.u32(Rta.RTA_TABLE, table);
    }

    /** {@code RTA_DST}, or null for a default route. */
    public InetAddress destination() {
        return attributes.address(Rta.RTA_DST);
    }

    /** {@code RTA_GATEWAY}, or null. */
    public InetAddress gateway() {
        return attributes.address(Rta.RTA_GATEWAY);
    }

    /** {@code RTA_OIF}, or 0. */
    public int outputInterface() {
        return attributes.u32(Rta.RTA_OIF, 0);
    }

    /** {@code RTA_PRIORITY} (the metric), or -1. */
    public long priority() {
        return attributes.has(Rta.RTA_PRIORITY) ? attributes.u32(Rta.RTA_PRIORITY, 0) & 0xffffffffL : -1;
    }

    /** {@code RTA_PREFSRC}, or null. */
    public InetAddress preferredSource() {
        return attributes.address(Rta.RTA_PREFSRC);
    }

    /** {@code RTA_METRICS → RTAX_MTU}, or 0. */
    public int mtu() {
        return attributes.nested(Rta.RTA_METRICS).u32(Rta.RTAX_MTU, 0);
    }

    /** {@code RTA_METRICS → RTAX_ADVMSS}, or 0. */
    public int advmss() {
        return attributes.nested(Rta.RTA_METRICS).u32(Rta.RTAX_ADVMSS, 0);
    }

    /** {@code RTA_MULTIPATH}: the next hops of an ECMP route, empty for a single-path route. */
    public java.util.List<NextHop> nextHops() {
        byte[] b = attributes.bytes(Rta.RTA_MULTIPATH);
        return b == null ? java.util.List.of() : NextHop.decodeAll(b);
    }

    @Override
    public String toString() {
        return RtnlNames.message(type) + "[seq=" + sequence + ", dst=" + destination() + "/" + dstLength + ", gw="
                + gateway() + ", table=" + effectiveTable() + ", attrs="
                + attributes.toString(RtnlNames::routeAttribute) + "]";
    }
}
