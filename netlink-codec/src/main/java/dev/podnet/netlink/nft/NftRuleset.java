package dev.podnet.netlink.nft;

import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.attr.AttributeFormatException;
import dev.podnet.netlink.attr.AttributeList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An nf_tables table as the kernel dumps it, decoded into immutable records: the table, its chains,
 * sets and maps with their elements, and its rules as lists of {@link NftExpr}s. The decoders take
 * the messages of {@link NftSocket#dump}s ({@code NEWTABLE}, {@code NEWCHAIN}, {@code NEWSET},
 * {@code NEWSETELEM}, {@code NEWRULE}); they ignore attributes they do not know and throw only
 * {@link NetlinkDecodeException} (a message without what identifies it) or
 * {@link AttributeFormatException} (malformed attributes) for bad input.
 *
 * <p>Why one file of some 440 lines: the records of a dump and their decoders, one per message
 * type, read the same attribute conventions (big-endian integers, unmarked nests) and are small.
 */
public final class NftRuleset {
    private NftRuleset() {}

    /** How many times {@link #read} starts over when the ruleset changed while it read. */
    private static final int READ_ATTEMPTS = 5;

    /**
     * A table.
     *
     * @param family {@link Nft.Family}
     * @param flags  {@code NFT_TABLE_F_*} (dormant 1, owner 2, persist 4)
     */
    public record Table(String name, int family, long handle, int flags) {}

    /**
     * A chain: a base chain has a {@code type} ({@code nat}, {@code filter}), a {@code hook}
     * ({@code NF_INET_*}, {@link Nft.Hook}), a {@code priority} and a {@code policy} (0 drop, 1
     * accept); a regular chain (a jump target) has them null.
     */
    public record Chain(
            String table, String name, long handle, String type, Integer hook, Integer priority, Integer policy) {
        /** True for a base chain (one attached to a hook). */
        public boolean isBase() {
            return hook != null;
        }
    }

    /**
     * A set or map. {@code keyType} and {@code dataType} are nft's data type numbers ({@link Nft.Type};
     * a concatenation folds its fields' types, {@code 0xffffff00} is a verdict map's data),
     * the lengths are in bytes; {@code fieldLengths} are the concatenation's field lengths when the
     * kernel has them ({@code NFTA_SET_DESC_CONCAT}, sent for interval concatenations), else empty.
     *
     * @param flags {@code NFT_SET_*} ({@link Nft.Set#F_INTERVAL}, {@link Nft.Set#F_MAP} ...)
     */
    public record Set(
            String table,
            String name,
            long handle,
            int flags,
            int keyType,
            int keyLength,
            int dataType,
            int dataLength,
            List<Integer> fieldLengths) {
        public Set {
            fieldLengths = List.copyOf(fieldLengths);
        }

        /** True for a map (elements have data). */
        public boolean isMap() {
            return (flags & Nft.Set.F_MAP) != 0;
        }

        /** True for an interval set (elements are ranges). */
        public boolean isInterval() {
            return (flags & Nft.Set.F_INTERVAL) != 0;
        }
    }

    /**
     * An element of a set or map: its key (a register image: concatenated fields padded to 4 bytes
     * each), the inclusive end of a concatenated interval ({@code keyEnd}) or null, a map's data or
     * null (also for verdict data), {@code NFT_SET_ELEM_*} flags ({@link Nft.Elem#F_INTERVAL_END}
     * marks the exclusive end of a single-field interval) and the comment nft shows (userdata TLV 0)
     * or null.
     */
    public record Element(byte[] key, byte[] keyEnd, byte[] data, int flags, String comment) {
        public Element {
            key = key.clone();
            keyEnd = keyEnd == null ? null : keyEnd.clone();
            data = data == null ? null : data.clone();
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public byte[] keyEnd() {
            return keyEnd == null ? null : keyEnd.clone();
        }

        @Override
        public byte[] data() {
            return data == null ? null : data.clone();
        }

        /** True for the exclusive end of a single-field interval. */
        public boolean isIntervalEnd() {
            return (flags & Nft.Elem.F_INTERVAL_END) != 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Element e
                    && Arrays.equals(e.key, key)
                    && Arrays.equals(e.keyEnd, keyEnd)
                    && Arrays.equals(e.data, data)
                    && e.flags == flags
                    && Objects.equals(e.comment, comment);
        }

        @Override
        public int hashCode() {
            int h = Arrays.hashCode(key);
            h = 31 * h + Arrays.hashCode(keyEnd);
            h = 31 * h + Arrays.hashCode(data);
            return 31 * (31 * h + flags) + Objects.hashCode(comment);
        }

        @Override
        public String toString() {
            HexFormat hex = HexFormat.of();
            return "Element[key=" + hex.formatHex(key)
                    + (keyEnd != null ? ", keyEnd=" + hex.formatHex(keyEnd) : "")
                    + (data != null ? ", data=" + hex.formatHex(data) : "")
                    + (flags != 0 ? ", flags=" + flags : "")
                    + (comment != null ? ", comment=" + comment : "")
                    + "]";
        }
    }

