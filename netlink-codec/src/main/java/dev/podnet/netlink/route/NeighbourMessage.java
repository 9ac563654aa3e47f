package dev.podnet.netlink.route;

import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;

/**
 * {@code RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH}: a {@code struct ndmsg} followed by
 * {@code NDA_*} attributes.
 *
 * @param state          {@code ndm_state} (NUD_*)
 * @param neighbourFlags {@code ndm_flags} (NTF_*)
 * @param neighbourType  {@code ndm_type}
 */
public record NeighbourMessage(
        int type,
        int flags,
        int sequence,
        int portId,
        int family,
        int index,
        int state,
        int neighbourFlags,
        int neighbourType,
        AttributeList attributes)
        implements RtnetlinkMessage {
    /** Size of {@code struct ndmsg}. */
    public static final int HEADER_LENGTH = 12;

    public static NeighbourMessage request(
            int type, int flags, int family, int index, int state, AttributeList attributes) {
        return new NeighbourMessage(type, flags, 0, 0, family, index, state, 0, 0, attributes);
    }

    static NeighbourMessage decode(int type, int flags, int seq, int pid, ByteBuf body) {
        RouteMessages.requireFixedHeader(type, body, HEADER_LENGTH, "ndmsg");
        int family = body.readUnsignedByte();
        body.skipBytes(3);
        int index = body.readIntLE();
        int state = body.readUnsignedShortLE();
        int nflags = body.readUnsignedByte();
        int ntype = body.readUnsignedByte();
        AttributeList attributes = AttributeList.read(body, body.readableBytes());
        return new NeighbourMessage(type, flags, seq, pid, family, index, state, nflags, ntype, attributes);
    }

    @Override
    public void writeHeader(ByteBuf out) {
        out.writeByte(family);
        out.writeZero(3);
        out.writeIntLE(index);
        out.writeShortLE(state);
        out.writeByte(neighbourFlags);
        out.writeByte(neighbourType);
    }

    /** {@code NDA_DST}, or null. */
    public InetAddress destination() {
        return attributes.address(Nda.NDA_DST);
    }

    /** {@code NDA_LLADDR}, or null. */
    public byte[] linkLayerAddress() {
        return attributes.bytes(Nda.NDA_LLADDR);
    }

    @Override
    public String toString() {
        return RtnlNames.message(type) + "[seq=" + sequence + ", index=" + index + ", dst=" + destination() + ", state="
                + Nda.stateName(state) + ", attrs=" + attributes.toString(RtnlNames::neighbourAttribute) + "]";
    }
}
