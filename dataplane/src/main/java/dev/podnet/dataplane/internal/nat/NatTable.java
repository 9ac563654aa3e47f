package dev.podnet.dataplane.internal.nat;

import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.PortMapping;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import dev.podnet.dataplane.internal.netns.RtnlExecutor;
import dev.podnet.dataplane.internal.state.NetworkRecord;
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
        return onThread(() -> commit(b -> NatElements.networkElements(NatElements.adding(b), n)));
    }

    /** Removes the network's elements (those that are there); nothing when the table was never made. */
    public Mono<Void> removeNetwork(NetworkRecord n) {
        return onThread(() -> remove(sink -> NatElements.networkElements(sink, n)));
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
                NatElements.Sink sink = NatElements.adding(b);
                NatElements.networkElements(sink, n);
                NatElements.portElements(sink, owner, ports, pod4, pod6, pod4 != null, pod6 != null);
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
        return onThread(() -> remove(sink -> NatElements.portElements(sink, null, ports, null, null, ipv4, ipv6)));
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

    private List<String> reconcileNow(
            java.util.Collection<EndpointRecord> ready,
            java.util.Collection<NetworkRecord> networks,
            java.util.function.Predicate<String> inFlight,
            boolean dryRun)
            throws Exception {
        boolean anyPorts = ready.stream().anyMatch(r -> !r.ports().isEmpty());
        if (!exists() && !anyPorts) {
            return List.of();
        }
        NftRuleset.TableDump dump = exists() ? NftRuleset.read(socket(), TABLE) : null;
        NatReconcile plan = NatReconcile.plan(TABLE, dump, ready, networks, inFlight);
        if (!dryRun && !plan.actions().isEmpty()) {
            commit(plan::write);
        }
        return plan.actions();
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
    private void remove(Consumer<NatElements.Sink> body) throws Exception {
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

    /** Deletes message by message, each its own transaction, a missing element no error (kernels before 6.3). */
    private final class OneByOne implements NatElements.Sink {
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
