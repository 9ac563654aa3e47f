package dev.podnet.dataplane.internal.nat;

import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.PortMapping;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.netlink.nft.Nft;
import dev.podnet.netlink.nft.NftBatch;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The elements of {@link NatTable}'s sets and maps for a network and for an endpoint's published
 * ports, written into element messages that a {@link Sink} opens: to add them, or (keys alone) to
 * delete them.
 */
final class NatElements {
    private NatElements() {}

    /** Where element messages go: {@code open} begins one for {@code set} (add or delete, as the sink does). */
    @FunctionalInterface
    interface Sink {
        NftBatch.Elements open(String set, String description);

        default boolean adding() {
            return false;
        }
    }

    static Sink adding(NftBatch b) {
        return new Sink() {
            @Override
            public NftBatch.Elements open(String set, String description) {
                return b.addElements(NatTable.TABLE, set, set.contains("ports"), description);
            }

            @Override
            public boolean adding() {
                return true;
            }
        };
    }

    static void networkElements(Sink sink, NetworkRecord n) {
        String what = (sink.adding() ? "add" : "remove") + " network " + n.name();
        if (n.ipv4()) {
            Cidr s = Cidr.parse(n.subnet());
            interval(sink, "same4", s, what, true);
            if (n.ipMasq()) {
                interval(sink, "masq4", s, what, false);
            }
        }
        if (n.ipv6()) {
            Cidr s = Cidr.parse(n.subnet6());
            interval(sink, "same6", s, what, true);
            if (n.ipMasq()) {
                interval(sink, "masq6", s, what, false);
            }
        }
        if (n.mode() == NetworkMode.BRIDGE && !n.bridge().isEmpty()) {
            byte[] name = new byte[16];
            byte[] text = n.bridge().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, name, 0, Math.min(text.length, 15));
            sink.open("bridges", what + ": bridge " + n.bridge())
                    .element()
                    .key()
                    .address(name)
                    .endValue()
                    .endElement()
                    .end();
        }
    }

    /**
     * {@code subnet} in an interval set: {@code masq4/6} holds it as start and exclusive end (two
     * elements); {@code same4/6} (a concatenation) as {@code subnet . subnet} with an inclusive end.
     */
    private static void interval(Sink sink, String set, Cidr subnet, String what, boolean pair) {
        byte[] first = subnet.network().address().getAddress();
        BigInteger size = subnet.size();
        BigInteger start = new BigInteger(1, first);
        byte[] last = bytes(start.add(size).subtract(BigInteger.ONE), first.length);
        NftBatch.Elements e = sink.open(set, what + ": " + set + " " + subnet);
        if (pair) {
            e.element().key().address(first).address(first).endValue();
            e.keyEnd().address(last).address(last).endValue().endElement();
        } else {
            e.element().key().address(first).endValue().endElement();
            BigInteger end = start.add(size);
            if (end.bitLength() <= first.length * 8) { // the end of the address space needs no end element
                e.element()
                        .key()
                        .address(bytes(end, first.length))
                        .endValue()
                        .flags(Nft.Elem.F_INTERVAL_END)
                        .endElement();
            }
        }
        e.end();
    }

    private static byte[] bytes(BigInteger v, int length) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[length];
        int n = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - n, out, length - n, n);
        return out;
    }

    static void portElements(
            Sink sink,
            String owner,
            List<PortMapping> ports,
            Inet4Address pod4,
            InetAddress pod6,
            boolean v4,
            boolean v6) {
        for (PortMapping p : ports) {
            boolean hostIp = p.hostIp() != null;
            for (int family : new int[] {4, 6}) {
                if ((family == 4 ? !v4 : !v6) || hostIp && (p.ipv6HostIp() != (family == 6))) {
                    continue;
                }
                String map = (hostIp ? "hostports" : "ports") + family;
                String desc = (sink.adding() ? "publish " : "withdraw ") + p + (owner == null ? "" : " for " + owner)
                        + " (" + map + ")";
                NftBatch.Elements e = sink.open(map, desc);
                e.element().key();
                if (hostIp) {
                    e.address(p.hostIp().getAddress());
                }
                e.u8(p.protocolNumber()).port(p.hostPort()).endValue();
                if (sink.adding()) {
                    e.data()
                            .address(family == 4 ? pod4.getAddress() : pod6.getAddress())
                            .port(p.podPort())
                            .endValue()
                            .comment("podnet:" + owner);
                }
                e.endElement().end();
            }
        }
    }
}
