package dev.podnet.netlink.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.Errno;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Transactions written by {@link NftBatch} and committed by {@link NftSocket} in a sandbox's
 * nf_tables, read back with nft itself: the table, sets, maps, chains and rules podnet's design
 * uses, elements with their comments, a refused transaction (nothing of it applied, the failing
 * element named), and a transaction computed against an older generation refused whole.
 */
@KernelTest
class NftSocketTest {
    private static final String TABLE = "pntest";
    private static final int TCP = 6;

    private static void commit(NftSocket s, Consumer<NftBatch> body) {
        ByteBuf buf = Unpooled.buffer(4096);
        try {
            NftBatch b = NftBatch.begin(buf);
            body.accept(b);
            b.end();
            s.commit(b);
        } finally {
            buf.release();
        }
    }

    private static void portMapping(NftBatch b, int port, int podAddress, int podPort, String owner) {
        mapping(b.addElements(TABLE, "ports4", true, "add element ports4 " + port), port, podAddress, podPort)
                .comment(owner)
                .endElement()
                .end();
    }

    /** Begins an element {@code tcp . port : podAddress . podPort} (to be ended). */
    private static NftBatch.Elements mapping(NftBatch.Elements e, int port, int podAddress, int podPort) {
        return e.element()
                .key()
                .u8(TCP)
                .port(port)
                .endValue()
                .data()
                .ipv4(podAddress)
                .port(podPort)
                .endValue();
    }

    /** An element given by its key {@code tcp . port} alone (a delete). */
    private static NftBatch.Elements key(NftBatch.Elements e, int port) {
        return e.element().key().u8(TCP).port(port).endValue().endElement();
    }

    private static void createTable(NftBatch b) {
        b.addTable(TABLE)
                .addSet(TABLE, "masq4", Nft.Set.F_INTERVAL, Nft.Type.IPV4_ADDR, 4, 0, 0)
                .addSet(
                        TABLE,
                        "ports4",
                        0,
                        Nft.Type.concat(Nft.Type.INET_PROTO, Nft.Type.INET_SERVICE),
                        8,
                        Nft.Type.concat(Nft.Type.IPV4_ADDR, Nft.Type.INET_SERVICE),
                        8)
                .addBaseChain(TABLE, "prerouting", "nat", Nft.Hook.PRE_ROUTING, Nft.Hook.PRIORITY_DSTNAT)
                .addBaseChain(TABLE, "postrouting", "nat", Nft.Hook.POST_ROUTING, Nft.Hook.PRIORITY_SRCNAT);
        // fib daddr type local meta nfproto ipv4 dnat ip to meta l4proto . th dport map @ports4
        b.addRule(TABLE, "prerouting")
                .fibDaddrType(Nft.Reg.R1)
                .cmp(Nft.Reg.R1, Nft.Val.CMP_EQ, new byte[] {Nft.Val.RTN_LOCAL, 0, 0, 0})
                .meta(Nft.Val.META_NFPROTO, Nft.Reg.R1)
                .cmp(Nft.Reg.R1, Nft.Val.CMP_EQ, new byte[] {Nft.Family.IPV4})
                .meta(Nft.Val.META_L4PROTO, Nft.Reg.R1)
                .payload(Nft.Val.PAYLOAD_TRANSPORT, 2, 2, Nft.Reg.reg32(1))
                .map("ports4", Nft.Reg.R1, Nft.Reg.R1)
                .dnat(Nft.Family.IPV4, Nft.Reg.R1, Nft.Reg.reg32(1))
                .end();
        // ip saddr @masq4 ip daddr != @masq4 masquerade
        b.addRule(TABLE, "postrouting")
                .meta(Nft.Val.META_NFPROTO, Nft.Reg.R1)
                .cmp(Nft.Reg.R1, Nft.Val.CMP_EQ, new byte[] {Nft.Family.IPV4})
                .payload(Nft.Val.PAYLOAD_NETWORK, 12, 4, Nft.Reg.R1)
                .lookup("masq4", Nft.Reg.R1, false)
                .payload(Nft.Val.PAYLOAD_NETWORK, 16, 4, Nft.Reg.R1)
                .lookup("masq4", Nft.Reg.R1, true)
                .counter()
                .masq()
                .end();
        // 198.18.0.0/16: start, and the exclusive end flagged as such
        b.addElements(TABLE, "masq4", false, "add element masq4 198.18.0.0/16")
                .element()
                .key()
                .ipv4(0xc6120000)
                .endValue()
                .endElement()
                .element()
                .key()
                .ipv4(0xc6130000)
                .endValue()
                .flags(Nft.Elem.F_INTERVAL_END)
                .endElement()
                .end();
    }

    /** What the test does on an nf_tables socket in the sandbox. */
    private interface OnSocket<T> {
        T run(NftSocket s) throws Exception;
    }

    /** Runs {@code test} on an nf_tables socket in {@code sandbox}, once the test's table is created. */
    private static <T> T withTable(Sandbox sandbox, OnSocket<T> test) throws Exception {
        return sandbox.inside(() -> {
            try (NftSocket s = NftSocket.open()) {
                commit(s, NftSocketTest::createTable);
                return test.run(s);
            }
        });
    }

