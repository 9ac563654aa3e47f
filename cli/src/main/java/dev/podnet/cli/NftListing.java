package dev.podnet.cli;

import dev.podnet.api.Json;
import dev.podnet.netlink.nft.Nft;
import dev.podnet.netlink.nft.NftExpr;
import dev.podnet.netlink.nft.NftRuleset;
import dev.podnet.netlink.nft.NftRuleset.Chain;
import dev.podnet.netlink.nft.NftRuleset.Element;
import dev.podnet.netlink.nft.NftRuleset.Rule;
import dev.podnet.netlink.nft.NftRuleset.TableDump;
import dev.podnet.netlink.route.IprouteNames;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A table read by {@link NftRuleset} as nft prints it: {@code nft list table} text and
 * {@code nft -j list table} JSON, for what podnet's table holds (the data types of its sets and
 * maps, single-field and concatenated intervals, comments, and the expressions of its rules put
 * back together as nft's statements). An expression it cannot put back is shown as
 * {@code [ expr ... ]} in text and as {@code {"podnet-expr": ...}} in JSON.
 *
 * <p>Why one file of some 1000 lines: it is one grammar, nft's, written twice (text and JSON) over
 * the same walk of the table, and {@code NftCommandTest} holds both to nft's own output. The rule
 * rebuilding (registers back to statements) is the part to move into a class of its own when it
 * grows beyond podnet's own rules.
 */
final class NftListing {
    private NftListing() {}

    /** A value shown both ways: its nft JSON and its nft text. */
    private record Shown(Object json, String text) {}

    /** nft's data types podnet's sets and rules use (ids of nftables' {@code datatypes.h}), with their sizes. */
    private record Type(int id, String name, int length) {
        static Type of(int id) {
            return switch (id) {
                case 1 -> new Type(id, "verdict", 4);
                case 2 -> new Type(id, "nf_proto", 1);
                case 4 -> new Type(id, "integer", 4);
                case Nft.Type.IPV4_ADDR -> new Type(id, "ipv4_addr", 4);
                case Nft.Type.IPV6_ADDR -> new Type(id, "ipv6_addr", 16);
                case Nft.Type.INET_PROTO -> new Type(id, "inet_proto", 1);
                case Nft.Type.INET_SERVICE -> new Type(id, "inet_service", 2);
                case 19 -> new Type(id, "mark", 4);
                case Nft.Type.IFNAME -> new Type(id, "ifname", 16);
                default -> new Type(id, "type" + id, 4);
            };
        }

        boolean isAddress() {
            return id == Nft.Type.IPV4_ADDR || id == Nft.Type.IPV6_ADDR;
        }
    }

    // ------------------------------------------------------------------------------------------- JSON

    /** {@code {"nftables": [metainfo, table, sets..., chains..., rules...]}}; only the metainfo without a table. */
    static Map<String, Object> json(TableDump dump) {
        List<Object> items = new ArrayList<>();
        Map<String, Object> meta = Json.object();
        meta.put("json_schema_version", 1);
        items.add(Map.of("metainfo", meta));
        if (dump != null) {
            String family = family(dump.table().family());
            Map<String, Object> table = Json.object();
            table.put("family", family);
            table.put("name", dump.table().name());
            table.put("handle", dump.table().handle());
            if (dump.table().flags() != 0) {
                table.put("flags", tableFlags(dump.table().flags()));
            }
            items.add(Map.of("table", table));
            for (NftRuleset.Set s : dump.sets()) {
                items.add(Map.of(
                        s.isMap() ? "map" : "set",
                        setJson(family, s, dump.elements().get(s.name()))));
            }
            for (Chain c : dump.chains()) {
                items.add(Map.of("chain", chainJson(family, c)));
            }
            for (Rule r : dump.rules()) {
                Map<String, Object> rule = Json.object();
                rule.put("family", family);
                rule.put("table", r.table());
                rule.put("chain", r.chain());
                rule.put("handle", r.handle());
                rule.put("expr", statements(r, dump).stream().map(Shown::json).toList());
                items.add(Map.of("rule", rule));
            }
        }
        Map<String, Object> out = Json.object();
        out.put("nftables", items);
        return out;
    }

