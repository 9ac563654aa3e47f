package dev.podnet.dataplane.internal.nat;

import static dev.podnet.netlink.nft.Nft.Reg.R1;
import static dev.podnet.netlink.nft.Nft.Reg.R2;
import static dev.podnet.netlink.nft.Nft.Reg.reg32;

import dev.podnet.netlink.nft.Nft;
import dev.podnet.netlink.nft.NftBatch;

/**
 * The chains, rules and sets of {@link NatTable}'s table, written once. As nft would list them:
 *
 * <pre>
 * chain hostports {
 *     meta nfproto ipv4 dnat ip to ip daddr . meta l4proto . th dport map @hostports4
 *     meta nfproto ipv6 dnat ip6 to ip6 daddr . meta l4proto . th dport map @hostports6
 *     meta nfproto ipv4 dnat ip to meta l4proto . th dport map @ports4
 *     meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @ports6
 * }
 * chain prerouting { type nat hook prerouting priority dstnat; fib daddr type local jump hostports }
 * chain output { type nat hook output priority -100;
 *     meta nfproto ipv4 fib daddr type local jump hostports
 *     ip6 daddr != ::1 fib daddr type local jump hostports }
 * chain postrouting { type nat hook postrouting priority srcnat;
 *     ct status dnat ip saddr . ip daddr @same4 masquerade       # a pod reaching a published port of its network
 *     ct status dnat ip6 saddr . ip6 daddr @same6 masquerade
 *     ct status dnat ip saddr 127.0.0.0/8 masquerade             # the host at 127.0.0.1:PORT
 *     ip saddr . ip daddr @same4 return                          # never inside a network otherwise
 *     ip6 saddr . ip6 daddr @same6 return
 *     ip saddr @masq4 ip daddr != 224.0.0.0/4 masquerade         # ipMasq (multicast excluded)
 *     ip6 saddr @masq6 ip6 daddr != ff00::/8 masquerade }
 * chain forward { type filter hook forward priority filter;
 *     iifname @bridges accept
 *     oifname @bridges ct state established,related accept
 *     oifname @bridges ct status dnat accept }
 * </pre>
 *
 * The DNAT rules end the chain when their map holds the packet's key and fall through when it does
 * not, so a mapping for one host address wins over one for every address. The forward chain's
 * accepts cannot override a drop of another table on the same hook (each base chain decides); with
 * its accept policy it changes nothing by itself, and is where an isolation option would go.
 */
final class NatRules {
    private static final int IPV4 = Nft.Family.IPV4;
    private static final int IPV6 = Nft.Family.IPV6;
    private static final byte[] LOCAL = {Nft.Val.RTN_LOCAL, 0, 0, 0};
    private static final byte[] ZERO32 = {0, 0, 0, 0};

    private NatRules() {}

