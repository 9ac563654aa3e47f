package dev.podnet.netlink.route;

import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;

/**
 * {@code RTM_NEWNSID / RTM_DELNSID / RTM_GETNSID}: a {@code struct rtgenmsg} (the family, padded to
 * four bytes) followed by {@code NETNSA_*} attributes. The id a namespace has as seen from the
 * socket's own namespace is what {@code IFLA_LINK_NETNSID} of a link whose peer lives there names.
 */
public record NsidMessage(int type, int flags, int sequence, int portId, int family, AttributeList attributes)
        implements RtnetlinkMessage {
    /** {@code struct rtgenmsg}, aligned. */
    public static final int HEADER_LENGTH = 4;

    public static final int NETNSA_NSID = 1;
    public static final int NETNSA_PID = 2;
    public static final int NETNSA_FD = 3;
    /** The id of a namespace that has none as seen from here. */
    public static final int NSID_NOT_ASSIGNED = -1;

    /** Asks for the id of the namespace behind the open descriptor {@code fd}. */
    public static NsidMessage getByFd(int fd) {
        return new NsidMessage(
                Rtm.RTM_GETNSID,
                0,
                0,
                0,
                Rtm.AF_UNSPEC,
                AttributeList.builder().u32(NETNSA_FD, fd).build());
    }

    static NsidMessage decode(int type, int flags, int seq, int pid, ByteBuf body) {
        RouteMessages.requireFixedHeader(type, body, HEADER_LENGTH, "rtgenmsg");
        int family = body.readUnsignedByte();
        body.skipBytes(3);
        AttributeList attributes = AttributeList.read(body, body.readableBytes());
        return new NsidMessage(type, flags, seq, pid, family, attributes);
    }

    @Override
    public void writeHeader(ByteBuf out) {
        out.writeByte(family);
        out.writeZero(3);
    }

    /** {@code NETNSA_NSID} (signed), or {@link #NSID_NOT_ASSIGNED}. */
    public int nsid() {
        return attributes.u32(NETNSA_NSID, NSID_NOT_ASSIGNED);
    }

    @Override
    public String toString() {
        return RtnlNames.message(type) + "[seq=" + sequence + ", nsid=" + nsid() + ", attrs=" + attributes + "]";
    }
}