    /** A rule: its chain, handle and expressions in order. */
    public record Rule(String table, String chain, long handle, List<NftExpr> expressions) {
        public Rule {
            expressions = List.copyOf(expressions);
        }
    }

    /**
     * A whole table: its chains, sets and rules in the kernel's order, and each set's elements
     * (by set name, in the sets' order; the kernel's order inside a set).
     */
    public record TableDump(
            Table table, List<Chain> chains, List<Set> sets, Map<String, List<Element>> elements, List<Rule> rules) {
        public TableDump {
            chains = List.copyOf(chains);
            sets = List.copyOf(sets);
            Map<String, List<Element>> copy = new LinkedHashMap<>();
            elements.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            elements = Collections.unmodifiableMap(copy);
            rules = List.copyOf(rules);
        }

        /** The chain of that name, or null. */
        public Chain chain(String name) {
            return chains.stream()
                    .filter(c -> c.name().equals(name))
                    .findFirst()
                    .orElse(null);
        }

        /** The set or map of that name, or null. */
        public Set set(String name) {
            return sets.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
        }

        /** The rules of one chain, in order. */
        public List<Rule> rules(String chain) {
            return rules.stream().filter(r -> r.chain().equals(chain)).toList();
        }
    }

    /**
     * Reads table {@code table} of the {@code inet} family with {@code socket}: the table, then its
     * chains, sets, every set's elements and its rules, one dump each. The ruleset's generation is
     * read before and after; when it moved (another process committed meanwhile) the reading starts
     * over, a few times at most. Returns null when there is no such table (also when it vanished
     * while being read: {@code ENOENT}).
     *
     * @throws NetlinkException when a dump fails otherwise
     */
    public static TableDump read(NftSocket socket, String table) {
        TableDump dump = null;
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
            int generation = socket.generation();
            try {
                dump = readOnce(socket, table);
            } catch (NetlinkException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
                dump = null;
            }
            if (socket.generation() == generation) {
                return dump;
            }
        }
        return dump;
    }

    private static TableDump readOnce(NftSocket socket, String table) {
        // dumps of tables and chains are not narrowed by the kernel (only by family): the decoding filters
        List<NftMessage> tables = socket.dump(Nft.Msg.GETTABLE, w -> w.string(Nft.Table.NAME, table));
        if (tables.stream().noneMatch(m -> isOf(m, Nft.Msg.NEWTABLE, Nft.Table.NAME, table))) {
            return null;
        }
        List<NftMessage> chains = socket.dump(Nft.Msg.GETCHAIN, w -> w.string(Nft.Chain.TABLE, table));
        List<NftMessage> sets = socket.dump(Nft.Msg.GETSET, w -> w.string(Nft.Set.TABLE, table));
        Map<String, List<NftMessage>> elements = new LinkedHashMap<>();
        for (NftMessage m : sets) {
            String name = m.attributes().string(Nft.Set.NAME);
            if (name != null && isOf(m, Nft.Msg.NEWSET, Nft.Set.TABLE, table)) {
                elements.put(
                        name,
                        socket.dump(
                                Nft.Msg.GETSETELEM,
                                w -> w.string(Nft.Elem.LIST_TABLE, table).string(Nft.Elem.LIST_SET, name)));
            }
        }
        List<NftMessage> rules = socket.dump(Nft.Msg.GETRULE, w -> w.string(Nft.Rule.TABLE, table));
        return of(table, tables, chains, sets, elements, rules);
    }

