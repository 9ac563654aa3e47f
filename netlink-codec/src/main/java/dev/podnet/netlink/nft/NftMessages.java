package dev.podnet.netlink.nft;

import dev.podnet.netlink.MessageFactory;
import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;

/**
 * Decodes nf_tables messages ({@code NFNL_SUBSYS_NFTABLES}), and conntrack's ({@code
 * NFNL_SUBSYS_CTNETLINK}, the same {@code nfgenmsg} layout), into {@link NftMessage}s.
 */
public final class NftMessages implements MessageFactory {
    /** The one instance (stateless). */
    public static final NftMessages INSTANCE = new NftMessages();

    private NftMessages() {}

    @Override
    public NetlinkMessage decode(int type, int flags, int sequence, int portId, ByteBuf body) {
        if (type >> 8 != Nft.SUBSYS_NFTABLES && type >> 8 != Conntrack.SUBSYS_CTNETLINK) {
            return null;
        }
        if (body.readableBytes() < Nft.NFGENMSG_LENGTH) {
            throw new NetlinkDecodeException(
                    Nft.Msg.name(type) + " body of " + body.readableBytes() + " bytes, shorter than struct nfgenmsg");
        }
        int family = body.readUnsignedByte();
        body.skipBytes(1);
        int resourceId = body.readUnsignedShort();
        AttributeList attributes = AttributeList.read(body, body.readableBytes());
        return new NftMessage(type, flags, sequence, portId, family, resourceId, attributes);
    }

    @Override
    public String typeName(int type) {
        return Nft.Msg.name(type);
    }
}
