package dev.podnet.dataplane.internal.nat;

import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.PortMapping;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import dev.podnet.dataplane.internal.netns.RtnlExecutor;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.nft.Conntrack;
import dev.podnet.netlink.nft.Nft;
import dev.podnet.netlink.nft.NftBatch;
import dev.podnet.netlink.nft.NftException;
import dev.podnet.netlink.nft.NftMessage;
import dev.podnet.netlink.nft.NftRuleset;
import dev.podnet.netlink.nft.NftSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    /** Reused transaction after transaction (on the rtnetlink thread). */
    private NftBatch batch;
    /** Whether the kernel knows NFT_MSG_DESTROYSETELEM (6.3 and later): assumed until it says EINVAL. */
    private boolean destroy = true;

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
        return onThread(() -> commit(b -> networkElements(adding(b), n)));
    }

    /** Removes the network's elements (those that are there); nothing when the table was never made. */
    public Mono<Void> removeNetwork(NetworkRecord n) {
        return onThread(() -> remove(sink -> networkElements(sink, n)));
    }

    /**
     * Publishes {@code ports} for the endpoint {@code owner} at {@code pod4} / {@code pod6} (either
     * may be null) on network {@code n}: one transaction with the network's elements, so that a
     * network that never masqueraded gets its hairpin and forwarding too. A taken host port fails it
     * whole with an {@link dev.podnet.netlink.nft.NftException} ({@code EEXIST}).
     */
    public Mono<Void> addPorts(
            NetworkRecord n,
            String owner,
            List<PortMapping> ports,
            Inet4Address pod4,
            InetAddress pod6,
            String hostIfName) {
        if (ports.isEmpty()) {
            return Mono.empty();
        }
        return onThread(() -> {
            commit(b -> {
                Sink sink = adding(b);
                networkElements(sink, n);
                portElements(sink, owner, ports, pod4, pod6, pod4 != null, pod6 != null);
            });
            // a UDP flow to the port that began before it was published would keep its untranslated
            // conntrack entry, and never reach the pod until that expires: delete such entries
            for (PortMapping p : ports) {
                if (p.protocolNumber() == 17) {
                    if (pod4 != null) {
                        Conntrack.deleteUdpTo(socket(), Nft.Family.IPV4, p.hostPort());
                    }
                    if (pod6 != null) {
                        Conntrack.deleteUdpTo(socket(), Nft.Family.IPV6, p.hostPort());
                    }
                }
            }
            if (pod4 != null) {
                // 127.0.0.1:PORT from the host: a packet from 127/8 may leave through the interface
                // towards the pod (the bridge, or a ptp pod's host veth), masqueraded on its way out;
                // as the CNI portmap plugin does
                String dev = n.mode() == NetworkMode.BRIDGE ? n.bridge() : hostIfName;
                Path localnet = Path.of("/proc/sys/net/ipv4/conf", dev, "route_localnet");
                if (Files.exists(localnet)
                        && !Files.readString(localnet).strip().equals("1")) {
                    Files.writeString(localnet, "1");
                }
            }
        });
    }

    /** Withdraws {@code ports} (those that are there). */
    public Mono<Void> removePorts(List<PortMapping> ports, boolean ipv4, boolean ipv6) {
        if (ports.isEmpty()) {
            return Mono.empty();
        }
        return onThread(() -> remove(sink -> portElements(sink, null, ports, null, null, ipv4, ipv6)));
    }

    /**
     * Brings the published ports in line with the endpoints that hold them ({@code ready}: READY
     * endpoints whose links exist): an element whose owner is gone, or whose data or owner differs
     * from its endpoint's record, is withdrawn; a port a READY endpoint publishes but the table lacks
     * is restored (what a kill between an endpoint's steps, or a hand at nft, leaves); the elements of
     * a network none of {@code networks} is (deleted while podnet was down) are withdrawn. One
     * transaction; in a dry run only the report. The actions, one line each.
     */
    public Mono<List<String>> reconcile(
            java.util.Collection<EndpointRecord> ready,
            java.util.Collection<NetworkRecord> networks,
            java.util.function.Predicate<String> inFlight,
            boolean dryRun) {
        return rtnl.inside(host, () -> reconcileNow(ready, networks, inFlight, dryRun));
    }

    /** An element as the table should hold it: its owner's comment and its data. */
    private record Want(String comment, byte[] data, String what) {}

    private List<String> reconcileNow(
            java.util.Collection<EndpointRecord> ready,
            java.util.Collection<NetworkRecord> networks,
            java.util.function.Predicate<String> inFlight,
            boolean dryRun)
            throws Exception {
        Map<String, Map<String, Want>> want = new java.util.HashMap<>();
        for (String map : PORT_MAPS) {
            want.put(map, new java.util.HashMap<>());
        }
        for (EndpointRecord r : ready) {
            for (String text : r.ports()) {
                PortMapping p = PortMapping.parse(text);
                for (int family : new int[] {4, 6}) {
                    String address = family == 4 ? r.address() : r.address6();
                    if (address.isEmpty() || p.hostIp() != null && p.ipv6HostIp() != (family == 6)) {
                        continue;
                    }
                    byte[] pod = Cidr.parse(address).address().getAddress();
                    String map = (p.hostIp() != null ? "hostports" : "ports") + family;
                    want.get(map)
                            .put(
                                    hex(key(p)),
                                    new Want("podnet:" + r.id(), data(pod, p.podPort()), p + " of " + r.id()));
                }
            }
        }
        boolean anyWanted = want.values().stream().anyMatch(m -> !m.isEmpty());
        if (!exists() && !anyWanted) {
            return List.of();
        }
        NftRuleset.TableDump dump = exists() ? NftRuleset.read(socket(), TABLE) : null;
        List<String> actions = new ArrayList<>();
        List<String[]> stale = new ArrayList<>(); // map, key hex
        for (String map : PORT_MAPS) {
            List<NftRuleset.Element> have =
                    dump == null ? List.of() : dump.elements().getOrDefault(map, List.of());
            Map<String, Want> wanted = want.get(map);
            for (NftRuleset.Element e : have) {
                String k = hex(e.key());
                Want w = wanted.get(k);
                if (w != null
                        && java.util.Arrays.equals(w.data(), e.data())
                        && w.comment().equals(e.comment())) {
                    wanted.remove(k); // there, as it should be
                } else {
                    stale.add(new String[] {map, k});
                    actions.add("withdrew a stale published port from " + map + " (key " + k + ", "
                            + (e.comment() == null ? "no owner" : e.comment()) + ")");
                }
            }
            for (Want w : wanted.values()) {
                actions.add("restored published port " + w.what() + " (" + map + ")");
            }
        }
        List<NftRuleset.Element[]> staleNetwork = dump == null ? List.of() : staleNetworkElements(dump, networks);
        for (NftRuleset.Element[] e : staleNetwork) {
            actions.add("withdrew the elements of a network that is gone from " + setOf(dump, e[0]) + " (key "
                    + hex(e[0].key()) + ")");
        }
        if (dryRun || actions.isEmpty()) {
            return actions;
        }
        commit(b -> {
            for (NftRuleset.Element[] pair : staleNetwork) {
                NftBatch.Elements e = b.deleteElements(TABLE, setOf(dump, pair[0]), false, "withdraw a gone network");
                for (NftRuleset.Element x : pair) {
                    e.element().key().address(x.key()).endValue();
                    if (x.keyEnd() != null) {
                        e.keyEnd().address(x.keyEnd()).endValue();
                    }
                    if (x.flags() != 0) {
                        e.flags(x.flags());
                    }
                    e.endElement();
                }
                e.end();
            }
            for (String[] s : stale) {
                b.deleteElements(TABLE, s[0], false, "withdraw stale element of " + s[0])
                        .element()
                        .key()
                        .address(unhex(s[1]))
                        .endValue()
                        .endElement()
                        .end();
            }
            for (String map : PORT_MAPS) {
                for (Map.Entry<String, Want> e : want.get(map).entrySet()) {
                    b.addElements(TABLE, map, true, "restore " + e.getValue().what())
                            .element()
                            .key()
                            .address(unhex(e.getKey()))
                            .endValue()
                            .data()
                            .address(e.getValue().data())
                            .endValue()
                            .comment(e.getValue().comment())
                            .endElement()
                            .end();
                }
            }
        });
        return actions;
    }

    private static final List<String> PORT_MAPS = List.of("ports4", "ports6", "hostports4", "hostports6");

    /**
     * The elements of the per-network sets that no network of {@code networks} accounts for (a
     * network deleted while podnet was down): each as the elements that delete it together (a
     * concatenated interval is one element with its end; a single-field interval its start and its
     * exclusive end, which follow each other in key order).
     */
    private static List<NftRuleset.Element[]> staleNetworkElements(
            NftRuleset.TableDump dump, java.util.Collection<NetworkRecord> networks) {
        java.util.Set<String> starts = new java.util.HashSet<>();
        java.util.Set<String> bridges = new java.util.HashSet<>();
        for (NetworkRecord n : networks) {
            for (String subnet : new String[] {n.subnet(), n.subnet6()}) {
                if (!subnet.isEmpty()) {
                    starts.add(hex(Cidr.parse(subnet).network().address().getAddress()));
                }
            }
            if (!n.bridge().isEmpty()) {
                bridges.add(n.bridge());
            }
        }
        List<NftRuleset.Element[]> stale = new ArrayList<>();
        for (String set : List.of("same4", "same6")) {
            for (NftRuleset.Element e : dump.elements().getOrDefault(set, List.of())) {
                byte[] k = e.key();
                String first = hex(java.util.Arrays.copyOf(k, k.length / 2));
                if (!starts.contains(first)) {
                    stale.add(new NftRuleset.Element[] {e});
                }
            }
        }
        for (String set : List.of("masq4", "masq6")) {
            List<NftRuleset.Element> sorted = new ArrayList<>(dump.elements().getOrDefault(set, List.of()));
            sorted.sort((a, b) -> java.util.Arrays.compareUnsigned(a.key(), b.key()));
            for (int i = 0; i < sorted.size(); i++) {
                NftRuleset.Element e = sorted.get(i);
                if ((e.flags() & Nft.Elem.F_INTERVAL_END) != 0 || starts.contains(hex(e.key()))) {
                    continue;
                }
                boolean endFollows =
                        i + 1 < sorted.size() && (sorted.get(i + 1).flags() & Nft.Elem.F_INTERVAL_END) != 0;
                stale.add(endFollows ? new NftRuleset.Element[] {e, sorted.get(++i)} : new NftRuleset.Element[] {e});
            }
        }
        for (NftRuleset.Element e : dump.elements().getOrDefault("bridges", List.of())) {
            String name = new String(e.key(), java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "");
            if (!bridges.contains(name)) {
                stale.add(new NftRuleset.Element[] {e});
            }
        }
        return stale;
    }

    /** The set of the per-network sets that holds {@code e}. */
    private static String setOf(NftRuleset.TableDump dump, NftRuleset.Element e) {
        for (Map.Entry<String, List<NftRuleset.Element>> s : dump.elements().entrySet()) {
            if (s.getValue().contains(e)) {
                return s.getKey();
            }
        }
        throw new IllegalStateException("element in no set");
    }

    /** A port mapping's key as the map holds it: [host address .] protocol . port, each field padded to 4 bytes. */
    private static byte[] key(PortMapping p) {
        byte[] host = p.hostIp() == null ? new byte[0] : p.hostIp().getAddress();
        byte[] k = new byte[host.length + 8];
        System.arraycopy(host, 0, k, 0, host.length);
        k[host.length] = (byte) p.protocolNumber();
        k[host.length + 4] = (byte) (p.hostPort() >> 8);
        k[host.length + 5] = (byte) p.hostPort();
        return k;
    }

    /** A map's data: pod address . pod port (padded to 4 bytes). */
    private static byte[] data(byte[] pod, int port) {
        byte[] d = new byte[pod.length + 4];
        System.arraycopy(pod, 0, d, 0, pod.length);
        d[pod.length] = (byte) (port >> 8);
        d[pod.length + 1] = (byte) port;
        return d;
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    private static byte[] unhex(String s) {
        return java.util.HexFormat.of().parseHex(s);
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

    /**
     * Deletes as on a kernel before 6.3 from now on (one transaction a message, a missing element
     * skipped): the path this kernel never takes by itself, for its test.
     */
    void deleteAsOldKernels() {
        destroy = false;
    }

    /** Whether the table is there (this process made it, or an earlier one did). */
    private boolean exists() throws Exception {
        if (ready) {
            return true;
        }
        try {
            // the kernel does not narrow a table dump by name: every table of the family comes back
            for (NftMessage m : socket().dump(Nft.Msg.GETTABLE, w -> w.string(Nft.Table.NAME, TABLE))) {
                if (m.family() == Nft.Family.INET && TABLE.equals(m.attributes().string(Nft.Table.NAME))) {
                    return true;
                }
            }
            return false;
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
        NftBatch b = batch == null ? (batch = NftBatch.begin(buffer)) : batch.restart(buffer);
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

    /**
     * Removes the elements {@code body} names, those that are there: in one transaction of
     * {@code NFT_MSG_DESTROYSETELEM} (kernel 6.3 and later); on older kernels, which do not know it
     * (EINVAL), one transaction a message of {@code NFT_MSG_DELSETELEM}, a missing element (ENOENT)
     * skipped. Nothing when the table was never made.
     */
    private void remove(Consumer<Sink> body) throws Exception {
        if (!exists()) {
            return;
        }
        if (destroy) {
            try {
                commit(b -> body.accept((set, desc) -> b.deleteElements(TABLE, set, true, desc)));
                return;
            } catch (NftException e) {
                if (e.errno() != Errno.EINVAL || e.messageIndex() == 0) {
                    throw e;
                }
                destroy = false; // a kernel before 6.3: no idempotent delete
            }
        }
        OneByOne sink = new OneByOne();
        body.accept(sink);
        sink.flush();
    }

    /** Where element messages go: {@code open} begins one for {@code set} (add or delete, as the sink does). */
    @FunctionalInterface
    private interface Sink {
        NftBatch.Elements open(String set, String description);

        default boolean adding() {
            return false;
        }
    }

    private static Sink adding(NftBatch b) {
        return new Sink() {
            @Override
            public NftBatch.Elements open(String set, String description) {
                return b.addElements(TABLE, set, set.contains("ports"), description);
            }

            @Override
            public boolean adding() {
                return true;
            }
        };
    }

    /** Deletes message by message, each its own transaction, a missing element no error (kernels before 6.3). */
    private final class OneByOne implements Sink {
        private NftBatch pending;

        @Override
        public NftBatch.Elements open(String set, String description) {
            flush();
            buffer.clear();
            pending = NftBatch.begin(buffer);
            return pending.deleteElements(TABLE, set, false, description);
        }

        void flush() {
            if (pending == null) {
                return;
            }
            NftBatch b = pending;
            pending = null;
            b.end();
            try {
                socket().commit(b);
            } catch (NftException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Forwarding on in the host namespace (this thread is inside it): what masquerade and DNAT need. */
    private static void forwarding() throws Exception {
        Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1");
        Path v6 = Path.of("/proc/sys/net/ipv6/conf/all/forwarding");
        if (Files.exists(v6)) {
            Files.writeString(v6, "1");
        }
    }

    private static void networkElements(Sink sink, NetworkRecord n) {
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

    private static void portElements(
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
