package dev.podnet.netlink.nft;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.RequestWriter;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * One nf_tables transaction written straight into a buffer: {@code NFNL_MSG_BATCH_BEGIN}, the
 * messages, {@code NFNL_MSG_BATCH_END}, through the codec's one encoder ({@link RequestWriter}). The
 * kernel applies a transaction whole or not at all, and takes exactly one per datagram: send the
 * buffer as one datagram ({@link NftSocket#commit}), never joined with anything else.
 *
 * <p>Every message but the markers asks for an acknowledgement, so that each is answered (an error
 * names the failing message, and with the kernel's offset the failing element); the markers are
 * acknowledged only by kernels from 6.10 and are not asked to be. Each message carries a short
 * description for errors ({@link #description}). A batch is not thread-safe; the buffer stays the
 * caller's.
 *
 * <pre>{@code
 * NftBatch b = NftBatch.begin(buf)
 *         .addTable("podnet")
 *         .addBaseChain("podnet", "postrouting", "nat", Nft.Hook.POST_ROUTING, Nft.Hook.PRIORITY_SRCNAT);
 * b.addRule("podnet", "postrouting").payload(...).lookup(...).masq().end();
 * b.end();
 * }</pre>
 *
 * <p>Why one file of some 500 lines: the transaction and its two writers, {@link Rule} (expressions)
 * and {@link Elements} (set elements), share one {@link RequestWriter}, one message count and one
 * description list; as nested classes they stay in step without exposing that state.
 */
public final class NftBatch {
    private static final int ACKED = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;

    private final RequestWriter w = new RequestWriter();
    private ByteBuf out;
    private int start;
    private final List<String> descriptions = new ArrayList<>();
    private boolean ended;
    /** The transaction's set ids ({@code NFTA_SET_ID}, which the kernel requires of a new set). */
    private int setIds;
    /** The one element writer, handed out by each element message (one is open at a time). */
    private final Elements elementWriter = new Elements(this, w);

    private NftBatch() {}

    /** Begins a transaction at {@code out}'s writer index. */
    public static NftBatch begin(ByteBuf out) {
        return new NftBatch().restart(out);
    }

    /**
     * Begins a transaction that the kernel refuses whole ({@code ERESTART}) unless the ruleset is
     * still at generation {@code genId} ({@link NftSocket#generation}): for changes computed from a
     * dump.
     */
    public static NftBatch begin(ByteBuf out, int genId) {
        return new NftBatch().restart(out, genId, true);
    }

    /**
     * Begins a new transaction with this batch at {@code out}'s writer index, forgetting the last one:
     * a batch reused transaction after transaction (on one thread) allocates nothing but what its
     * descriptions are made of.
     */
    public NftBatch restart(ByteBuf out) {
        return restart(out, 0, false);
    }

    private NftBatch restart(ByteBuf out, int genId, boolean withGenId) {
        this.out = out;
        this.start = out.writerIndex();
        this.ended = false;
        this.setIds = 0;
        descriptions.clear();
        w.reset(out);
        w.begin(Nft.Msg.BATCH_BEGIN, Netlink.NLM_F_REQUEST).nfgenmsg(Nft.Family.UNSPEC, Nft.SUBSYS_NFTABLES);
        if (withGenId) {
            w.be32(Nft.NFNL_BATCH_GENID, genId);
        }
        w.end();
        descriptions.add("NFNL_MSG_BATCH_BEGIN");
        return this;
    }

    /** Ends the transaction ({@code NFNL_MSG_BATCH_END}); returns the number of messages, markers included. */
    public int end() {
        open();
        w.begin(Nft.Msg.BATCH_END, Netlink.NLM_F_REQUEST)
                .nfgenmsg(Nft.Family.UNSPEC, Nft.SUBSYS_NFTABLES)
                .end();
        descriptions.add("NFNL_MSG_BATCH_END");
        ended = true;
        return descriptions.size();
    }

    /** Messages written so far, markers included. */
    public int count() {
        return descriptions.size();
    }

    /** The buffer the transaction is written into. */
    public ByteBuf buffer() {
        return out;
    }

    /** Where the transaction starts in the buffer. */
    public int start() {
        return start;
    }

    /** The description of message {@code index} (0 is BATCH_BEGIN), for errors. */
    public String description(int index) {
        return index >= 0 && index < descriptions.size() ? descriptions.get(index) : "message " + index;
    }

    /** Whether {@link #end} was written. */
    public boolean ended() {
        return ended;
    }

    private void open() {
        if (ended) {
            throw new IllegalStateException("the batch is ended");
        }
    }

    private RequestWriter message(int type, int flags, String description) {
        open();
        descriptions.add(description);
        return w.begin(type, flags | ACKED).nfgenmsg(Nft.Family.INET, 0);
    }

    /** {@code NFT_MSG_NEWTABLE}: an {@code inet} table (nothing changes when it exists). */
    public NftBatch addTable(String table) {
        message(Nft.Msg.NEWTABLE, 0, "add table inet " + table)
                .string(Nft.Table.NAME, table)
                .be32(Nft.Table.FLAGS, 0)
                .end();
        return this;
    }

    /** {@code NFT_MSG_DELTABLE}: the table and everything in it ({@code ENOENT} when there is none). */
    public NftBatch deleteTable(String table) {
        message(Nft.Msg.DELTABLE, 0, "delete table inet " + table)
                .string(Nft.Table.NAME, table)
                .end();
        return this;
    }

    /** A regular chain (a jump target). */
    public NftBatch addChain(String table, String chain) {
        message(Nft.Msg.NEWCHAIN, Netlink.NLM_F_CREATE, "add chain inet " + table + " " + chain)
                .string(Nft.Chain.TABLE, table)
                .string(Nft.Chain.NAME, chain)
                .end();
        return this;
    }

    /**
     * A base chain on {@code hook} ({@link Nft.Hook}) at {@code priority}, of {@code type}
     * ({@code nat}, {@code filter}), policy accept.
     */
    public NftBatch addBaseChain(String table, String chain, String type, int hook, int priority) {
        message(Nft.Msg.NEWCHAIN, Netlink.NLM_F_CREATE, "add chain inet " + table + " " + chain + " (" + type + ")")
                .string(Nft.Chain.TABLE, table)
                .string(Nft.Chain.NAME, chain)
                .nest(Nft.Chain.HOOK)
                .be32(Nft.Hook.HOOKNUM, hook)
                .be32(Nft.Hook.PRIORITY, priority)
                .endNest()
                .be32(Nft.Chain.POLICY, Nft.Data.ACCEPT)
                .string(Nft.Chain.TYPE, type)
                .end();
        return this;
    }

    /**
     * A set, or a map when {@code dataLength > 0} ({@link Nft.Set#F_MAP} is added then). A
     * concatenated key with intervals gives the length of each field ({@code fieldLengths}, in
     * bytes; empty otherwise). A set of interface names ({@link Nft.Type#IFNAME}) is marked host
     * order for nft's listing, as nft marks it.
     */
    public NftBatch addSet(
            String table,
            String set,
            int flags,
            int keyType,
            int keyLength,
            int dataType,
            int dataLength,
            int... fieldLengths) {
        RequestWriter m = message(Nft.Msg.NEWSET, Netlink.NLM_F_CREATE, "add set inet " + table + " " + set)
                .string(Nft.Set.TABLE, table)
                .string(Nft.Set.NAME, set)
                .be32(Nft.Set.FLAGS, dataLength > 0 ? flags | Nft.Set.F_MAP : flags)
                .be32(Nft.Set.KEY_TYPE, keyType)
                .be32(Nft.Set.KEY_LEN, keyLength)
                .be32(Nft.Set.ID, ++setIds);
        if (dataLength > 0) {
            m.be32(Nft.Set.DATA_TYPE, dataType).be32(Nft.Set.DATA_LEN, dataLength);
        }
        if (keyType == Nft.Type.IFNAME) {
            // nft's userdata TLV KEYBYTEORDER = host: without it nft reads an interface name as a
            // big-endian number and prints it reversed (the kernel compares the bytes either way)
            m.open(Nft.Set.USERDATA)
                    .rawByte(0)
                    .rawByte(4)
                    .rawBytes(new byte[] {1, 0, 0, 0})
                    .endNest();
        }
        if (fieldLengths.length > 0) {
            m.nest(Nft.Set.DESC).nest(Nft.Set.DESC_CONCAT);
            for (int len : fieldLengths) {
                m.nest(Nft.Expr.LIST_ELEM).be32(Nft.Set.FIELD_LEN, len).endNest();
            }
            m.endNest().endNest();
        }
        m.end();
        return this;
    }

    /** A rule appended to {@code chain}: write its expressions, then {@link Rule#end}. */
    public Rule addRule(String table, String chain) {
        RequestWriter m = message(
                        Nft.Msg.NEWRULE,
                        Netlink.NLM_F_CREATE | Netlink.NLM_F_APPEND,
                        "add rule inet " + table + " " + chain)
                .string(Nft.Rule.TABLE, table)
                .string(Nft.Rule.CHAIN, chain)
                .nest(Nft.Rule.EXPRESSIONS);
        return new Rule(this, m);
    }

    /**
     * Elements to add to {@code set}; with {@code exclusive} an existing key fails the transaction
     * with {@code EEXIST} (without, an existing key with other data fails it as well, one with the
     * same data is left as it is).
     */
    public Elements addElements(String table, String set, boolean exclusive, String description) {
        return elements(
                Nft.Msg.NEWSETELEM,
                Netlink.NLM_F_CREATE | (exclusive ? Netlink.NLM_F_EXCL : 0),
                table,
                set,
                description);
    }

    /**
     * Elements to delete from {@code set}, by key: a missing one fails the transaction with
     * {@code ENOENT}; with {@code ifPresent} ({@code NFT_MSG_DESTROYSETELEM}, kernel 6.3 and
     * later) missing ones are ignored.
     */
    public Elements deleteElements(String table, String set, boolean ifPresent, String description) {
        return elements(ifPresent ? Nft.Msg.DESTROYSETELEM : Nft.Msg.DELSETELEM, 0, table, set, description);
    }

    private Elements elements(int type, int flags, String table, String set, String description) {
        message(type, flags, description)
                .string(Nft.Elem.LIST_TABLE, table)
                .string(Nft.Elem.LIST_SET, set)
                .nest(Nft.Elem.LIST_ELEMENTS);
        elementWriter.elements = 0;
        return elementWriter;
    }

    /** The expressions of one rule, in order; {@link #end} closes the rule. Registers are {@link Nft.Reg}'s numbers. */
    public static final class Rule {
        private final NftBatch batch;
        private final RequestWriter w;

        private Rule(NftBatch batch, RequestWriter w) {
            this.batch = batch;
            this.w = w;
        }

        private RequestWriter expr(String name) {
            return w.nest(Nft.Expr.LIST_ELEM).string(Nft.Expr.NAME, name).nest(Nft.Expr.DATA);
        }

        private Rule done() {
            w.endNest().endNest();
            return this;
        }

        /** {@code meta load KEY => reg}. */
        public Rule meta(int key, int dreg) {
            expr("meta").be32(Nft.Attr.META_KEY, key).be32(Nft.Attr.META_DREG, dreg);
            return done();
        }

        /** {@code payload load LEN b @ BASE header + OFFSET => reg}. */
        public Rule payload(int base, int offset, int length, int dreg) {
            expr("payload")
                    .be32(Nft.Attr.PAYLOAD_DREG, dreg)
                    .be32(Nft.Attr.PAYLOAD_BASE, base)
                    .be32(Nft.Attr.PAYLOAD_OFFSET, offset)
                    .be32(Nft.Attr.PAYLOAD_LEN, length);
            return done();
        }

        /** {@code cmp OP reg VALUE}: the register's first {@code value.length} bytes. */
        public Rule cmp(int sreg, int op, byte[] value) {
            expr("cmp")
                    .be32(Nft.Attr.CMP_SREG, sreg)
                    .be32(Nft.Attr.CMP_OP, op)
                    .nest(Nft.Attr.CMP_DATA)
                    .bytes(Nft.Data.VALUE, value)
                    .endNest();
            return done();
        }

        /** {@code bitwise reg = (reg & MASK) ^ XOR}, over {@code mask.length} bytes. */
        public Rule bitwise(int sreg, int dreg, byte[] mask, byte[] xor) {
            expr("bitwise")
                    .be32(Nft.Attr.BITWISE_SREG, sreg)
                    .be32(Nft.Attr.BITWISE_DREG, dreg)
                    .be32(Nft.Attr.BITWISE_LEN, mask.length)
                    .nest(Nft.Attr.BITWISE_MASK)
                    .bytes(Nft.Data.VALUE, mask)
                    .endNest()
                    .nest(Nft.Attr.BITWISE_XOR)
                    .bytes(Nft.Data.VALUE, xor)
                    .endNest();
            return done();
        }

        /** {@code lookup reg set SET}, negated with {@code inverted} (a set, not a map). */
        public Rule lookup(String set, int sreg, boolean inverted) {
            RequestWriter e = expr("lookup").string(Nft.Attr.LOOKUP_SET, set).be32(Nft.Attr.LOOKUP_SREG, sreg);
            if (inverted) {
                e.be32(Nft.Attr.LOOKUP_FLAGS, Nft.Val.LOOKUP_INV);
            }
            return done();
        }

        /** {@code lookup reg set MAP dreg}: the map's data into {@code dreg} (no match ends the rule). */
        public Rule map(String map, int sreg, int dreg) {
            expr("lookup")
                    .string(Nft.Attr.LOOKUP_SET, map)
                    .be32(Nft.Attr.LOOKUP_SREG, sreg)
                    .be32(Nft.Attr.LOOKUP_DREG, dreg);
            return done();
        }

        /** {@code immediate reg 0 VERDICT} ({@link Nft.Data#ACCEPT}, {@link Nft.Data#RETURN} ...). */
        public Rule verdict(int code) {
            return verdict(code, null);
        }

        /** {@code immediate reg 0 jump CHAIN}. */
        public Rule jump(String chain) {
            return verdict(Nft.Data.JUMP, chain);
        }

        /** A verdict, with the chain it goes to for a jump or goto (else null). */
        private Rule verdict(int code, String chain) {
            RequestWriter e = expr("immediate")
                    .be32(Nft.Attr.IMMEDIATE_DREG, Nft.Reg.VERDICT)
                    .nest(Nft.Attr.IMMEDIATE_DATA)
                    .nest(Nft.Data.VERDICT)
                    .be32(Nft.Data.VERDICT_CODE, code);
            if (chain != null) {
                e.string(Nft.Data.VERDICT_CHAIN, chain);
            }
            e.endNest().endNest();
            return done();
        }

        /** {@code nat dnat FAMILY addr_min reg proto_min reg} ({@link Nft.Family#IPV4} or {@link Nft.Family#IPV6}). */
        public Rule dnat(int family, int addrReg, int protoReg) {
            expr("nat")
                    .be32(Nft.Attr.NAT_TYPE, Nft.Val.NAT_DNAT)
                    .be32(Nft.Attr.NAT_FAMILY, family)
                    .be32(Nft.Attr.NAT_REG_ADDR_MIN, addrReg)
                    .be32(Nft.Attr.NAT_REG_PROTO_MIN, protoReg);
            return done();
        }

        /** {@code masq}: source NAT to the outgoing interface's address. */
        public Rule masq() {
            expr("masq");
            return done();
        }

        /** {@code ct load KEY => reg} ({@link Nft.Val#CT_STATE}, {@link Nft.Val#CT_STATUS}). */
        public Rule ct(int key, int dreg) {
            expr("ct").be32(Nft.Attr.CT_KEY, key).be32(Nft.Attr.CT_DREG, dreg);
            return done();
        }

        /** {@code fib daddr type => reg}: the destination's address type ({@code RTN_LOCAL} is 2). */
        public Rule fibDaddrType(int dreg) {
            expr("fib")
                    .be32(Nft.Attr.FIB_DREG, dreg)
                    .be32(Nft.Attr.FIB_RESULT, Nft.Val.FIB_RESULT_ADDRTYPE)
                    .be32(Nft.Attr.FIB_FLAGS, Nft.Val.FIB_F_DADDR);
            return done();
        }

        /** {@code counter}. */
        public Rule counter() {
            expr("counter");
            return done();
        }

        /** Closes the rule; the batch, to go on. */
        public NftBatch end() {
            w.endNest().end();
            return batch;
        }
    }

    /**
     * The elements of one set message, each {@link #element begun}, given a key (and for a map its
     * data), optional flags and comment, and {@link #endElement ended}; {@link #end} closes the
     * message. Keys and data are written field by field, each field padded to 4 bytes as the kernel
     * lays out concatenations.
     */
    public static final class Elements {
        private final NftBatch batch;
        private final RequestWriter w;
        private int elements;

        private Elements(NftBatch batch, RequestWriter w) {
            this.batch = batch;
            this.w = w;
        }

        /** Begins an element. */
        public Elements element() {
            w.nest(Nft.Expr.LIST_ELEM);
            elements++;
            return this;
        }

        /** Begins the element's key ({@code NFTA_SET_ELEM_KEY}). */
        public Elements key() {
            w.nest(Nft.Elem.KEY).open(Nft.Data.VALUE);
            return this;
        }

        /** Begins the inclusive end of a concatenated interval ({@code NFTA_SET_ELEM_KEY_END}). */
        public Elements keyEnd() {
            w.nest(Nft.Elem.KEY_END).open(Nft.Data.VALUE);
            return this;
        }

        /** Begins the element's data, for a map ({@code NFTA_SET_ELEM_DATA}). */
        public Elements data() {
            w.nest(Nft.Elem.DATA).open(Nft.Data.VALUE);
            return this;
        }

        /** Ends the key, key end or data begun last. */
        public Elements endValue() {
            w.endNest().endNest();
            return this;
        }

        /** A one-byte field (a protocol number), padded to 4 bytes. */
        public Elements u8(int value) {
            w.rawByte(value).rawZero(3);
            return this;
        }

        /** A two-byte field in network order (a port), padded to 4 bytes. */
        public Elements port(int value) {
            w.rawShort(value).rawZero(2);
            return this;
        }

        /** An address field, in network order (4 or 16 bytes). */
        public Elements address(byte[] address) {
            w.rawBytes(address);
            return this;
        }

        /** An IPv4 address field given as an int ({@code a << 24 | ...}). */
        public Elements ipv4(int address) {
            w.rawInt(address);
            return this;
        }

        /** {@code NFTA_SET_ELEM_FLAGS} ({@link Nft.Elem#F_INTERVAL_END}). */
        public Elements flags(int flags) {
            w.be32(Nft.Elem.FLAGS, flags);
            return this;
        }

        /**
         * The element's comment, as nft writes and shows it (userdata TLV type 0, NUL-terminated):
         * podnet writes who the element belongs to. ASCII, at most 127 bytes.
         */
        public Elements comment(String text) {
            int n = text.length();
            if (n > 127) {
                throw new IllegalArgumentException("comment longer than 127 bytes: " + text);
            }
            w.open(Nft.Elem.USERDATA).rawByte(0).rawByte(n + 1);
            for (int i = 0; i < n; i++) {
                char c = text.charAt(i);
                if (c >= 0x80 || c == 0) {
                    throw new IllegalArgumentException("comment is not printable ASCII: " + text);
                }
                w.rawByte(c);
            }
            w.rawByte(0).endNest();
            return this;
        }

        /** Ends the element. */
        public Elements endElement() {
            w.endNest();
            return this;
        }

        /** Elements written so far in this message. */
        public int count() {
            return elements;
        }

        /** Closes the message; the batch, to go on. */
        public NftBatch end() {
            w.endNest().end();
            return batch;
        }
    }
}