    private static boolean isOf(NftMessage m, int type, int tableAttribute, String table) {
        return m.type() == type
                && m.family() == Nft.Family.INET
                && table.equals(m.attributes().string(tableAttribute));
    }

    /**
     * Assembles table {@code table} of the {@code inet} family from the messages of its dumps: those
     * of other tables or families are left out (the kernel does not narrow table and chain dumps).
     * Returns null when {@code tables} does not have it.
     *
     * @param elements the element dump of each set, by set name
     */
    public static TableDump of(
            String table,
            List<NftMessage> tables,
            List<NftMessage> chains,
            List<NftMessage> sets,
            Map<String, List<NftMessage>> elements,
            List<NftMessage> rules) {
        Table t = null;
        for (NftMessage m : tables) {
            if (isOf(m, Nft.Msg.NEWTABLE, Nft.Table.NAME, table)) {
                t = table(m);
            }
        }
        if (t == null) {
            return null;
        }
        List<Chain> cs = new ArrayList<>();
        for (NftMessage m : chains) {
            if (isOf(m, Nft.Msg.NEWCHAIN, Nft.Chain.TABLE, table)) {
                cs.add(chain(m));
            }
        }
        List<Set> ss = new ArrayList<>();
        Map<String, List<Element>> es = new LinkedHashMap<>();
        for (NftMessage m : sets) {
            if (isOf(m, Nft.Msg.NEWSET, Nft.Set.TABLE, table)) {
                Set s = set(m);
                ss.add(s);
                List<Element> list = new ArrayList<>();
                for (NftMessage e : elements.getOrDefault(s.name(), List.of())) {
                    if (isOf(e, Nft.Msg.NEWSETELEM, Nft.Elem.LIST_TABLE, table)
                            && s.name().equals(e.attributes().string(Nft.Elem.LIST_SET))) {
                        list.addAll(elements(e));
                    }
                }
                es.put(s.name(), list);
            }
        }
        List<Rule> rs = new ArrayList<>();
        for (NftMessage m : rules) {
            if (isOf(m, Nft.Msg.NEWRULE, Nft.Rule.TABLE, table)) {
                rs.add(rule(m));
            }
        }
        return new TableDump(t, cs, ss, es, rs);
    }

    /** A {@code NEWTABLE} message. */
    public static Table table(NftMessage m) {
        expect(m, Nft.Msg.NEWTABLE);
        AttributeList a = m.attributes();
        return new Table(
                required(m, a.string(Nft.Table.NAME), "NFTA_TABLE_NAME"),
                m.family(),
                NftAttrs.be64(a, Nft.Table.HANDLE, 0),
                NftAttrs.be32(a, Nft.Table.FLAGS, 0));
    }

    /** A {@code NEWCHAIN} message. */
    public static Chain chain(NftMessage m) {
        expect(m, Nft.Msg.NEWCHAIN);
        AttributeList a = m.attributes();
        Integer hook = null;
        Integer priority = null;
        if (a.has(Nft.Chain.HOOK)) {
            AttributeList h = a.nested(Nft.Chain.HOOK);
            int n = NftAttrs.be32(h, Nft.Hook.HOOKNUM, NftExpr.ABSENT);
            if (n != NftExpr.ABSENT) {
                hook = n;
                priority = NftAttrs.be32(h, Nft.Hook.PRIORITY, 0);
            }
        }
        int policy = NftAttrs.be32(a, Nft.Chain.POLICY, NftExpr.ABSENT);
        return new Chain(
                required(m, a.string(Nft.Chain.TABLE), "NFTA_CHAIN_TABLE"),
                required(m, a.string(Nft.Chain.NAME), "NFTA_CHAIN_NAME"),
                NftAttrs.be64(a, Nft.Chain.HANDLE, 0),
                a.string(Nft.Chain.TYPE),
                hook,
                priority,
                hook != null && policy != NftExpr.ABSENT ? Integer.valueOf(policy) : null);
    }

