package dev.podnet.netlink.nft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeFormatException;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.nft.NftExpr.Bitwise;
import dev.podnet.netlink.nft.NftExpr.Cmp;
import dev.podnet.netlink.nft.NftExpr.Counter;
import dev.podnet.netlink.nft.NftExpr.Ct;
import dev.podnet.netlink.nft.NftExpr.Fib;
import dev.podnet.netlink.nft.NftExpr.Immediate;
import dev.podnet.netlink.nft.NftExpr.Lookup;
import dev.podnet.netlink.nft.NftExpr.Masq;
import dev.podnet.netlink.nft.NftExpr.Meta;
import dev.podnet.netlink.nft.NftExpr.Nat;
import dev.podnet.netlink.nft.NftExpr.Payload;
import dev.podnet.netlink.nft.NftRuleset.Chain;
import dev.podnet.netlink.nft.NftRuleset.Element;
import dev.podnet.netlink.nft.NftRuleset.Rule;
import dev.podnet.netlink.nft.NftRuleset.TableDump;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link NftRuleset} over the kernel's own answers to {@code nft list table inet podnet}, recorded
 * with strace (test resources {@code nft/*.hex}, which say where they come from): podnet's design
 * table with elements in most sets, and the first draft's table (capture 13); and over those bytes
 * cut short and garbled, which may only fail as malformed input.
 */
class NftRulesetTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int ABSENT = NftExpr.ABSENT;

    /** The datagrams of a recording, by section ({@code GETRULE}, {@code GETSETELEM ports4} ...). */
    private static Map<String, List<byte[]>> recording(String name) {
        Map<String, List<byte[]>> sections = new LinkedHashMap<>();
        List<byte[]> current = null;
        try (InputStream in = NftRulesetTest.class.getResourceAsStream("/nft/" + name + ".hex")) {
            if (in == null) {
                throw new IllegalArgumentException("no recording " + name);
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("[")) {
                    current = new ArrayList<>();
                    sections.put(line.substring(1, line.length() - 1), current);
                } else {
                    current.add(HEX.parseHex(line));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sections;
    }

    /** The nf_tables messages of some datagrams (acks and DONE left out). */
    private static List<NftMessage> messages(List<byte[]> datagrams) {
        List<NftMessage> out = new ArrayList<>();
        for (byte[] d : datagrams) {
            List<NetlinkMessage> decoded = new ArrayList<>();
            NetlinkCodec.decode(Unpooled.wrappedBuffer(d), NftMessages.INSTANCE, decoded);
            for (NetlinkMessage m : decoded) {
                if (m instanceof NftMessage n) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    private static TableDump dump(String recording) {
        Map<String, List<byte[]>> r = recording(recording);
        Map<String, List<NftMessage>> elements = new LinkedHashMap<>();
        r.forEach((section, datagrams) -> {
            if (section.startsWith("GETSETELEM ")) {
                elements.put(section.substring("GETSETELEM ".length()), messages(datagrams));
            }
        });
        return NftRuleset.of(
                "podnet",
                messages(r.get("GETTABLE")),
                messages(r.get("GETCHAIN")),
                messages(r.get("GETSET")),
                elements,
                messages(r.get("GETRULE")));
    }

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    @Test
    void theTableAndItsChains() {
        TableDump d = dump("podnet-design-list-table");
        assertEquals(new NftRuleset.Table("podnet", Nft.Family.INET, 1, 0), d.table());
        assertEquals(
                List.of("hostports", "prerouting", "output", "postrouting", "forward"),
                d.chains().stream().map(Chain::name).toList());
        assertEquals(new Chain("podnet", "hostports", 1, null, null, null, null), d.chain("hostports"));
        assertFalse(d.chain("hostports").isBase());
        assertEquals(new Chain("podnet", "prerouting", 2, "nat", Nft.Hook.PRE_ROUTING, -100, 1), d.chain("prerouting"));
        assertEquals(new Chain("podnet", "output", 3, "nat", Nft.Hook.LOCAL_OUT, -100, 1), d.chain("output"));
        assertEquals(
                new Chain("podnet", "postrouting", 4, "nat", Nft.Hook.POST_ROUTING, 100, 1), d.chain("postrouting"));
        assertEquals(new Chain("podnet", "forward", 5, "filter", Nft.Hook.FORWARD, 0, 1), d.chain("forward"));
        assertTrue(d.chain("forward").isBase());
        assertNull(NftRuleset.of("nosuch", List.of(), List.of(), List.of(), Map.of(), List.of()));
    }

    @Test
    void setsAndMaps() {
        TableDump d = dump("podnet-design-list-table");
        assertEquals(
                List.of("masq4", "masq6", "same4", "same6", "bridges", "ports4", "ports6", "hostports4", "hostports6"),
                d.sets().stream().map(NftRuleset.Set::name).toList());
        assertEquals(
                new NftRuleset.Set("podnet", "masq4", 6, Nft.Set.F_INTERVAL, Nft.Type.IPV4_ADDR, 4, 0, 0, List.of()),
                d.set("masq4"));
        assertEquals(
                new NftRuleset.Set(
                        "podnet",
                        "same4",
                        8,
                        Nft.Set.F_INTERVAL | Nft.Set.F_CONCAT,
                        Nft.Type.concat(Nft.Type.IPV4_ADDR, Nft.Type.IPV4_ADDR),
                        8,
                        0,
                        0,
                        List.of(4, 4)),
                d.set("same4"));
        assertEquals(List.of(16, 16), d.set("same6").fieldLengths());
        assertEquals(32, d.set("same6").keyLength());
        assertEquals(
                new NftRuleset.Set("podnet", "bridges", 10, 0, Nft.Type.IFNAME, 16, 0, 0, List.of()), d.set("bridges"));
        NftRuleset.Set ports6 = d.set("ports6");
        assertTrue(ports6.isMap());
        assertFalse(ports6.isInterval());
        assertEquals(Nft.Type.concat(Nft.Type.INET_PROTO, Nft.Type.INET_SERVICE), ports6.keyType());
        assertEquals(8, ports6.keyLength());
        assertEquals(Nft.Type.concat(Nft.Type.IPV6_ADDR, Nft.Type.INET_SERVICE), ports6.dataType());
        assertEquals(20, ports6.dataLength());
        assertEquals(
                Nft.Type.concat(Nft.Type.IPV4_ADDR, Nft.Type.INET_PROTO, Nft.Type.INET_SERVICE),
                d.set("hostports4").keyType());
        assertEquals(12, d.set("hostports4").keyLength());
    }

    @Test
    void mapElementsWithTheirComments() {
        TableDump d = dump("podnet-design-list-table");
        List<Element> ports4 = d.elements().get("ports4");
        assertEquals(2, ports4.size(), "the empty message that ends the dump adds nothing");
        // udp . 53 : 198.18.0.6 . 5353, without a comment
        assertEquals(new Element(hex("11000000 00350000"), null, hex("c6120006 14e90000"), 0, null), ports4.get(0));
        // tcp . 8080 comment "ep" : 198.18.0.5 . 80
        Element tcp = ports4.get(1);
        assertArrayEquals(hex("06000000 1f900000"), tcp.key());
        assertArrayEquals(hex("c6120005 00500000"), tcp.data());
        assertNull(tcp.keyEnd());
        assertEquals("ep", tcp.comment());
        assertEquals(0, tcp.flags());

        Element six = d.elements().get("ports6").getFirst();
        assertArrayEquals(hex("06000000 20fb0000"), six.key());
        assertArrayEquals(hex("fd000088 00000000 00000000 00000005 01bb0000"), six.data());
        assertEquals("podnet:cafe0001", six.comment());

        assertEquals(
                List.of(new Element(hex("c0000201 06000000 23820000"), null, hex("c6120005 005a0000"), 0, null)),
                d.elements().get("hostports4"));
        assertEquals(List.of(), d.elements().get("hostports6"));
        assertEquals(List.of(), d.elements().get("same6"));
        assertArrayEquals(
                hex("706e6272 30000000 00000000 00000000"),
                d.elements().get("bridges").getFirst().key(),
                "\"pnbr0\", NUL padded to IFNAMSIZ");
    }

    @Test
    void intervalElements() {
        TableDump d = dump("podnet-design-list-table");
        // 198.18.0.0/16 as the kernel's rbtree keeps it, highest first: the exclusive end 198.19.0.0, the
        // start, and nft's "nothing below" end element 0.0.0.0
        List<Element> masq4 = d.elements().get("masq4");
        assertEquals(3, masq4.size());
        assertArrayEquals(hex("c6130000"), masq4.get(0).key());
        assertTrue(masq4.get(0).isIntervalEnd());
        assertArrayEquals(hex("c6120000"), masq4.get(1).key());
        assertFalse(masq4.get(1).isIntervalEnd());
        assertArrayEquals(hex("00000000"), masq4.get(2).key());
        assertTrue(masq4.get(2).isIntervalEnd());
        // fd00:88::/64: end fd00:88:0:1::
        assertArrayEquals(
                hex("fd000088 00000001 00000000 00000000"),
                d.elements().get("masq6").getFirst().key());

        // a concatenated interval (pipapo): one element, start and inclusive end of every field
        Element same4 = d.elements().get("same4").getFirst();
        assertEquals(1, d.elements().get("same4").size());
        assertArrayEquals(hex("c6120000 c6120000"), same4.key());
        assertArrayEquals(hex("c612ffff c612ffff"), same4.keyEnd());
        assertFalse(same4.isIntervalEnd());
    }

    @Test
    void rulesOfTheDesign() {
        TableDump d = dump("podnet-design-list-table");
        assertEquals(17, d.rules().size());
        assertEquals(4, d.rules("hostports").size());
        assertEquals(1, d.rules("prerouting").size());
        assertEquals(2, d.rules("output").size());
        assertEquals(7, d.rules("postrouting").size());
        assertEquals(3, d.rules("forward").size());

        // fib daddr type local jump hostports
        Rule prerouting = d.rules("prerouting").getFirst();
        assertEquals(19, prerouting.handle());
        assertEquals(
                List.of(
                        new Fib(1, Nft.Val.FIB_RESULT_ADDRTYPE, Nft.Val.FIB_F_DADDR),
                        new Cmp(1, Nft.Val.CMP_EQ, hex("02000000")),
                        new Immediate(Nft.Reg.VERDICT, Nft.Data.JUMP, "hostports", null)),
                prerouting.expressions());

        // meta nfproto ipv4 dnat ip to ip daddr . meta l4proto . th dport map @hostports4
        assertEquals(
                List.of(
                        new Meta(Nft.Val.META_NFPROTO, 1, ABSENT),
                        new Cmp(1, Nft.Val.CMP_EQ, hex("02")),
                        new Payload(1, Nft.Val.PAYLOAD_NETWORK, 16, 4),
                        new Meta(Nft.Val.META_L4PROTO, 9, ABSENT),
                        new Payload(10, Nft.Val.PAYLOAD_TRANSPORT, 2, 2),
                        new Lookup("hostports4", 1, 1, false),
                        new Nat(Nft.Val.NAT_DNAT, Nft.Family.IPV4, 1, 1, 9, 9, 3)),
                d.rules("hostports").getFirst().expressions());

        // ct status dnat ip saddr . ip daddr @same4 masquerade
        List<NftExpr> hairpin = d.rules("postrouting").getFirst().expressions();
        assertEquals(new Ct(Nft.Val.CT_STATUS, 1, ABSENT, ABSENT), hairpin.get(0));
        Bitwise dnatBit = assertInstanceOf(Bitwise.class, hairpin.get(1));
        assertArrayEquals(hex("20000000"), dnatBit.mask());
        assertArrayEquals(hex("00000000"), dnatBit.xor());
        assertEquals(4, dnatBit.length());
        assertEquals(new Cmp(1, Nft.Val.CMP_NEQ, hex("00000000")), hairpin.get(2));
        assertEquals(new Payload(1, Nft.Val.PAYLOAD_NETWORK, 12, 4), hairpin.get(5));
        assertEquals(new Payload(9, Nft.Val.PAYLOAD_NETWORK, 16, 4), hairpin.get(6));
        assertEquals(new Lookup("same4", 1, ABSENT, false), hairpin.get(7));
        assertFalse(((Lookup) hairpin.get(7)).isMap());
        assertEquals(new Masq(0, ABSENT, ABSENT), hairpin.get(8));
        assertEquals(9, hairpin.size());

        // ip6 daddr != ::1 fib daddr type local jump hostports
        assertEquals(
                new Cmp(1, Nft.Val.CMP_NEQ, hex("00000000 00000000 00000000 00000001")),
                d.rules("output").get(1).expressions().get(3));
        // iifname @bridges accept
        assertEquals(
                List.of(
                        new Meta(Nft.Val.META_IIFNAME, 1, ABSENT),
                        new Lookup("bridges", 1, ABSENT, false),
                        new Immediate(Nft.Reg.VERDICT, Nft.Data.ACCEPT, null, null)),
                d.rules("forward").getFirst().expressions());
    }

    @Test
    void theFirstDraftOfCapture13() {
        TableDump d = dump("c13-list-table");
        assertEquals("podnet", d.table().name());
        assertEquals(39, d.table().handle());
        assertEquals(
                List.of("masq4", "masq6", "ports4", "ports6"),
                d.sets().stream().map(NftRuleset.Set::name).toList());
        Element ep = d.elements().get("ports4").getFirst();
        assertArrayEquals(hex("06000000 1f900000"), ep.key());
        assertArrayEquals(hex("0a580005 00500000"), ep.data());
        assertEquals("ep=0f3a9c2e", ep.comment());

        // fib daddr type local dnat ip to meta l4proto . th dport map @ports4
        assertEquals(
                List.of(
                        new Fib(1, Nft.Val.FIB_RESULT_ADDRTYPE, Nft.Val.FIB_F_DADDR),
                        new Cmp(1, Nft.Val.CMP_EQ, hex("02000000")),
                        new Meta(Nft.Val.META_L4PROTO, 1, ABSENT),
                        new Payload(9, Nft.Val.PAYLOAD_TRANSPORT, 2, 2),
                        new Lookup("ports4", 1, 1, false),
                        new Nat(Nft.Val.NAT_DNAT, Nft.Family.IPV4, 1, 1, 9, 9, 3)),
                d.rules("prerouting").getFirst().expressions());
        // ip saddr @masq4 ip daddr != @masq4 masquerade
        List<NftExpr> masquerade = d.rules("postrouting").getFirst().expressions();
        assertEquals(new Lookup("masq4", 1, ABSENT, false), masquerade.get(3));
        assertEquals(new Lookup("masq4", 1, ABSENT, true), masquerade.get(5));
        assertInstanceOf(Masq.class, masquerade.get(6));
        // oifname "br0" counter accept
        List<NftExpr> counted = d.rules("forward").get(2).expressions();
        assertEquals(new Cmp(1, Nft.Val.CMP_EQ, hex("62723000 00000000 00000000 00000000")), counted.get(1));
        assertEquals(new Counter(0, 0), counted.get(2));
        assertEquals(new Immediate(Nft.Reg.VERDICT, Nft.Data.ACCEPT, null, null), counted.get(3));
    }

    @Test
    void anExpressionItDoesNotKnowStaysAsItCame() {
        AttributeList element = AttributeList.builder()
                .string(Nft.Expr.NAME, "quota")
                .nested(Nft.Expr.DATA, b -> b.bytes(1, hex("0000000000000400")))
                .build();
        NftExpr.Unknown quota = assertInstanceOf(NftExpr.Unknown.class, NftExpr.decode(element));
        assertEquals("quota", quota.name());
        assertArrayEquals(hex("0000000000000400"), quota.attributes().bytes(1));
        // a meta without its key is not a meta podnet can read
        AttributeList keyless = AttributeList.builder()
                .string(Nft.Expr.NAME, "meta")
                .nested(Nft.Expr.DATA, b -> b.bytes(Nft.Attr.META_DREG, hex("00000001")))
                .build();
        assertInstanceOf(NftExpr.Unknown.class, NftExpr.decode(keyless));
    }

    @Test
    void aComment() {
        assertEquals("ep", NftRuleset.comment(hex("0003 657000")));
        assertEquals("x", NftRuleset.comment(hex("0102 ffff 0002 7800")), "after another TLV");
        assertNull(NftRuleset.comment(hex("0009 6570")), "a length past the end");
        assertNull(NftRuleset.comment(hex("0102 ffff")));
        assertNull(NftRuleset.comment(null));
    }

    @Test
    void aMessageOfAnotherTypeOrWithoutItsName() {
        NftMessage chain = new NftMessage(Nft.Msg.NEWCHAIN, 0, 0, 0, Nft.Family.INET, 0, AttributeList.EMPTY);
        assertThrows(NetlinkDecodeException.class, () -> NftRuleset.table(chain));
        assertThrows(NetlinkDecodeException.class, () -> NftRuleset.chain(chain));
        NftMessage shortHandle = new NftMessage(
                Nft.Msg.NEWTABLE,
                0,
                0,
                0,
                Nft.Family.INET,
                0,
                AttributeList.builder()
                        .string(Nft.Table.NAME, "podnet")
                        .bytes(Nft.Table.HANDLE, hex("0001"))
                        .build());
        assertThrows(AttributeFormatException.class, () -> NftRuleset.table(shortHandle));
    }

    @Test
    void cutShortOrGarbledBytesFailOnlyAsMalformed() {
        Map<String, List<byte[]>> r = recording("podnet-design-list-table");
        List<byte[]> all = new ArrayList<>();
        r.values().forEach(all::addAll);
        Random random = new Random(15);
        int decodedSome = 0;
        for (byte[] datagram : all) {
            for (int cut = 0; cut <= datagram.length; cut++) {
                decodedSome += decodeOrMalformed(java.util.Arrays.copyOf(datagram, cut));
            }
            for (int i = 0; i < 300; i++) {
                byte[] garbled = datagram.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    garbled[random.nextInt(garbled.length)] = (byte) random.nextInt(256);
                }
                decodedSome += decodeOrMalformed(garbled);
            }
        }
        assertTrue(decodedSome > 0, "some garbled messages still decode");
    }

    /** Decodes every message of a datagram as what its type says: 1 when that worked, 0 when it was malformed. */
    private static int decodeOrMalformed(byte[] datagram) {
        try {
            for (NftMessage m : messages(List.of(datagram))) {
                int type = m.type();
                Object decoded;
                if (type == Nft.Msg.NEWTABLE) {
                    decoded = NftRuleset.table(m);
                } else if (type == Nft.Msg.NEWCHAIN) {
                    decoded = NftRuleset.chain(m);
                } else if (type == Nft.Msg.NEWSET) {
                    decoded = NftRuleset.set(m);
                } else if (type == Nft.Msg.NEWSETELEM) {
                    decoded = NftRuleset.elements(m);
                } else if (type == Nft.Msg.NEWRULE) {
                    decoded = NftRuleset.rule(m);
                } else {
                    decoded = m;
                }
                assertNotNull(decoded.toString());
            }
            return 1;
        } catch (NetlinkDecodeException | AttributeFormatException expected) {
            return 0;
        }
    }
}
