package dev.podnet.netlink.route;

import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;

/**
 * {@code RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK / RTM_SETLINK}: a {@code struct ifinfomsg}
 * followed by {@code IFLA_*} attributes.
 *
 * @param family      {@code ifi_family}
 * @param deviceType  {@code ifi_type} (ARPHRD_*)
 * @param index       {@code ifi_index}, 0 when unknown or to let the kernel choose
 * @param deviceFlags {@code ifi_flags} (IFF_*)
 * @param change      {@code ifi_change}: which flags a request changes
 */
public record LinkMessage(
        int type,
        int flags,
        int sequence,
        int portId,
        int family,
        int deviceType,
        int index,
        int deviceFlags,
        int change,
        AttributeList attributes)
        implements RtnetlinkMessage {
    /** Size of {@code struct ifinfomsg}. */
    public static final int HEADER_LENGTH = 16;

    /** A request to send: sequence and port id are assigned by the channel. */
    public static LinkMessage request(
            int type, int flags, int index, int deviceFlags, int change, AttributeList attributes) {
        return new LinkMessage(type, flags, 0, 0, Rtm.AF_UNSPEC, 0, index, deviceFlags, change, attributes);
    }

    /**
     * A request that names its link by attributes alone ({@code IFLA_IFNAME}, {@code IFLA_GROUP}...):
     * no flags, interface index 0 and no device flags to change.
     */
    public static LinkMessage request(int type, AttributeList attributes) {
        return request(type, 0, 0, 0, 0, attributes);
    }

    /** Encodes a bare {@code struct ifinfomsg} (as the value of {@code VETH_INFO_PEER} starts with). */
    public static byte[] ifinfomsg(int family, int index, int deviceFlags, int change) {
        byte[] b = new byte[HEADER_LENGTH];
        b[0] = (byte) family;
        putIntLE(b, 4, index);
        putIntLE(b, 8, deviceFlags);
        putIntLE(b, 12, change);
        return b;
    }

    private static void putIntLE(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    static LinkMessage decode(int type, int flags, int seq, int pid, ByteBuf body) {
        RouteMessages.requireFixedHeader(type, body, HEADER_LENGTH, "ifinfomsg");
        int family = body.readUnsignedByte();
        body.skipBytes(1);
        int devType = body.readUnsignedShortLE();
        int index = body.readIntLE();
        int devFlags = body.readIntLE();
        int change = body.readIntLE();
        AttributeList attributes = AttributeList.read(body, body.readableBytes());
        return new LinkMessage(type, flags, seq, pid, family, devType, index, devFlags, change, attributes);
    }

    @Override
    public void writeHeader(ByteBuf out) {
        out.writeByte(family);
        out.writeByte(0);
        out.writeShortLE(deviceType);
        out.writeIntLE(index);
        out.writeIntLE(deviceFlags);
        out.writeIntLE(change);
    }

    /** {@code IFLA_IFNAME}, or null. */
    public String name() {
        return attributes.string(Ifla.IFLA_IFNAME);
    }

    /** {@code IFLA_MTU}, or 0. */
    public int mtu() {
        return attributes.u32(Ifla.IFLA_MTU, 0);
    }

    /** {@code IFLA_MASTER}, or 0. */
    public int master() {
        return attributes.u32(Ifla.IFLA_MASTER, 0);
    }

    /** {@code IFLA_LINKINFO / IFLA_INFO_KIND} ("veth", "bridge"...), or null. */
    public String kind() {
        return attributes.nested(Ifla.IFLA_LINKINFO).string(Ifla.IFLA_INFO_KIND);
    }

    /** {@code IFLA_ADDRESS} as bytes, or null. */
    public byte[] hardwareAddress() {
        return attributes.bytes(Ifla.IFLA_ADDRESS);
    }

    /** {@code IFLA_IFALIAS}, or null. */
    public String alias() {
        return attributes.string(Ifla.IFLA_IFALIAS);
    }

    /** {@code IFLA_BROADCAST} as bytes, or null. */
    public byte[] broadcastAddress() {
        return attributes.bytes(Ifla.IFLA_BROADCAST);
    }

    /** {@code IFLA_OPERSTATE} ({@code IF_OPER_*}: 6 up, 2 down, 0 unknown...). */
    public int operState() {
        return attributes.u8(Ifla.IFLA_OPERSTATE, 0);
    }

    /** {@code IFLA_GROUP}, 0 for the default group. */
    public int group() {
        return attributes.u32(Ifla.IFLA_GROUP, 0);
    }

    /** {@code IFLA_TXQLEN}, or -1. */
    public int txQueueLength() {
        return attributes.u32(Ifla.IFLA_TXQLEN, -1);
    }

    /** {@code IFLA_LINK}: the lower device (a veth's peer), 0 when none. */
    public int link() {
        return attributes.u32(Ifla.IFLA_LINK, 0);
    }

    /** {@code IFLA_LINK_NETNSID}: the namespace id of {@link #link()} when it lives in another namespace, or -1. */
    public int linkNetnsId() {
        return attributes.u32(Ifla.IFLA_LINK_NETNSID, -1);
    }

    /** {@code IFLA_STATS64}, or null. */
    public LinkStats64 stats() {
        return LinkStats64.decode(attributes.bytes(Ifla.IFLA_STATS64));
    }

    /** {@code IFLA_LINKINFO → IFLA_INFO_DATA}: the kind's own attributes (see {@link LinkKinds}). */
    public AttributeList kindData() {
        return attributes.nested(Ifla.IFLA_LINKINFO).nested(Ifla.IFLA_INFO_DATA);
    }

    /** {@code IFLA_LINKINFO → IFLA_INFO_SLAVE_KIND} ("bridge" for a bridge port), or null. */
    public String portKind() {
        return attributes.nested(Ifla.IFLA_LINKINFO).string(Ifla.IFLA_INFO_SLAVE_KIND);
    }

    /**
     * The bridge-port settings (hairpin, state, cost...) when this link is a bridge port: from
     * {@code IFLA_INFO_SLAVE_DATA}, or {@code IFLA_PROTINFO} in an {@code AF_BRIDGE} dump; else null.
     */
    public LinkKinds.BridgePort.Info bridgePort() {
        AttributeList slave = attributes.nested(Ifla.IFLA_LINKINFO).nested(Ifla.IFLA_INFO_SLAVE_DATA);
        if ("bridge".equals(portKind()) && !slave.isEmpty()) {
            return LinkKinds.BridgePort.Info.of(slave);
        }
        AttributeList prot = attributes.nested(Ifla.IFLA_PROTINFO);
        return prot.isEmpty() ? null : LinkKinds.BridgePort.Info.of(prot);
    }

    public boolean isUp() {
        return (deviceFlags & Ifla.IFF_UP) != 0;
    }

    @Override
    public String toString() {
        return RtnlNames.message(type) + "[seq=" + sequence + ", index=" + index + ", name=" + name() + ", flags=0x"
                + Integer.toHexString(deviceFlags) + ", attrs=" + attributes.toString(RtnlNames::linkAttribute) + "]";
    }
}