    /** The whole table, into {@code b}. */
    static void table(NftBatch b, String t) {
        b.addTable(t)
                .addSet(t, "masq4", Nft.Set.F_INTERVAL, Nft.Type.IPV4_ADDR, 4, 0, 0)
                .addSet(t, "masq6", Nft.Set.F_INTERVAL, Nft.Type.IPV6_ADDR, 16, 0, 0)
                .addSet(
                        t,
                        "same4",
                        Nft.Set.F_INTERVAL | Nft.Set.F_CONCAT,
                        Nft.Type.concat(Nft.Type.IPV4_ADDR, Nft.Type.IPV4_ADDR),
                        8,
                        0,
                        0,
                        4,
                        4)
                .addSet(
                        t,
                        "same6",
                        Nft.Set.F_INTERVAL | Nft.Set.F_CONCAT,
                        Nft.Type.concat(Nft.Type.IPV6_ADDR, Nft.Type.IPV6_ADDR),
                        32,
                        0,
                        0,
                        16,
                        16)
                .addSet(t, "bridges", 0, Nft.Type.IFNAME, 16, 0, 0)
                .addSet(
                        t,
                        "ports4",
                        0,
                        Nft.Type.concat(Nft.Type.INET_PROTO, Nft.Type.INET_SERVICE),
                        8,
                        Nft.Type.concat(Nft.Type.IPV4_ADDR, Nft.Type.INET_SERVICE),
                        8)
                .addSet(
                        t,
                        "ports6",
                        0,
                        Nft.Type.concat(Nft.Type.INET_PROTO, Nft.Type.INET_SERVICE),
                        8,
                        Nft.Type.concat(Nft.Type.IPV6_ADDR, Nft.Type.INET_SERVICE),
                        20)
                .addSet(
                        t,
                        "hostports4",
                        0,
                        Nft.Type.concat(Nft.Type.IPV4_ADDR, Nft.Type.INET_PROTO, Nft.Type.INET_SERVICE),
                        12,
                        Nft.Type.concat(Nft.Type.IPV4_ADDR, Nft.Type.INET_SERVICE),
                        8)
                .addSet(
                        t,
                        "hostports6",
                        0,
                        Nft.Type.concat(Nft.Type.IPV6_ADDR, Nft.Type.INET_PROTO, Nft.Type.INET_SERVICE),
                        24,
                        Nft.Type.concat(Nft.Type.IPV6_ADDR, Nft.Type.INET_SERVICE),
                        20)
                .addChain(t, "hostports")
                .addBaseChain(t, "prerouting", "nat", Nft.Hook.PRE_ROUTING, Nft.Hook.PRIORITY_DSTNAT)
                .addBaseChain(t, "output", "nat", Nft.Hook.LOCAL_OUT, Nft.Hook.PRIORITY_DSTNAT)
                .addBaseChain(t, "postrouting", "nat", Nft.Hook.POST_ROUTING, Nft.Hook.PRIORITY_SRCNAT)
                .addBaseChain(t, "forward", "filter", Nft.Hook.FORWARD, Nft.Hook.PRIORITY_FILTER);
        hostports(b, t);
        // prerouting and output: to a local address, look the port up
        b.addRule(t, "prerouting")
                .fibDaddrType(R1)
                .cmp(R1, Nft.Val.CMP_EQ, LOCAL)
                .jump("hostports")
                .end();
        nfproto(b.addRule(t, "output"), IPV4)
                .fibDaddrType(R1)
                .cmp(R1, Nft.Val.CMP_EQ, LOCAL)
                .jump("hostports")
                .end();
        byte[] loopback6 = new byte[16];
        loopback6[15] = 1;
        nfproto(b.addRule(t, "output"), IPV6)
                .payload(Nft.Val.PAYLOAD_NETWORK, 24, 16, R1)
                .cmp(R1, Nft.Val.CMP_NEQ, loopback6)
                .fibDaddrType(R1)
                .cmp(R1, Nft.Val.CMP_EQ, LOCAL)
                .jump("hostports")
                .end();
        postrouting(b, t);
        forward(b, t);
    }

    private static NftBatch.Rule nfproto(NftBatch.Rule r, int family) {
        return r.meta(Nft.Val.META_NFPROTO, R1).cmp(R1, Nft.Val.CMP_EQ, new byte[] {(byte) family});
    }

    /** {@code ip saddr . ip daddr} (or the IPv6 pair) into R1 onwards. */
    private static NftBatch.Rule addressPair(NftBatch.Rule r, int family) {
        return family == IPV4
                ? r.payload(Nft.Val.PAYLOAD_NETWORK, 12, 4, R1).payload(Nft.Val.PAYLOAD_NETWORK, 16, 4, reg32(1))
                : r.payload(Nft.Val.PAYLOAD_NETWORK, 8, 16, R1).payload(Nft.Val.PAYLOAD_NETWORK, 24, 16, R2);
    }

    private static void hostports(NftBatch b, String t) {
        // keyed by the host address too: daddr . l4proto . dport; the data (address . port) from R1
        nfproto(b.addRule(t, "hostports"), IPV4)
                .payload(Nft.Val.PAYLOAD_NETWORK, 16, 4, R1)
                .meta(Nft.Val.META_L4PROTO, reg32(1))
                .payload(Nft.Val.PAYLOAD_TRANSPORT, 2, 2, reg32(2))
                .map("hostports4", R1, R1)
                .dnat(IPV4, R1, reg32(1))
                .end();
        nfproto(b.addRule(t, "hostports"), IPV6)
                .payload(Nft.Val.PAYLOAD_NETWORK, 24, 16, R1)
                .meta(Nft.Val.META_L4PROTO, R2)
                .payload(Nft.Val.PAYLOAD_TRANSPORT, 2, 2, reg32(5))
                .map("hostports6", R1, R1)
                .dnat(IPV6, R1, R2)
                .end();
        nfproto(b.addRule(t, "hostports"), IPV4)
                .meta(Nft.Val.META_L4PROTO, R1)
                .payload(Nft.Val.PAYLOAD_TRANSPORT, 2, 2, reg32(1))
                .map("ports4", R1, R1)
                .dnat(IPV4, R1, reg32(1))
                .end();
        nfproto(b.addRule(t, "hostports"), IPV6)
                .meta(Nft.Val.META_L4PROTO, R1)
                .payload(Nft.Val.PAYLOAD_TRANSPORT, 2, 2, reg32(1))
                .map("ports6", R1, R1)
                .dnat(IPV6, R1, R2)
                .end();
    }