    /** A {@code NEWSET} message. */
    public static Set set(NftMessage m) {
        expect(m, Nft.Msg.NEWSET);
        AttributeList a = m.attributes();
        List<Integer> fields = new ArrayList<>();
        AttributeList desc = a.nested(Nft.Set.DESC);
        if (desc.has(Nft.Set.DESC_CONCAT)) {
            for (AttributeList field : NftAttrs.elements(desc.nested(Nft.Set.DESC_CONCAT))) {
                int length = NftAttrs.be32(field, Nft.Set.FIELD_LEN, NftExpr.ABSENT);
                if (length == NftExpr.ABSENT) {
                    throw new AttributeFormatException("a NFTA_SET_DESC_CONCAT field without NFTA_SET_FIELD_LEN");
                }
                fields.add(length);
            }
        }
        return new Set(
                required(m, a.string(Nft.Set.TABLE), "NFTA_SET_TABLE"),
                required(m, a.string(Nft.Set.NAME), "NFTA_SET_NAME"),
                NftAttrs.be64(a, Nft.Set.HANDLE, 0),
                NftAttrs.be32(a, Nft.Set.FLAGS, 0),
                NftAttrs.be32(a, Nft.Set.KEY_TYPE, 0),
                NftAttrs.be32(a, Nft.Set.KEY_LEN, 0),
                NftAttrs.be32(a, Nft.Set.DATA_TYPE, 0),
                NftAttrs.be32(a, Nft.Set.DATA_LEN, 0),
                fields);
    }

    /**
     * The elements of one {@code NEWSETELEM} message of an element dump; none for the message with
     * an empty {@code ELEMENTS} nest that ends every such dump.
     */
    public static List<Element> elements(NftMessage m) {
        expect(m, Nft.Msg.NEWSETELEM);
        List<Element> out = new ArrayList<>();
        for (AttributeList e : NftAttrs.elements(m.attributes().nested(Nft.Elem.LIST_ELEMENTS))) {
            byte[] key = NftAttrs.value(e, Nft.Elem.KEY);
            if (key == null) {
                // a catch-all element (NFT_SET_ELEM_CATCHALL) has no key
                key = new byte[0];
            }
            out.add(new Element(
                    key,
                    NftAttrs.value(e, Nft.Elem.KEY_END),
                    NftAttrs.value(e, Nft.Elem.DATA),
                    NftAttrs.be32(e, Nft.Elem.FLAGS, 0),
                    comment(e.bytes(Nft.Elem.USERDATA))));
        }
        return out;
    }

    /** A {@code NEWRULE} message. */
    public static Rule rule(NftMessage m) {
        expect(m, Nft.Msg.NEWRULE);
        AttributeList a = m.attributes();
        List<NftExpr> expressions = new ArrayList<>();
        for (AttributeList e : NftAttrs.elements(a.nested(Nft.Rule.EXPRESSIONS))) {
            expressions.add(NftExpr.decode(e));
        }
        return new Rule(
                required(m, a.string(Nft.Rule.TABLE), "NFTA_RULE_TABLE"),
                required(m, a.string(Nft.Rule.CHAIN), "NFTA_RULE_CHAIN"),
                NftAttrs.be64(a, Nft.Rule.HANDLE, 0),
                expressions);
    }

    /**
     * The comment in nft's userdata TLVs (type 0, {@code NFTNL_UDATA_*_COMMENT}: u8 type, u8 length
     * with the NUL, text, NUL), or null when there is none or the TLVs do not parse.
     */
    static String comment(byte[] userdata) {
        if (userdata == null) {
            return null;
        }
        int p = 0;
        while (p + 2 <= userdata.length) {
            int type = userdata[p] & 0xff;
            int length = userdata[p + 1] & 0xff;
            if (p + 2 + length > userdata.length) {
                return null;
            }
            if (type == 0) {
                int end = p + 2;
                while (end < p + 2 + length && userdata[end] != 0) {
                    end++;
                }
                return new String(userdata, p + 2, end - p - 2, StandardCharsets.UTF_8);
            }
            p += 2 + length;
        }
        return null;
    }

    private static void expect(NftMessage m, int type) {
        if (m.type() != type) {
            throw new NetlinkDecodeException(Nft.Msg.name(m.type()) + " where " + Nft.Msg.name(type) + " belongs");
        }
    }

    private static String required(NftMessage m, String value, String attribute) {
        if (value == null) {
            throw new NetlinkDecodeException(Nft.Msg.name(m.type()) + " without " + attribute);
        }
        return value;
    }
}