    private static Map<String, Object> setJson(String family, NftRuleset.Set s, List<Element> elements) {
        Map<String, Object> o = Json.object();
        o.put("family", family);
        o.put("name", s.name());
        o.put("table", s.table());
        List<Type> key = types(s.keyType());
        o.put(
                "type",
                key.size() == 1
                        ? key.getFirst().name()
                        : key.stream().map(Type::name).toList());
        o.put("handle", s.handle());
        if (s.isMap()) {
            o.put(
                    "map",
                    String.join(
                            " . ", types(s.dataType()).stream().map(Type::name).toList()));
        }
        List<String> flags = setFlags(s.flags());
        if (!flags.isEmpty()) {
            o.put("flags", flags);
        }
        List<Shown> shown = elements(s, elements == null ? List.of() : elements);
        if (!shown.isEmpty()) {
            o.put("elem", shown.stream().map(Shown::json).toList());
        }
        return o;
    }

    private static Map<String, Object> chainJson(String family, Chain c) {
        Map<String, Object> o = Json.object();
        o.put("family", family);
        o.put("table", c.table());
        o.put("name", c.name());
        o.put("handle", c.handle());
        if (c.isBase()) {
            o.put("type", c.type());
            o.put("hook", hook(c.hook()));
            o.put("prio", c.priority());
            if (c.policy() != null) {
                o.put("policy", c.policy() == 1 ? "accept" : "drop");
            }
        }
        return o;
    }

    // ------------------------------------------------------------------------------------------- text

