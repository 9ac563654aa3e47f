package dev.podnet.netlink.nft;

import dev.podnet.netlink.attr.AttributeFormatException;
import dev.podnet.netlink.attr.AttributeList;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading nf_tables' attributes: integers are big-endian, lists repeat {@code NFTA_LIST_ELEM}, and
 * the kernel's nests carry no {@code NLA_F_NESTED} ({@link AttributeList#nested} matches types
 * without the flag bits, so it reads them by schema as they are).
 */
final class NftAttrs {
    private NftAttrs() {}

    /** Attribute numbers {@link Nft.Attr} does not have: podnet writes none of them, but dumps carry them. */
    static final int META_SREG = 3;

    static final int MASQ_FLAGS = 1;
    static final int MASQ_REG_PROTO_MIN = 2;
    static final int MASQ_REG_PROTO_MAX = 3;
    static final int CT_DIRECTION = 3;
    static final int CT_SREG = 4;

    /** A big-endian u32 (or signed s32), or {@code absent}; a value that is not 4 bytes is malformed. */
    static int be32(AttributeList a, int type, int absent) {
        byte[] v = a.bytes(type);
        if (v == null) {
            return absent;
        }
        if (v.length != 4) {
            throw new AttributeFormatException("nf_tables attribute " + type + " of " + v.length + " bytes, not 4");
        }
        return (v[0] & 0xff) << 24 | (v[1] & 0xff) << 16 | (v[2] & 0xff) << 8 | (v[3] & 0xff);
    }

    /** A big-endian u64, or {@code absent}; a value that is not 8 bytes is malformed. */
    static long be64(AttributeList a, int type, long absent) {
        byte[] v = a.bytes(type);
        if (v == null) {
            return absent;
        }
        if (v.length != 8) {
            throw new AttributeFormatException("nf_tables attribute " + type + " of " + v.length + " bytes, not 8");
        }
        long n = 0;
        for (byte b : v) {
            n = n << 8 | (b & 0xff);
        }
        return n;
    }

    /** A u8 (nf_tables' few byte-sized attributes, such as {@code NFTA_CT_DIRECTION}), or {@code absent}. */
    static int u8(AttributeList a, int type, int absent) {
        byte[] v = a.bytes(type);
        if (v == null) {
            return absent;
        }
        if (v.length != 1) {
            throw new AttributeFormatException("nf_tables attribute " + type + " of " + v.length + " bytes, not 1");
        }
        return v[0] & 0xff;
    }

    /** The {@code NFTA_DATA_VALUE} inside the {@code NFTA_DATA_*} nest {@code type}, or null. */
    static byte[] value(AttributeList a, int type) {
        if (!a.has(type)) {
            return null;
        }
        return a.nested(type).bytes(Nft.Data.VALUE);
    }

    /**
     * Every attribute of {@code list}, whatever its type (the kernel numbers {@code NFTA_LIST_ELEM}s
     * 1 and ignores the number), each as the attributes nested in it.
     *
     * @throws AttributeFormatException when an element is not a well-formed nest
     */
    static List<AttributeList> elements(AttributeList list) {
        byte[] b = list.toByteArray();
        List<AttributeList> out = new ArrayList<>();
        int p = 0;
        while (b.length - p >= AttributeList.NLA_HDRLEN) {
            int len = (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
            if (len < AttributeList.NLA_HDRLEN || len > b.length - p) {
                throw new AttributeFormatException(
                        "list element at offset " + p + " claims length " + len + " of " + (b.length - p));
            }
            out.add(AttributeList.wrap(b, p + AttributeList.NLA_HDRLEN, len - AttributeList.NLA_HDRLEN));
            p += AttributeList.align(len);
        }
        return out;
    }
}