    private static void postrouting(NftBatch b, String t) {
        byte[] dnat = {Nft.Val.CT_STATUS_DNAT, 0, 0, 0};
        for (int family : new int[] {IPV4, IPV6}) {
            NftBatch.Rule hairpin = b.addRule(t, "postrouting")
                    .ct(Nft.Val.CT_STATUS, R1)
                    .bitwise(R1, R1, dnat, ZERO32)
                    .cmp(R1, Nft.Val.CMP_NEQ, ZERO32);
            addressPair(nfproto(hairpin, family), family)
                    .lookup(family == IPV4 ? "same4" : "same6", R1, false)
                    .masq()
                    .end();
        }
        // the host reaching a published port at 127.0.0.1 (route_localnet on the way to the pod)
        NftBatch.Rule localhost = b.addRule(t, "postrouting")
                .ct(Nft.Val.CT_STATUS, R1)
                .bitwise(R1, R1, dnat, ZERO32)
                .cmp(R1, Nft.Val.CMP_NEQ, ZERO32);
        nfproto(localhost, IPV4)
                .payload(Nft.Val.PAYLOAD_NETWORK, 12, 4, R1)
                .bitwise(R1, R1, new byte[] {(byte) 0xff, 0, 0, 0}, ZERO32)
                .cmp(R1, Nft.Val.CMP_EQ, new byte[] {127, 0, 0, 0})
                .masq()
                .end();
        for (int family : new int[] {IPV4, IPV6}) {
            addressPair(nfproto(b.addRule(t, "postrouting"), family), family)
                    .lookup(family == IPV4 ? "same4" : "same6", R1, false)
                    .verdict(Nft.Data.RETURN)
                    .end();
        }
        nfproto(b.addRule(t, "postrouting"), IPV4)
                .payload(Nft.Val.PAYLOAD_NETWORK, 12, 4, R1)
                .lookup("masq4", R1, false)
                .payload(Nft.Val.PAYLOAD_NETWORK, 16, 4, R1)
                .bitwise(R1, R1, new byte[] {(byte) 0xf0, 0, 0, 0}, ZERO32)
                .cmp(R1, Nft.Val.CMP_NEQ, new byte[] {(byte) 0xe0, 0, 0, 0})
                .masq()
                .end();
        nfproto(b.addRule(t, "postrouting"), IPV6)
                .payload(Nft.Val.PAYLOAD_NETWORK, 8, 16, R1)
                .lookup("masq6", R1, false)
                .payload(Nft.Val.PAYLOAD_NETWORK, 24, 1, R1)
                .cmp(R1, Nft.Val.CMP_NEQ, new byte[] {(byte) 0xff})
                .masq()
                .end();
    }

    private static void forward(NftBatch b, String t) {
        b.addRule(t, "forward")
                .meta(Nft.Val.META_IIFNAME, R1)
                .lookup("bridges", R1, false)
                .verdict(Nft.Data.ACCEPT)
                .end();
        b.addRule(t, "forward")
                .meta(Nft.Val.META_OIFNAME, R1)
                .lookup("bridges", R1, false)
                .ct(Nft.Val.CT_STATE, R1)
                .bitwise(R1, R1, new byte[] {Nft.Val.CT_STATE_ESTABLISHED | Nft.Val.CT_STATE_RELATED, 0, 0, 0}, ZERO32)
                .cmp(R1, Nft.Val.CMP_NEQ, ZERO32)
                .verdict(Nft.Data.ACCEPT)
                .end();
        b.addRule(t, "forward")
                .meta(Nft.Val.META_OIFNAME, R1)
                .lookup("bridges", R1, false)
                .ct(Nft.Val.CT_STATUS, R1)
                .bitwise(R1, R1, new byte[] {Nft.Val.CT_STATUS_DNAT, 0, 0, 0}, ZERO32)
                .cmp(R1, Nft.Val.CMP_NEQ, ZERO32)
                .verdict(Nft.Data.ACCEPT)
                .end();
    }
}
