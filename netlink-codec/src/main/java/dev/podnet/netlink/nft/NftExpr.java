package dev.podnet.netlink.nft;

import dev.podnet.netlink.attr.AttributeFormatException;
import dev.podnet.netlink.attr.AttributeList;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One expression of a rule as the kernel dumps it ({@code NFTA_LIST_ELEM} of
 * {@code NFTA_RULE_EXPRESSIONS}: a name and its {@code NFTA_EXPR_DATA}). The expressions podnet's
 * table uses are typed; any other (or one missing an attribute it cannot do without) stays an
 * {@link Unknown} with its attributes. Registers are the kernel's numbers ({@link Nft.Reg}); a
 * register or an integer attribute the kernel did not send is {@link #ABSENT}.
 */
public sealed interface NftExpr
        permits NftExpr.Meta,
                NftExpr.Payload,
                NftExpr.Cmp,
                NftExpr.Bitwise,
                NftExpr.Lookup,
                NftExpr.Immediate,
                NftExpr.Nat,
                NftExpr.Masq,
                NftExpr.Ct,
                NftExpr.Fib,
                NftExpr.Counter,
                NftExpr.Unknown {

    /** The value of an integer field whose attribute was not sent. */
    int ABSENT = -1;

    /** The kernel's name of the expression ({@code NFTA_EXPR_NAME}): {@code meta}, {@code cmp} ... */
    String name();

    /** {@code meta}: loads {@code key} ({@code NFT_META_*}) into {@code dreg}, or sets it from {@code sreg}. */
    record Meta(int key, int dreg, int sreg) implements NftExpr {
        @Override
        public String name() {
            return "meta";
        }
    }

    /** {@code payload}: loads {@code length} bytes at {@code offset} of header {@code base} into {@code dreg}. */
    record Payload(int dreg, int base, int offset, int length) implements NftExpr {
        @Override
        public String name() {
            return "payload";
        }
    }

    /** {@code cmp}: compares register {@code sreg} with {@code data} ({@code NFT_CMP_*} {@code op}). */
    record Cmp(int sreg, int op, byte[] data) implements NftExpr {
        public Cmp {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public String name() {
            return "cmp";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cmp c && c.sreg == sreg && c.op == op && Arrays.equals(c.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * sreg + op) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Cmp[sreg=" + sreg + ", op=" + op + ", data="
                    + HexFormat.of().formatHex(data) + "]";
        }
    }

    /** {@code bitwise}: {@code dreg = (sreg & mask) ^ xor} over {@code length} bytes (null: not sent). */
    record Bitwise(int sreg, int dreg, int length, byte[] mask, byte[] xor) implements NftExpr {
        public Bitwise {
            mask = mask == null ? null : mask.clone();
            xor = xor == null ? null : xor.clone();
        }

        @Override
        public byte[] mask() {
            return mask == null ? null : mask.clone();
        }

        @Override
        public byte[] xor() {
            return xor == null ? null : xor.clone();
        }

        @Override
        public String name() {
            return "bitwise";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bitwise b
                    && b.sreg == sreg
                    && b.dreg == dreg
                    && b.length == length
                    && Arrays.equals(b.mask, mask)
                    && Arrays.equals(b.xor, xor);
        }

        @Override
        public int hashCode() {
            return ((31 * sreg + dreg) * 31 + length) * 961 + Arrays.hashCode(mask) * 31 + Arrays.hashCode(xor);
        }

        @Override
        public String toString() {
            return "Bitwise[sreg=" + sreg + ", dreg=" + dreg + ", length=" + length + ", mask=" + hex(mask) + ", xor="
                    + hex(xor) + "]";
        }
    }

    /**
     * {@code lookup}: looks the key starting at {@code sreg} up in {@code set}; for a map, writes the
     * element's data from {@code dreg} on ({@link #ABSENT} for a set). {@code inverted}:
     * {@code NFT_LOOKUP_F_INV}, a match when the key is not there.
     */
    record Lookup(String set, int sreg, int dreg, boolean inverted) implements NftExpr {
        @Override
        public String name() {
            return "lookup";
        }

        /** True for a map lookup (it writes data into {@link #dreg}). */
        public boolean isMap() {
            return dreg != ABSENT;
        }
    }

    /**
     * {@code immediate}: a verdict ({@code dreg} {@link Nft.Reg#VERDICT}, {@code verdict} one of the
     * {@link Nft.Data} codes, {@code chain} the target of a jump or goto, {@code data} null) or data
     * loaded into {@code dreg} ({@code verdict} null).
     */
    record Immediate(int dreg, Integer verdict, String chain, byte[] data) implements NftExpr {
        public Immediate {
            data = data == null ? null : data.clone();
        }

        @Override
        public byte[] data() {
            return data == null ? null : data.clone();
        }

        @Override
        public String name() {
            return "immediate";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Immediate i
                    && i.dreg == dreg
                    && java.util.Objects.equals(i.verdict, verdict)
                    && java.util.Objects.equals(i.chain, chain)
                    && Arrays.equals(i.data, data);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(dreg, verdict, chain) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Immediate[dreg=" + dreg + ", verdict=" + verdict + ", chain=" + chain + ", data=" + hex(data) + "]";
        }
    }

    /**
     * {@code nat}: {@code type} {@code NFT_NAT_SNAT}/{@code DNAT} for {@code family} ({@link Nft.Family}),
     * addresses and ports from the registers named ({@link #ABSENT} when not sent), {@code NF_NAT_RANGE_*} flags.
     */
    record Nat(int type, int family, int addrMin, int addrMax, int protoMin, int protoMax, int flags)
            implements NftExpr {
        @Override
        public String name() {
            return "nat";
        }
    }

    /** {@code masq}: masquerade, with {@code NF_NAT_RANGE_*} flags (0 when not sent) and port registers. */
    record Masq(int flags, int protoMin, int protoMax) implements NftExpr {
        @Override
        public String name() {
            return "masq";
        }
    }

    /** {@code ct}: loads {@code key} ({@code NFT_CT_*}) into {@code dreg} or sets it from {@code sreg}. */
    record Ct(int key, int dreg, int direction, int sreg) implements NftExpr {
        @Override
        public String name() {
            return "ct";
        }
    }

    /** {@code fib}: looks up {@code result} ({@code NFT_FIB_RESULT_*}) by {@code flags} ({@code NFTA_FIB_F_*}). */
    record Fib(int dreg, int result, int flags) implements NftExpr {
        @Override
        public String name() {
            return "fib";
        }
    }

    /** {@code counter}, with the counts the kernel had at the dump. */
    record Counter(long packets, long bytes) implements NftExpr {
        @Override
        public String name() {
            return "counter";
        }
    }

    /** An expression this code does not type, with its {@code NFTA_EXPR_DATA} attributes as sent. */
    record Unknown(String name, AttributeList attributes) implements NftExpr {}

    private static String hex(byte[] b) {
        return b == null ? "null" : HexFormat.of().formatHex(b);
    }

    /**
     * Decodes one expression: the attributes of its {@code NFTA_LIST_ELEM}.
     *
     * @throws AttributeFormatException when an attribute is malformed or the name missing
     */
    static NftExpr decode(AttributeList element) {
        String name = element.string(Nft.Expr.NAME);
        if (name == null) {
            throw new AttributeFormatException("an expression without NFTA_EXPR_NAME");
        }
        AttributeList a = element.nested(Nft.Expr.DATA);
        NftExpr typed = switch (name) {
            case "meta" -> meta(a);
            case "payload" -> payload(a);
            case "cmp" -> cmp(a);
            case "bitwise" -> bitwise(a);
            case "lookup" -> lookup(a);
            case "immediate" -> immediate(a);
            case "nat" -> nat(a);
            case "masq" ->
                new Masq(
                        NftAttrs.be32(a, NftAttrs.MASQ_FLAGS, 0),
                        NftAttrs.be32(a, NftAttrs.MASQ_REG_PROTO_MIN, ABSENT),
                        NftAttrs.be32(a, NftAttrs.MASQ_REG_PROTO_MAX, ABSENT));
            case "ct" -> ct(a);
            case "fib" -> fib(a);
            case "counter" ->
                new Counter(NftAttrs.be64(a, Nft.Attr.COUNTER_PACKETS, 0), NftAttrs.be64(a, Nft.Attr.COUNTER_BYTES, 0));
            default -> null;
        };
        return typed != null ? typed : new Unknown(name, a);
    }

    private static NftExpr meta(AttributeList a) {
        int key = NftAttrs.be32(a, Nft.Attr.META_KEY, ABSENT);
        if (key == ABSENT) {
            return null;
        }
        return new Meta(
                key, NftAttrs.be32(a, Nft.Attr.META_DREG, ABSENT), NftAttrs.be32(a, NftAttrs.META_SREG, ABSENT));
    }

    private static NftExpr payload(AttributeList a) {
        int base = NftAttrs.be32(a, Nft.Attr.PAYLOAD_BASE, ABSENT);
        int offset = NftAttrs.be32(a, Nft.Attr.PAYLOAD_OFFSET, ABSENT);
        int length = NftAttrs.be32(a, Nft.Attr.PAYLOAD_LEN, ABSENT);
        int dreg = NftAttrs.be32(a, Nft.Attr.PAYLOAD_DREG, ABSENT);
        if (base == ABSENT || offset == ABSENT || length == ABSENT || dreg == ABSENT) {
            return null; // a payload write (SREG, checksums) is not podnet's: left as it came
        }
        return new Payload(dreg, base, offset, length);
    }

    private static NftExpr cmp(AttributeList a) {
        int sreg = NftAttrs.be32(a, Nft.Attr.CMP_SREG, ABSENT);
        int op = NftAttrs.be32(a, Nft.Attr.CMP_OP, ABSENT);
        byte[] data = NftAttrs.value(a, Nft.Attr.CMP_DATA);
        if (sreg == ABSENT || op == ABSENT || data == null) {
            return null;
        }
        return new Cmp(sreg, op, data);
    }

    private static NftExpr bitwise(AttributeList a) {
        int sreg = NftAttrs.be32(a, Nft.Attr.BITWISE_SREG, ABSENT);
        int dreg = NftAttrs.be32(a, Nft.Attr.BITWISE_DREG, ABSENT);
        int length = NftAttrs.be32(a, Nft.Attr.BITWISE_LEN, ABSENT);
        if (sreg == ABSENT || dreg == ABSENT || length == ABSENT) {
            return null;
        }
        return new Bitwise(
                sreg, dreg, length, NftAttrs.value(a, Nft.Attr.BITWISE_MASK), NftAttrs.value(a, Nft.Attr.BITWISE_XOR));
    }

    private static NftExpr lookup(AttributeList a) {
        String set = a.string(Nft.Attr.LOOKUP_SET);
        int sreg = NftAttrs.be32(a, Nft.Attr.LOOKUP_SREG, ABSENT);
        if (set == null || sreg == ABSENT) {
            return null;
        }
        int flags = NftAttrs.be32(a, Nft.Attr.LOOKUP_FLAGS, 0);
        return new Lookup(set, sreg, NftAttrs.be32(a, Nft.Attr.LOOKUP_DREG, ABSENT), (flags & Nft.Val.LOOKUP_INV) != 0);
    }

    private static NftExpr immediate(AttributeList a) {
        int dreg = NftAttrs.be32(a, Nft.Attr.IMMEDIATE_DREG, ABSENT);
        if (dreg == ABSENT || !a.has(Nft.Attr.IMMEDIATE_DATA)) {
            return null;
        }
        AttributeList data = a.nested(Nft.Attr.IMMEDIATE_DATA);
        if (data.has(Nft.Data.VERDICT)) {
            AttributeList verdict = data.nested(Nft.Data.VERDICT);
            int code = NftAttrs.be32(verdict, Nft.Data.VERDICT_CODE, Integer.MIN_VALUE);
            if (code == Integer.MIN_VALUE) {
                return null;
            }
            return new Immediate(dreg, code, verdict.string(Nft.Data.VERDICT_CHAIN), null);
        }
        byte[] value = data.bytes(Nft.Data.VALUE);
        return value == null ? null : new Immediate(dreg, null, null, value);
    }

    private static NftExpr nat(AttributeList a) {
        int type = NftAttrs.be32(a, Nft.Attr.NAT_TYPE, ABSENT);
        int family = NftAttrs.be32(a, Nft.Attr.NAT_FAMILY, ABSENT);
        if (type == ABSENT || family == ABSENT) {
            return null;
        }
        return new Nat(
                type,
                family,
                NftAttrs.be32(a, Nft.Attr.NAT_REG_ADDR_MIN, ABSENT),
                NftAttrs.be32(a, Nft.Attr.NAT_REG_ADDR_MAX, ABSENT),
                NftAttrs.be32(a, Nft.Attr.NAT_REG_PROTO_MIN, ABSENT),
                NftAttrs.be32(a, Nft.Attr.NAT_REG_PROTO_MAX, ABSENT),
                NftAttrs.be32(a, Nft.Attr.NAT_FLAGS, 0));
    }

    private static NftExpr ct(AttributeList a) {
        int key = NftAttrs.be32(a, Nft.Attr.CT_KEY, ABSENT);
        if (key == ABSENT) {
            return null;
        }
        return new Ct(
                key,
                NftAttrs.be32(a, Nft.Attr.CT_DREG, ABSENT),
                NftAttrs.u8(a, NftAttrs.CT_DIRECTION, ABSENT),
                NftAttrs.be32(a, NftAttrs.CT_SREG, ABSENT));
    }

    private static NftExpr fib(AttributeList a) {
        int dreg = NftAttrs.be32(a, Nft.Attr.FIB_DREG, ABSENT);
        int result = NftAttrs.be32(a, Nft.Attr.FIB_RESULT, ABSENT);
        if (dreg == ABSENT || result == ABSENT) {
            return null;
        }
        return new Fib(dreg, result, NftAttrs.be32(a, Nft.Attr.FIB_FLAGS, 0));
    }
}