    @Test
    void aTableOfSetsMapsChainsAndRulesAsNftReadsIt(Sandbox sandbox) throws Exception {
        withTable(sandbox, s -> {
            commit(s, b -> portMapping(b, 8080, 0xc6120005, 80, "podnet:ep1"));
            return null;
        });
        String listed = sandbox.exec("nft", "list", "table", "inet", TABLE);
        assertTrue(listed.contains("elements = { 198.18.0.0/16 }"), listed);
        assertTrue(listed.contains("tcp . 8080 comment \"podnet:ep1\" : 198.18.0.5 . 80"), listed);
        assertTrue(listed.contains("type nat hook prerouting priority dstnat; policy accept;"), listed);
        assertTrue(listed.contains("type nat hook postrouting priority srcnat; policy accept;"), listed);
        assertTrue(
                listed.contains(
                        "fib daddr type local meta nfproto ipv4 dnat ip to meta l4proto . th dport map @ports4"),
                listed);
        assertTrue(listed.contains("ip saddr @masq4 ip daddr != @masq4 counter packets 0 bytes 0 masquerade"), listed);
        sandbox.exec("nft", "delete", "table", "inet", TABLE);
    }

    @Test
    void aRefusedTransactionAppliesNothingAndNamesTheElement(Sandbox sandbox) throws Exception {
        NftException refused = withTable(sandbox, s -> {
            commit(s, b -> portMapping(b, 8080, 0xc6120005, 80, "podnet:ep1"));
            // a new port, then one already taken, in one message: the kernel refuses the whole
            return assertThrows(
                    NftException.class,
                    () -> commit(
                            s,
                            b -> mapping(
                                            mapping(
                                                            b.addElements(
                                                                    TABLE, "ports4", true, "add elements for ep2"),
                                                            9090,
                                                            0xc6120006,
                                                            90)
                                                    .endElement(),
                                            8080,
                                            0xc6120006,
                                            80)
                                    .endElement()
                                    .end()));
        });
        assertEquals(Errno.EEXIST, refused.errno(), refused.getMessage());
        assertEquals(1, refused.messageIndex());
        assertEquals(1, refused.element(), "the kernel points at the second element: " + refused.getMessage());
        assertTrue(refused.getMessage().contains("add elements for ep2"), refused.getMessage());
        assertTrue(refused.getMessage().contains("EEXIST"), refused.getMessage());
        String listed = sandbox.exec("nft", "list", "map", "inet", TABLE, "ports4");
        assertFalse(listed.contains("9090"), "nothing of a refused transaction is applied: " + listed);
        assertTrue(listed.contains("198.18.0.5 . 80"), listed);
        sandbox.exec("nft", "delete", "table", "inet", TABLE);
    }

    @Test
    void aTransactionFromAnOlderGenerationIsRefusedWhole(Sandbox sandbox) throws Exception {
        NftException stale = withTable(sandbox, s -> {
            int generation = s.generation();
            commit(s, b -> portMapping(b, 8080, 0xc6120005, 80, "podnet:ep1"));
            assertNotEquals(generation, s.generation(), "a commit moves the generation on");
            ByteBuf buf = Unpooled.buffer(1024);
            try {
                NftBatch b = NftBatch.begin(buf, generation);
                portMapping(b, 9090, 0xc6120006, 90, "podnet:ep2");
                b.end();
                return assertThrows(NftException.class, () -> s.commit(b));
            } finally {
                buf.release();
            }
        });
        assertEquals(Errno.ERESTART, stale.errno(), stale.getMessage());
        assertEquals(0, stale.messageIndex());
        assertTrue(stale.getMessage().contains("the ruleset changed since it was read"), stale.getMessage());
        assertFalse(sandbox.exec("nft", "list", "map", "inet", TABLE, "ports4").contains("9090"));
        sandbox.exec("nft", "delete", "table", "inet", TABLE);
    }

    @Test
    void elementsAreDumpedAndDeleted(Sandbox sandbox) throws Exception {
        List<NftMessage> dumped = withTable(sandbox, s -> {
            commit(s, b -> portMapping(b, 8080, 0xc6120005, 80, "podnet:ep1"));
            commit(s, b -> portMapping(b, 8081, 0xc6120005, 81, "podnet:ep1"));
            List<NftMessage> elements = s.dump(
                    Nft.Msg.GETSETELEM,
                    w -> w.string(Nft.Elem.LIST_TABLE, TABLE).string(Nft.Elem.LIST_SET, "ports4"));
            commit(
                    s,
                    b -> key(key(b.deleteElements(TABLE, "ports4", false, "delete ep1's ports"), 8080), 8081)
                            .end());
            // deleting what is not there fails the transaction (ENOENT)
            NftException gone = assertThrows(
                    NftException.class,
                    () -> commit(
                            s,
                            b -> key(b.deleteElements(TABLE, "ports4", false, "delete again"), 8080)
                                    .end()));
            assertEquals(Errno.ENOENT, gone.errno(), gone.getMessage());
            commit(s, b -> b.deleteTable(TABLE));
            return elements;
        });
        int seen = 0;
        for (NftMessage m : dumped) {
            assertEquals(Nft.Msg.NEWSETELEM, m.type());
            byte[] elements = m.attributes().bytes(Nft.Elem.LIST_ELEMENTS);
            if (elements != null && elements.length > 0) {
                seen += m.attributes().nested(Nft.Elem.LIST_ELEMENTS).size();
            }
        }
        assertEquals(2, seen, "both elements in the dump: " + dumped);
        assertFalse(sandbox.exec("nft", "list", "tables").contains(TABLE));
    }
}
