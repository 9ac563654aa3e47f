package dev.podnet.netlink.nft;

import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;

/**
 * An nf_tables message as the kernel sent it (a dump's table, chain, rule, set or elements, or
 * the generation): the {@code nfgenmsg} fields and the attributes. The kernel does not mark the
 * nested attributes of its replies ({@code NLA_F_NESTED}): read them by the schema of the type.
 *
 * @param family     {@code nfgen_family} ({@link Nft.Family})
 * @param resourceId {@code res_id} (in dumps, the low 16 bits of the generation)
 */
public record NftMessage(
        int type, int flags, int sequence, int portId, int family, int resourceId, AttributeList attributes)
        implements NetlinkMessage {

    @Override
    public int bodyLength() {
        return Nft.NFGENMSG_LENGTH + attributes.encodedLength();
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeByte(family);
        out.writeByte(Nft.NFNETLINK_V0);
        out.writeShort(resourceId);
        attributes.writeTo(out);
    }

    @Override
    public String toString() {
        return Nft.Msg.name(type) + " family " + family + " " + attributes;
    }
}
