package dev.podnet.dataplane.internal.nat;

import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.PortMapping;
import dev.podnet.dataplane.internal.netns.RtnlExecutor;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.nft.Nft;
import dev.podnet.netlink.nft.NftBatch;
import dev.podnet.netlink.nft.NftSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * podnet's nf_tables table in the host namespace, {@code inet podnet}: masquerade for networks
 * that ask for it and published ports, through the codec's {@link NftSocket} on the rtnetlink thread
 * (one socket, made in the host namespace, used by that thread only).
 *
 * <p>The table's chains and rules are written once, when first needed, and never per pod: networks
 * and endpoints are elements of its sets and maps, added and removed in one transaction each.
 * <ul>
 *   <li>{@code masq4}/{@code masq6}: subnets whose traffic leaves masqueraded ({@code ipMasq});</li>
 *   <li>{@code same4}/{@code same6}: {@code subnet . subnet} of every network (traffic inside a
 *       network is never masqueraded, except a pod reaching a published port of its own network,
 *       which is, so that the answer comes back the same way: the CNI portmap plugin's hairpin);</li>
 *   <li>{@code bridges}: the networks' bridges, whose traffic the forward chain accepts;</li>
 *   <li>{@code ports4}/{@code ports6}: {@code protocol . host port → pod address . pod port}, for
 *       every local address; {@code hostports4}/{@code hostports6} the same keyed by one host
 *       address too. Each element's comment names the endpoint that owns it.</li>
 * </ul>
 * A host port already published is refused by the kernel ({@code EEXIST}) and the whole
 * transaction with it: nothing is half made. Forwarding ({@code ip_forward}, and IPv6 forwarding on
 * dual-stack networks) is turned on in the host namespace when the table first serves a network,
 * as the CNI bridge plugin does for a gateway.
 */
public final class NatTable implements AutoCloseable {
    /** The table's name ({@code inet podnet}). */
    public static final String TABLE = "podnet";

    private final RtnlExecutor rtnl;
    private final NetNs host;
    /** Touched on the rtnetlink thread only. */
    private NftSocket socket;

    private boolean ready;
    private boolean closed;
    private final ByteBuf buffer = Unpooled.buffer(16 << 10);

    public NatTable(RtnlExecutor rtnl, NetNs host) {
        this.rtnl = rtnl;
        this.host = host;
    }

    /**
     * The network's elements (its subnets, its bridge, and its subnets to masquerade when it asks
     * for that), the table made first if need be, forwarding turned on. Adding what is there already
     * changes nothing.
     */
    public Mono<Void> addNetwork(NetworkRecord n) {
        return onThread(() -> commit(b -> networkElements(b, n, true)));
    }

    /** Removes the network's elements (those that are there); nothing when the table was never made. */
    public Mono<Void> removeNetwork(NetworkRecord n) {
        return onThread(() -> {
            if (exists()) {
                commit(b -> networkElements(b, n, false));
            }
        });
    }

    /**
     * Publishes {@code ports} for the endpoint {@code owner} at {@code pod4} / {@code pod6} (either
     * may be null) on network {@code n}: one transaction with the network's elements, so that a
     * network that never masqueraded gets its hairpin and forwarding too. A taken host port fails it
     * whole with an {@link dev.podnet.netlink.nft.NftException} ({@code EEXIST}).
     */
    public Mono<Void> addPorts(
            NetworkRecord n, String owner, List<PortMapping> ports, Inet4Address pod4, InetAddress pod6) {
        if (ports.isEmpty()) {
            return Mono.empty();
        }
        return onThread(() -> commit(b -> {
            networkElements(b, n, true);
            portElements(b, owner, ports, pod4, pod6, true);
        }));
    }

    /** Withdraws {@code ports} (those that are there). */
    public Mono<Void> removePorts(List<PortMapping> ports, boolean ipv4, boolean ipv6) {
        if (ports.isEmpty()) {
            return Mono.empty();
        }
        return onThread(() -> {
            if (exists()) {
                commit(b -> portElements(b, null, ports, null, null, false, ipv4, ipv6));
            }
        });
    }

    private Mono<Void> onThread(ThrowingRunnable work) {
        return rtnl.inside(host, () -> {
                    work.run();
                    return Boolean.TRUE;
                })
                .then();
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private NftSocket socket() throws Exception {
        if (socket == null) {
            socket = NftSocket.open();
        }
        return socket;
    }

    /** Whether the table is there (this process made it, or an earlier one did). */
    private boolean exists() throws Exception {
        if (ready) {
            return true;
        }
        try {
            return !socket().dump(Nft.Msg.GETTABLE, w -> w.string(Nft.Table.NAME, TABLE))
                    .isEmpty();
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /** Commits one transaction: the table first when it is not there yet. */
    private void commit(Consumer<NftBatch> body) throws Exception {
        boolean create = !ready && !exists();
        buffer.clear();
        NftBatch b = NftBatch.begin(buffer);
        if (create) {
            NatRules.table(b, TABLE);
        }
        body.accept(b);
        b.end();
        socket().commit(b);
        if (create) {
            forwarding();
        }
        ready = true;
    }

    /** Forwarding on in the host namespace (this thread is inside it): what masquerade and DNAT need. */
    private static void forwarding() throws Exception {
        Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1");
        Path v6 = Path.of("/proc/sys/net/ipv6/conf/all/forwarding");
        if (Files.exists(v6)) {
            Files.writeString(v6, "1");
        }
    }

    private static void networkElements(NftBatch b, NetworkRecord n, boolean add) {
        String what = (add ? "add" : "remove") + " network " + n.name();
        if (n.ipv4()) {
            Cidr s = Cidr.parse(n.subnet());
            interval(b, "same4", s, add, what, true);
            if (n.ipMasq()) {
                interval(b, "masq4", s, add, what, false);
            }
        }
        if (n.ipv6()) {
            Cidr s = Cidr.parse(n.subnet6());
            interval(b, "same6", s, add, what, true);
            if (n.ipMasq()) {
                interval(b, "masq6", s, add, what, false);
            }
        }
        if (n.mode() == NetworkMode.BRIDGE && !n.bridge().isEmpty()) {
            NftBatch.Elements e = add
                    ? b.addElements(TABLE, "bridges", false, what + ": bridge " + n.bridge())
                    : b.deleteElements(TABLE, "bridges", true, what + ": bridge " + n.bridge());
            byte[] name = new byte[16];
            byte[] text = n.bridge().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, name, 0, Math.min(text.length, 15));
            e.element().key().address(name).endValue().endElement().end();
        }
    }

    /**
     * {@code subnet} in an interval set: {@code masq4/6} holds it as start and exclusive end (two
     * elements); {@code same4/6} (a concatenation) as {@code subnet . subnet} with an inclusive end.
     */
    private static void interval(NftBatch b, String set, Cidr subnet, boolean add, String what, boolean pair) {
        byte[] first = subnet.network().address().getAddress();
        BigInteger size = subnet.size();
        BigInteger start = new BigInteger(1, first);
        byte[] last = bytes(start.add(size).subtract(BigInteger.ONE), first.length);
        String desc = what + ": " + set + " " + subnet;
        NftBatch.Elements e = add ? b.addElements(TABLE, set, false, desc) : b.deleteElements(TABLE, set, true, desc);
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

    private static void portElements(
            NftBatch b, String owner, List<PortMapping> ports, Inet4Address pod4, InetAddress pod6, boolean add) {
        portElements(b, owner, ports, pod4, pod6, add, pod4 != null, pod6 != null);
    }

    private static void portElements(
            NftBatch b,
            String owner,
            List<PortMapping> ports,
            Inet4Address pod4,
            InetAddress pod6,
            boolean add,
            boolean v4,
            boolean v6) {
        for (PortMapping p : ports) {
            boolean hostIp = p.hostIp() != null;
            for (int family : new int[] {4, 6}) {
                if ((family == 4 ? !v4 : !v6) || hostIp && (p.ipv6HostIp() != (family == 6))) {
                    continue;
                }
                String map = (hostIp ? "hostports" : "ports") + family;
                String desc = (add ? "publish " : "withdraw ") + p + (owner == null ? "" : " for " + owner) + " (" + map
                        + ")";
                NftBatch.Elements e =
                        add ? b.addElements(TABLE, map, true, desc) : b.deleteElements(TABLE, map, true, desc);
                e.element().key();
                if (hostIp) {
                    e.address(p.hostIp().getAddress());
                }
                e.u8(p.protocolNumber()).port(p.hostPort()).endValue();
                if (add) {
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

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        buffer.release();
        NftSocket s = socket;
        socket = null;
        if (s != null) {
            s.close();
        }
    }
}
