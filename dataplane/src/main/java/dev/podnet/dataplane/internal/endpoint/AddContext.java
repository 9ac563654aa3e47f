package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.channel.SyncNetlink;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.internal.sys.LibC;
import reactor.core.publisher.Mono;

/**
 * The state of one endpoint add as its steps run: the validated request, and what each step
 * leaves for the later ones (the address, the namespace's descriptor, the peer's index).
 * Confined to one add; steps run one after the other, so plain fields suffice.
 */
public final class AddContext implements AutoCloseable {
    final HostContext host;
    final AttachedNetwork network;
    final String containerId;
    final String ifName;
    final NetNs netns;
    final int mtu;
    MacAddress mac;
    final String podName;
    final String podNamespace;
    final java.net.InetAddress requestedAddress;
    final java.net.InetAddress requestedAddress6;
    final boolean vm;
    final java.util.List<dev.podnet.dataplane.PortMapping> ports;
    final String hostIfName;
    final long startedMillis;

    Cidr address;
    Cidr address6;
    int netnsFd = -1;
    int podIfIndex;
    int hostIfIndex;
    String hostMac = "";

    /**
     * @param request what to add, validated ({@code mac} null: derived, as the network says, or drawn
     *                once the address is known; the addresses: static requests, or null)
     * @param mtu     the MTU of both ends: the request's, or the network's
     */
    public AddContext(HostContext host, AttachedNetwork network, AddRequest request, int mtu) {
        this.host = host;
        this.network = network;
        this.containerId = request.containerId();
        this.ifName = request.ifName();
        this.netns = request.netns();
        this.mtu = mtu;
        this.mac = request.mac();
        this.podName = request.podName();
        this.podNamespace = request.podNamespace();
        this.requestedAddress = request.address();
        this.requestedAddress6 = request.address6();
        this.vm = request.vm();
        this.ports = request.ports();
        this.hostIfName = HostNames.hostIfName(containerId, ifName);
        this.startedMillis = System.currentTimeMillis();
    }

    /** The record as it stands, in {@code state}. */
    public EndpointRecord record(EndpointState state) {
        return new EndpointRecord(
                containerId,
                ifName,
                network.name(),
                netns.path().toString(),
                hostIfName,
                mac == null ? "" : mac.toString(),
                address == null ? "" : address.toString(),
                address == null ? "" : Cidr.text(gateway4()),
                state,
                startedMillis,
                podName,
                podNamespace,
                vm ? vmTapName(ifName) : "",
                address6 == null ? "" : address6.toString(),
                network.podGateway6() == null ? "" : Cidr.text(network.podGateway6()),
                "",
                mtu,
                podRoutes(),
                hostMac,
                ports.stream().map(Object::toString).toList());
    }

    /**
     * The network's routes for this pod, each {@code dst via gateway} (an entry without a gateway
     * goes via the network's gateway of its family); empty before the address is known.
     */
    java.util.List<String> podRoutes() {
        if (address == null && address6 == null) {
            return java.util.List.of();
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String r : network.record().pod().routes()) {
            Cidr dst = Cidr.parse(dev.podnet.dataplane.internal.state.PodConfig.destination(r));
            String gw = dev.podnet.dataplane.internal.state.PodConfig.gateway(r);
            out.add(dst + " via " + (gw != null ? gw : Cidr.text(dst.isIpv4() ? gateway4() : network.podGateway6())));
        }
        return out;
    }

    /** The pod's IPv4 gateway: that of the subnet its address came from (the network's, by default). */
    java.net.InetAddress gateway4() {
        return network.gatewayOf(address);
    }

    /** Whether the pod's default routes go through this network. */
    boolean defaultRoute() {
        return network.record().pod().defaultRoute();
    }

    /** The tap a VM endpoint's VM attaches to: {@code tap<ifName>}, cut to fit IFNAMSIZ. */
    public static String vmTapName(String ifName) {
        String n = "tap" + ifName;
        return n.length() > 15 ? n.substring(0, 15) : n;
    }

    public Cidr address() {
        return address;
    }

    /** The endpoint's store key. */
    public String key() {
        return EndpointRecord.key(containerId, ifName);
    }

    public String hostIfName() {
        return hostIfName;
    }

    public int podIfIndex() {
        return podIfIndex;
    }

    public int hostIfIndex() {
        return hostIfIndex;
    }

    public MacAddress mac() {
        return mac;
    }

    /** Work done with a netlink socket made inside the pod's namespace, on the namespace thread. */
    @FunctionalInterface
    public interface PodWork<T> {
        T run(SyncNetlink pod) throws Exception;
    }

    /**
     * Runs {@code work} inside the pod's namespace, with a fresh synchronous rtnetlink socket made
     * there and closed after (no event-loop channel to register for a socket that lives a few
     * hundred microseconds), on the event loop of the host channel: one thread then makes all the
     * rtnetlink calls of every add, instead of two taking turns at the kernel's RTNL lock.
     */
    <T> Mono<T> inPod(PodWork<T> work) {
        return host.rtnlThread().inside(netns, () -> {
            try (SyncNetlink pod = SyncNetlink.openRoute()) {
                return work.run(pod);
            }
        });
    }

    /** Releases what the add held open (the namespace descriptor), success or not. */
    @Override
    public void close() {
        if (netnsFd >= 0) {
            try {
                LibC.close(netnsFd);
            } catch (ErrnoException ignored) {
                // the descriptor is gone either way
            }
            netnsFd = -1;
        }
    }
}