    /** {@code nft list table} text, or the empty string without a table. */
    static String text(TableDump dump) {
        if (dump == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        b.append("table ")
                .append(family(dump.table().family()))
                .append(' ')
                .append(dump.table().name())
                .append(" {\n");
        if (dump.table().flags() != 0) {
            b.append("\tflags ")
                    .append(String.join(",", tableFlags(dump.table().flags())))
                    .append("\n");
        }
        List<String> blocks = new ArrayList<>();
        for (NftRuleset.Set s : dump.sets()) {
            blocks.add(setText(s, dump.elements().getOrDefault(s.name(), List.of())));
        }
        for (Chain c : dump.chains()) {
            blocks.add(chainText(c, dump));
        }
        b.append(String.join("\n", blocks));
        return b.append("}\n").toString();
    }

    private static String setText(NftRuleset.Set s, List<Element> elements) {
        StringBuilder b = new StringBuilder();
        b.append('\t').append(s.isMap() ? "map " : "set ").append(s.name()).append(" {\n");
        b.append("\t\ttype ")
                .append(String.join(
                        " . ", types(s.keyType()).stream().map(Type::name).toList()));
        if (s.isMap()) {
            b.append(" : ")
                    .append(String.join(
                            " . ", types(s.dataType()).stream().map(Type::name).toList()));
        }
        b.append('\n');
        List<String> flags = setFlags(s.flags());
        if (!flags.isEmpty()) {
            b.append("\t\tflags ").append(String.join(",", flags)).append('\n');
        }
        List<Shown> shown = elements(s, elements);
        if (!shown.isEmpty()) {
            b.append("\t\telements = { ")
                    .append(String.join(
                            ",\n\t\t\t     ", shown.stream().map(Shown::text).toList()))
                    .append(" }\n");
        }
        return b.append("\t}\n").toString();
    }

    private static String chainText(Chain c, TableDump dump) {
        StringBuilder b = new StringBuilder();
        b.append("\tchain ").append(c.name()).append(" {\n");
        if (c.isBase()) {
            b.append("\t\ttype ")
                    .append(c.type())
                    .append(" hook ")
                    .append(hook(c.hook()))
                    .append(" priority ")
                    .append(priority(c.hook(), c.priority()))
                    .append(';');
            if (c.policy() != null) {
                b.append(" policy ").append(c.policy() == 1 ? "accept" : "drop").append(';');
            }
            b.append('\n');
        }
        for (Rule r : dump.rules(c.name())) {
            b.append("\t\t")
                    .append(String.join(
                            " ", statements(r, dump).stream().map(Shown::text).toList()))
                    .append('\n');
        }
        return b.append("\t}\n").toString();
    }

    // ------------------------------------------------------------------------------------------- names

    private static String family(int family) {
        return switch (family) {
            case Nft.Family.INET -> "inet";
            case Nft.Family.IPV4 -> "ip";
            case Nft.Family.IPV6 -> "ip6";
            case 3 -> "arp";
            case 5 -> "netdev";
            case 7 -> "bridge";
            default -> "family" + family;
        };
    }

    private static List<String> tableFlags(int flags) {
        return names(flags, new String[] {"dormant", "owner", "persist"});
    }

    private static List<String> setFlags(int flags) {
        List<String> out = new ArrayList<>();
        if ((flags & Nft.Set.F_CONSTANT) != 0) {
            out.add("constant");
        }
        if ((flags & Nft.Set.F_INTERVAL) != 0) {
            out.add("interval");
        }
        if ((flags & 0x10) != 0) {
            out.add("timeout");
        }
        if ((flags & 0x20) != 0) {
            out.add("dynamic");
        }
        return out;
    }

    /** The names of the bits set in {@code bits} (bit 0 first); unnamed bits as hex. */
    private static List<String> names(long bits, String[] names) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if ((bits & (1L << i)) != 0) {
                out.add(i < names.length && names[i] != null ? names[i] : "0x" + Long.toHexString(1L << i));
            }
        }
        return out;
    }

    private static String hook(int hook) {
        return switch (hook) {
            case Nft.Hook.PRE_ROUTING -> "prerouting";
            case Nft.Hook.LOCAL_IN -> "input";
            case Nft.Hook.FORWARD -> "forward";
            case Nft.Hook.LOCAL_OUT -> "output";
            case Nft.Hook.POST_ROUTING -> "postrouting";
            default -> "hook" + hook;
        };
    }

    /** nft's named priorities where nft uses them (dstnat only on prerouting, srcnat only on postrouting). */
    private static String priority(int hook, int priority) {
        return switch (priority) {
            case -300 -> "raw";
            case -150 -> "mangle";
            case Nft.Hook.PRIORITY_DSTNAT -> hook == Nft.Hook.PRE_ROUTING ? "dstnat" : "-100";
            case Nft.Hook.PRIORITY_FILTER -> "filter";
            case 50 -> "security";
            case Nft.Hook.PRIORITY_SRCNAT -> hook == Nft.Hook.POST_ROUTING ? "srcnat" : "100";
            default -> Integer.toString(priority);
        };
    }

    /** The fields of a (concatenated) type: nft folds them as {@code acc << 6 | id}. */
    private static List<Type> types(int folded) {
        List<Type> out = new ArrayList<>();
        if (folded == 0xffffff00) {
            out.add(Type.of(1));
            return out;
        }
        int t = folded;
        while (t != 0) {
            out.addFirst(Type.of(t & 0x3f));
            t >>>= 6;
        }
        if (out.isEmpty()) {
            out.add(Type.of(4));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------- elements

    /** A set's elements as nft shows them: intervals put back together, in ascending order for interval sets. */
    private static List<Shown> elements(NftRuleset.Set s, List<Element> elements) {
        List<Type> key = types(s.keyType());
        List<Type> data = s.isMap() ? types(s.dataType()) : List.of();
        List<Shown> out = new ArrayList<>();
        boolean rbtree = s.isInterval() && elements.stream().allMatch(e -> e.keyEnd() == null);
        if (!rbtree) {
            for (Element e : elements) {
                Shown k = e.keyEnd() == null ? value(key, s.keyLength(), e.key()) : range(key, e.key(), e.keyEnd());
                out.add(element(k, e, data));
            }
            return out;
        }
        // a single-field interval set: starts, each followed (in ascending order) by its exclusive end
        List<Element> sorted = new ArrayList<>(elements);
        sorted.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
        for (int i = 0; i < sorted.size(); i++) {
            Element start = sorted.get(i);
            if (start.isIntervalEnd()) {
                continue; // nft's "nothing below" end element, or an end without its start
            }
            BigInteger from = new BigInteger(1, start.key());
            int bits = start.key().length * 8;
            BigInteger to = BigInteger.ONE.shiftLeft(bits);
            if (i + 1 < sorted.size() && sorted.get(i + 1).isIntervalEnd()) {
                to = new BigInteger(1, sorted.get(i + 1).key());
                i++;
            }
            Type t = key.getFirst();
            out.add(element(interval(t, start.key().length, from, to.subtract(BigInteger.ONE)), start, data));
        }
        return out;
    }

    private static Shown element(Shown key, Element e, List<Type> data) {
        Object json = key.json();
        String text = key.text();
        if (e.comment() != null) {
            Map<String, Object> val = Json.object();
            val.put("val", json);
            val.put("comment", e.comment());
            json = Map.of("elem", val);
            text += " comment " + quote(e.comment());
        }
        if (!data.isEmpty() && e.data() != null) {
            Shown d = value(data, e.data().length, e.data());
            return new Shown(List.of(json, d.json()), text + " : " + d.text());
        }
        return new Shown(json, text);
    }

    /** A (concatenated) value: each field in its register slot, 4-byte aligned. */
    private static Shown value(List<Type> types, int length, byte[] bytes) {
        if (types.size() == 1) {
            Type t = types.getFirst();
            return scalar(t, Arrays.copyOf(bytes, Math.min(bytes.length, Math.max(t.length(), length))));
        }
        List<Shown> parts = new ArrayList<>();
        int at = 0;
        for (Type t : types) {
            parts.add(scalar(t, slice(bytes, at, t.length())));
            at += (t.length() + 3) & ~3;
        }
        return concat(parts);
    }

    /** A concatenated interval (pipapo): every field from its start to its inclusive end. */
    private static Shown range(List<Type> types, byte[] start, byte[] end) {
        List<Shown> parts = new ArrayList<>();
        int at = 0;
        for (Type t : types) {
            int n = types.size() == 1 ? start.length : t.length();
            parts.add(interval(t, n, new BigInteger(1, slice(start, at, n)), new BigInteger(1, slice(end, at, n))));
            at += (n + 3) & ~3;
        }
        return parts.size() == 1 ? parts.getFirst() : concat(parts);
    }

    /** {@code from} to {@code to} (inclusive) of {@code length} bytes: one value, a prefix or a range. */
    private static Shown interval(Type t, int length, BigInteger from, BigInteger to) {
        if (from.equals(to)) {
            return scalar(t, bytes(from, length));
        }
        BigInteger size = to.subtract(from).add(BigInteger.ONE);
        if (t.isAddress() && size.bitCount() == 1 && from.mod(size).signum() == 0) {
            int prefix = length * 8 - (size.bitLength() - 1);
            Shown addr = scalar(t, bytes(from, length));
            Map<String, Object> p = Json.object();
            p.put("addr", addr.json());
            p.put("len", prefix);
            return new Shown(Map.of("prefix", p), addr.text() + "/" + prefix);
        }
        Shown a = scalar(t, bytes(from, length));
        Shown b = scalar(t, bytes(to, length));
        return new Shown(Map.of("range", List.of(a.json(), b.json())), a.text() + "-" + b.text());
    }

    private static Shown concat(List<Shown> parts) {
        return new Shown(
                Map.of("concat", parts.stream().map(Shown::json).toList()),
                String.join(" . ", parts.stream().map(Shown::text).toList()));
    }

    /** One field's value, as nft prints that type. */
    private static Shown scalar(Type t, byte[] b) {
        return switch (t.id()) {
            case Nft.Type.IPV4_ADDR, Nft.Type.IPV6_ADDR -> {
                String a = address(b);
                yield new Shown(a, a);
            }
            case Nft.Type.INET_PROTO -> b.length == 0 ? number(b) : protocol(b[0] & 0xff);
            case Nft.Type.INET_SERVICE -> {
                long port = b.length >= 2 ? (b[0] & 0xff) << 8 | (b[1] & 0xff) : unsigned(b);
                yield new Shown(port, Long.toString(port));
            }
            case Nft.Type.IFNAME -> {
                String name = cString(b);
                yield new Shown(name, quote(name));
            }
            case 2 -> nfproto(b.length == 0 ? 0 : b[0] & 0xff);
            default -> number(b);
        };
    }

    private static Shown number(byte[] b) {
        if (b.length <= 4) {
            long n = unsigned(b);
            return new Shown(n, Long.toString(n));
        }
        String hex = "0x" + HexFormat.of().formatHex(b);
        return new Shown(hex, hex);
    }

    private static Shown protocol(int p) {
        String name = switch (p) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 58 -> "ipv6-icmp";
            case 132 -> "sctp";
            case 136 -> "udplite";
            default -> null;
        };
        return name == null ? new Shown((long) p, Integer.toString(p)) : new Shown(name, name);
    }

    private static Shown nfproto(int p) {
        String name = p == Nft.Family.IPV4 ? "ipv4" : p == Nft.Family.IPV6 ? "ipv6" : null;
        return name == null ? new Shown((long) p, Integer.toString(p)) : new Shown(name, name);
    }

    // ------------------------------------------------------------------------------------------- bytes

    private static byte[] slice(byte[] b, int at, int n) {
        byte[] out = new byte[n];
        if (at < b.length) {
            System.arraycopy(b, at, out, 0, Math.min(n, b.length - at));
        }
        return out;
    }

    /** {@code n} as {@code length} big-endian bytes. */
    private static byte[] bytes(BigInteger n, int length) {
        byte[] raw = n.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    /** Big-endian unsigned value of up to 8 bytes. */
    private static long unsigned(byte[] b) {
        long n = 0;
        for (int i = 0; i < Math.min(b.length, 8); i++) {
            n = n << 8 | (b[i] & 0xff);
        }
        return n;
    }

    /** A host-order (little-endian) u32 of a register image, as meta, ct and fib values are. */
    private static long hostU32(byte[] b) {
        long n = 0;
        for (int i = Math.min(b.length, 4) - 1; i >= 0; i--) {
            n = n << 8 | (b[i] & 0xff);
        }
        return n;
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** An IPv4 address, or an IPv6 address compressed as RFC 5952 (and nft, as iproute2) write it. */
    static String address(byte[] b) {
        if (b.length != 4 && b.length != 16) {
            return "0x" + HexFormat.of().formatHex(b);
        }
        try {
            // an IPv4-mapped address stays IPv6 (InetAddress.getByAddress would make it IPv4)
            return IprouteNames.address(
                    b.length == 4 ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, -1));
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are an address", e);
        }
    }

    // ------------------------------------------------------------------------------------------- rules

    /** A rule's expressions put back together as nft's statements. */
    private static List<Shown> statements(Rule rule, TableDump dump) {
        return new RuleReader(dump).read(rule.expressions());
    }

    /** What a register holds: the expression that loaded it, how nft shows it, and a bitwise mask on it. */
    private record Loaded(
            Object json, String text, String kind, Type type, int loadLength, int fieldLength, byte[] mask) {
        Loaded masked(byte[] m) {
            return new Loaded(json, text, kind, type, loadLength, fieldLength, m);
        }

        int words() {
            return Math.max(1, (loadLength + 3) / 4);
        }
    }

    /**
     * Reads a rule's expressions as nft's own listing does, for the shapes podnet writes: loads into
     * registers, then a cmp, lookup, nat or verdict that uses them. A {@code meta nfproto} match that
     * only guards the IPv4 or IPv6 header fields after it is left out, as nft leaves it out.
     */
    private static final class RuleReader {
        private final TableDump dump;
        private final Map<Integer, Loaded> registers = new HashMap<>();
        private final List<Shown> out = new ArrayList<>();
        /** "ip" or "ip6" once the rule matched {@code meta nfproto}: it names the network header's fields. */
        private String network;

        RuleReader(TableDump dump) {
            this.dump = dump;
        }

        List<Shown> read(List<NftExpr> expressions) {
            int guard = -1;
            for (NftExpr e : expressions) {
                if (guard >= 0
                        && e instanceof NftExpr.Payload next
                        && next.base() == Nft.Val.PAYLOAD_NETWORK
                        && guard == out.size() - 1) {
                    out.remove(guard); // implied by the ip / ip6 field that follows
                }
                guard = -1;
                switch (e) {
                    case NftExpr.Meta m when m.dreg() != NftExpr.ABSENT -> load(m.dreg(), meta(m.key()));
                    case NftExpr.Payload p -> load(p.dreg(), payload(p));
                    case NftExpr.Ct c when c.dreg() != NftExpr.ABSENT -> load(c.dreg(), ct(c.key()));
                    case NftExpr.Fib f -> load(f.dreg(), fib(f));
                    case NftExpr.Bitwise b -> bitwise(b);
                    case NftExpr.Cmp c -> guard = cmp(c);
                    case NftExpr.Lookup l -> lookup(l);
                    case NftExpr.Immediate i -> immediate(i);
                    case NftExpr.Nat n -> nat(n);
                    case NftExpr.Masq m -> out.add(new Shown(single("masquerade", null), "masquerade"));
                    case NftExpr.Counter c -> {
                        Map<String, Object> counts = Json.object();
                        counts.put("packets", c.packets());
                        counts.put("bytes", c.bytes());
                        out.add(new Shown(
                                single("counter", counts), "counter packets " + c.packets() + " bytes " + c.bytes()));
                    }
                    default -> unknown(e);
                }
            }
            return out;
        }

        private static int slot(int register) {
            if (register >= 1 && register <= 4) {
                return (register - 1) * 4;
            }
            return register >= 8 ? register - 8 : -1;
        }

        private void load(int register, Loaded value) {
            int at = slot(register);
            for (int i = 0; i < value.words(); i++) {
                registers.remove(at + i);
            }
            registers.put(at, value);
        }

        private Loaded get(int register) {
            return registers.get(slot(register));
        }

        private void unknown(NftExpr e) {
            Map<String, Object> o = Json.object();
            o.put("name", e.name());
            o.put("expr", e.toString());
            out.add(new Shown(single("podnet-expr", o), "[ expr " + e + " ]"));
        }

        private static Map<String, Object> single(String key, Object value) {
            Map<String, Object> o = Json.object();
            o.put(key, value);
            return o;
        }

        private static Loaded meta(int key) {
            String name = switch (key) {
                case 0 -> "length";
                case 1 -> "protocol";
                case 2 -> "priority";
                case 3 -> "mark";
                case 4 -> "iif";
                case 5 -> "oif";
                case Nft.Val.META_IIFNAME -> "iifname";
                case Nft.Val.META_OIFNAME -> "oifname";
                case 8 -> "iiftype";
                case 9 -> "oiftype";
                case Nft.Val.META_NFPROTO -> "nfproto";
                case Nft.Val.META_L4PROTO -> "l4proto";
                case 19 -> "pkttype";
                default -> "meta" + key;
            };
            Type type = switch (key) {
                case Nft.Val.META_IIFNAME, Nft.Val.META_OIFNAME -> Type.of(Nft.Type.IFNAME);
                case Nft.Val.META_NFPROTO -> Type.of(2);
                case Nft.Val.META_L4PROTO -> Type.of(Nft.Type.INET_PROTO);
                case 3 -> Type.of(19);
                default -> Type.of(4);
            };
            boolean unqualified = key >= 4 && key <= 7; // iif, oif, iifname, oifname
            Map<String, Object> json = Json.object();
            json.put("key", name);
            return new Loaded(
                    single("meta", json),
                    unqualified ? name : "meta " + name,
                    "meta",
                    type,
                    type.length(),
                    type.length(),
                    null);
        }

        /** A header field that nft names, when the load is that field or a prefix of it. */
        private record Field(String protocol, String name, int base, int offset, int length, int type) {}

        private static final List<Field> FIELDS = List.of(
                new Field("ip", "saddr", Nft.Val.PAYLOAD_NETWORK, 12, 4, Nft.Type.IPV4_ADDR),
                new Field("ip", "daddr", Nft.Val.PAYLOAD_NETWORK, 16, 4, Nft.Type.IPV4_ADDR),
                new Field("ip", "protocol", Nft.Val.PAYLOAD_NETWORK, 9, 1, Nft.Type.INET_PROTO),
                new Field("ip6", "saddr", Nft.Val.PAYLOAD_NETWORK, 8, 16, Nft.Type.IPV6_ADDR),
                new Field("ip6", "daddr", Nft.Val.PAYLOAD_NETWORK, 24, 16, Nft.Type.IPV6_ADDR),
                new Field("ip6", "nexthdr", Nft.Val.PAYLOAD_NETWORK, 6, 1, Nft.Type.INET_PROTO),
                new Field("th", "sport", Nft.Val.PAYLOAD_TRANSPORT, 0, 2, Nft.Type.INET_SERVICE),
                new Field("th", "dport", Nft.Val.PAYLOAD_TRANSPORT, 2, 2, Nft.Type.INET_SERVICE));

        private Loaded payload(NftExpr.Payload p) {
            Field best = null;
            for (Field f : FIELDS) {
                if (f.base() != p.base() || f.offset() != p.offset() || p.length() > f.length()) {
                    continue;
                }
                if (f.base() == Nft.Val.PAYLOAD_NETWORK && network != null && !network.equals(f.protocol())) {
                    continue;
                }
                if (best == null || (f.length() == p.length() && best.length() != p.length())) {
                    best = f;
                }
            }
            if (best == null) {
                String base = switch (p.base()) {
                    case 0 -> "ll";
                    case Nft.Val.PAYLOAD_NETWORK -> "nh";
                    case Nft.Val.PAYLOAD_TRANSPORT -> "th";
                    default -> "base" + p.base();
                };
                Map<String, Object> raw = Json.object();
                raw.put("base", base);
                raw.put("offset", p.offset() * 8);
                raw.put("len", p.length() * 8);
                return new Loaded(
                        single("payload", raw),
                        "@" + base + "," + p.offset() * 8 + "," + p.length() * 8,
                        "payload",
                        Type.of(4),
                        p.length(),
                        p.length(),
                        null);
            }
            Map<String, Object> json = Json.object();
            json.put("protocol", best.protocol());
            json.put("field", best.name());
            return new Loaded(
                    single("payload", json),
                    best.protocol() + " " + best.name(),
                    "payload",
                    Type.of(best.type()),
                    p.length(),
                    best.length(),
                    null);
        }

        private static Loaded ct(int key) {
            String name = switch (key) {
                case Nft.Val.CT_STATE -> "state";
                case 1 -> "direction";
                case Nft.Val.CT_STATUS -> "status";
                case 3 -> "mark";
                case 7 -> "l3proto";
                default -> "ct" + key;
            };
            Map<String, Object> json = Json.object();
            json.put("key", name);
            String kind = key == Nft.Val.CT_STATE ? "ct state" : key == Nft.Val.CT_STATUS ? "ct status" : "ct";
            return new Loaded(single("ct", json), "ct " + name, kind, Type.of(4), 4, 4, null);
        }

        private static Loaded fib(NftExpr.Fib f) {
            List<String> flags = names(f.flags(), new String[] {"saddr", "daddr", "mark", "iif", "oif", "present"});
            String result = switch (f.result()) {
                case 1 -> "oif";
                case 2 -> "oifname";
                case Nft.Val.FIB_RESULT_ADDRTYPE -> "type";
                default -> "result" + f.result();
            };
            Map<String, Object> json = Json.object();
            json.put("result", result);
            json.put("flags", flags);
            String kind = f.result() == Nft.Val.FIB_RESULT_ADDRTYPE ? "fib type" : "fib";
            return new Loaded(
                    single("fib", json),
                    "fib " + String.join(" . ", flags) + " " + result,
                    kind,
                    Type.of(f.result() == 2 ? Nft.Type.IFNAME : 4),
                    f.result() == 2 ? 16 : 4,
                    f.result() == 2 ? 16 : 4,
                    null);
        }

        private void bitwise(NftExpr.Bitwise b) {
            Loaded source = get(b.sreg());
            byte[] xor = b.xor();
            boolean noXor = xor == null || Arrays.equals(xor, new byte[xor.length]);
            if (source == null || b.mask() == null || !noXor) {
                unknown(b);
                return;
            }
            load(b.dreg(), source.masked(b.mask()));
        }

        /** Returns the statement's index when it is a {@code meta nfproto} match, else -1. */
        private int cmp(NftExpr.Cmp c) {
            Loaded left = get(c.sreg());
            if (left == null) {
                unknown(c);
                return -1;
            }
            String op = switch (c.op()) {
                case Nft.Val.CMP_EQ -> "==";
                case Nft.Val.CMP_NEQ -> "!=";
                case 2 -> "<";
                case 3 -> "<=";
                case 4 -> ">";
                case 5 -> ">=";
                default -> "op" + c.op();
            };
            byte[] data = c.data();
            Shown right;
            if (left.kind().startsWith("ct ") && left.mask() != null) {
                // ct state established,related: (state & bits) != 0
                long bits = hostU32(left.mask());
                if (c.op() == Nft.Val.CMP_NEQ && unsignedZero(data)) {
                    op = "in";
                } else {
                    bits = hostU32(data);
                }
                right = flags(left.kind(), bits);
            } else if (left.kind().startsWith("ct ")) {
                right = flags(left.kind(), hostU32(data));
            } else if (left.type().isAddress() && (left.mask() != null || left.loadLength() < left.fieldLength())) {
                int prefix = left.mask() != null ? leadingOnes(left.mask()) : left.loadLength() * 8;
                right = prefix(left.type(), left.fieldLength(), data, prefix);
            } else if (left.mask() != null) {
                unknown(c);
                return -1;
            } else if (left.kind().equals("fib type")) {
                right = addressType(hostU32(data));
            } else if (left.kind().equals("meta") && left.type().id() == 19) {
                long mark = hostU32(data);
                right = new Shown(mark, "0x" + String.format("%08x", mark));
            } else {
                right = scalar(left.type(), data);
            }
            Map<String, Object> match = Json.object();
            match.put("op", op);
            match.put("left", left.json());
            match.put("right", right.json());
            String text = left.text() + (op.equals("==") || op.equals("in") ? " " : " " + op + " ") + right.text();
            out.add(new Shown(single("match", match), text));
            if (left.type().id() == 2 && c.op() == Nft.Val.CMP_EQ && data.length > 0) {
                network = data[0] == Nft.Family.IPV4 ? "ip" : data[0] == Nft.Family.IPV6 ? "ip6" : network;
                return out.size() - 1;
            }
            return -1;
        }

        private static boolean unsignedZero(byte[] b) {
            for (byte x : b) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }

        private static int leadingOnes(byte[] mask) {
            int n = 0;
            for (byte x : mask) {
                int v = x & 0xff;
                if (v == 0xff) {
                    n += 8;
                    continue;
                }
                n += Integer.numberOfLeadingZeros(~v & 0xff) - 24;
                break;
            }
            return n;
        }

        private static Shown prefix(Type t, int fieldLength, byte[] data, int length) {
            Shown addr = scalar(t, slice(data, 0, fieldLength));
            if (length >= fieldLength * 8) {
                return addr;
            }
            Map<String, Object> p = Json.object();
            p.put("addr", addr.json());
            p.put("len", length);
            return new Shown(single("prefix", p), addr.text() + "/" + length);
        }

        private static Shown flags(String kind, long bits) {
            String[] names = kind.equals("ct state")
                    ? new String[] {"invalid", "established", "related", "new", null, null, "untracked"}
                    : new String[] {
                        "expected",
                        "seen-reply",
                        "assured",
                        "confirmed",
                        "snat",
                        "dnat",
                        "seq-adjust",
                        "snat-done",
                        "dnat-done",
                        "dying",
                        "fixed-timeout"
                    };
            List<String> set = names(bits, names);
            Object json = set.size() == 1 ? set.getFirst() : set;
            return new Shown(json, String.join(",", set));
        }

        private static Shown addressType(long type) {
            String[] names = {
                "unspec",
                "unicast",
                "local",
                "broadcast",
                "anycast",
                "multicast",
                "blackhole",
                "unreachable",
                "prohibit"
            };
            String name = type >= 0 && type < names.length ? names[(int) type] : Long.toString(type);
            return new Shown(name, name);
        }

        /** The key a lookup reads: the loads in the registers from {@code sreg} on, as long as the set's key. */
        private Loaded key(int sreg, String set) {
            NftRuleset.Set s = dump.set(set);
            int length = s == null ? 0 : s.keyLength();
            List<Loaded> parts = new ArrayList<>();
            int at = slot(sreg);
            int covered = 0;
            do {
                Loaded part = registers.get(at);
                if (part == null) {
                    break;
                }
                parts.add(part);
                at += part.words();
                covered += part.words() * 4;
            } while (covered < length);
            if (parts.isEmpty()) {
                return null;
            }
            if (parts.size() == 1) {
                return parts.getFirst();
            }
            return new Loaded(
                    single("concat", parts.stream().map(Loaded::json).toList()),
                    String.join(" . ", parts.stream().map(Loaded::text).toList()),
                    "concat",
                    Type.of(4),
                    covered,
                    covered,
                    null);
        }

        private void lookup(NftExpr.Lookup l) {
            Loaded key = key(l.sreg(), l.set());
            if (key == null) {
                unknown(l);
                return;
            }
            if (l.isMap()) {
                Map<String, Object> map = Json.object();
                map.put("key", key.json());
                map.put("data", "@" + l.set());
                String text = key.text() + " map @" + l.set();
                load(l.dreg(), new Loaded(single("map", map), text, "map", Type.of(4), 4, 4, null));
                return;
            }
            String op = l.inverted() ? "!=" : "==";
            Map<String, Object> match = Json.object();
            match.put("op", op);
            match.put("left", key.json());
            match.put("right", "@" + l.set());
            out.add(new Shown(single("match", match), key.text() + (l.inverted() ? " != @" : " @") + l.set()));
        }

        private void immediate(NftExpr.Immediate i) {
            if (i.verdict() == null) {
                byte[] data = i.data();
                Shown value = number(data);
                int n = data.length;
                load(i.dreg(), new Loaded(value.json(), value.text(), "immediate", Type.of(4), n, n, null));
                return;
            }
            String verdict = switch (i.verdict()) {
                case Nft.Data.ACCEPT -> "accept";
                case Nft.Data.DROP -> "drop";
                case Nft.Data.CONTINUE -> "continue";
                case Nft.Data.RETURN -> "return";
                case Nft.Data.JUMP -> "jump";
                case Nft.Data.GOTO -> "goto";
                default -> null;
            };
            if (verdict == null) {
                unknown(i);
            } else if (i.chain() != null) {
                out.add(new Shown(single(verdict, single("target", i.chain())), verdict + " " + i.chain()));
            } else {
                out.add(new Shown(single(verdict, null), verdict));
            }
        }

        private void nat(NftExpr.Nat n) {
            String kind = n.type() == Nft.Val.NAT_DNAT ? "dnat" : "snat";
            String family = n.family() == Nft.Family.IPV4 ? "ip" : n.family() == Nft.Family.IPV6 ? "ip6" : null;
            Loaded addr = n.addrMin() == NftExpr.ABSENT ? null : get(n.addrMin());
            Loaded port = n.protoMin() == NftExpr.ABSENT ? null : get(n.protoMin());
            if (addr == null && port == null) {
                unknown(n);
                return;
            }
            Map<String, Object> json = Json.object();
            if (family != null) {
                json.put("family", family);
            }
            StringBuilder text = new StringBuilder(kind);
            if (family != null) {
                text.append(' ').append(family);
            }
            text.append(" to ");
            if (addr != null) {
                json.put("addr", addr.json());
                text.append(addr.text());
            }
            // a map's data holds address and port together
            if (port != null && (addr == null || !addr.kind().equals("map"))) {
                json.put("port", port.json());
                text.append(':').append(port.text());
            }
            out.add(new Shown(single(kind, json), text.toString()));
        }
    }
}
