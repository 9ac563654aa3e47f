package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.internal.link.Addresses;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.Routes;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RequestWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The bridge shape (libnetwork's bridge driver, CNI bridge), {@link EndpointSteps#BRIDGE}:
 * <ol>
 * <li>{@code reserve-address}: IPAM reserves the pod's address;</li>
 * <li>{@code record-creating}: the endpoint is recorded as CREATING;</li>
 * <li>{@code open-netns}: the pod namespace is opened, and a netlink socket inside it;</li>
 * <li>{@code create-veth}: one datagram on the host socket creates the veth with its peer inside
 *     the pod as {@code ifName}, MAC, MTU and master bridge set, turns IPv6 link-local generation
 *     off on the host end and tags it with an alias naming the endpoint, and
 *     (network option) puts the port in hairpin mode;</li>
 * <li>{@code configure-pod}: one datagram on the pod socket turns IPv6 link-local generation off
 *     and brings the interface up (IPv4 networks), adds the address and the default route;</li>
 * <li>{@code port-up}: the host end comes up, now that its peer is (the bridge enables the port
 *     once, instead of three times: see {@link Links#newVethIntoNamespace});</li>
 * <li>{@code publish-ports}: the endpoint's published ports, if any, in podnet's nf_tables table;</li>
 * <li>{@code record-ready}: the record becomes READY.</li>
 * </ol>
 * The steps other than {@code configure-pod} and {@code port-up} are {@link SharedSteps}; the VM
 * shape ({@link VmSteps}) runs {@code port-up} as well.
 */
final class BridgeSteps {
    /** {@code configure-pod}. */
    static final Step<AddContext> CONFIGURE_POD =
            Step.of("configure-pod", BridgeSteps::configurePod, c -> Mono.empty());

    /** {@code port-up}: the VM shape runs it too. */
    static final Step<AddContext> PORT_UP = Step.of("port-up", BridgeSteps::portUp, c -> Mono.empty());

    /** The bridge shape. */
    static final List<Step<AddContext>> STEPS = SharedSteps.shape(List.of(CONFIGURE_POD, PORT_UP));

    /** Pod requests go through a heap buffer per thread, reused: retained for each send, which releases it once copied out. */
    private static final ThreadLocal<ByteBuf> POD_BUFFER = ThreadLocal.withInitial(() -> Unpooled.buffer(1024));

    private BridgeSteps() {}

    /**
     * Link-local generation stays off on dual-stack networks too: the pod's IPv6 address goes in
     * without duplicate-address detection and the default route points at the bridge's global
     * gateway address, so neighbour discovery runs on global addresses and the bridge is spared every
     * new pod's DAD, MLD and router solicitations.
     */
    static Mono<Void> configurePod(AddContext c) {
        return c.inPod(pod -> {
                    ByteBuf buf = POD_BUFFER.get().clear();
                    RequestWriter w = SharedSteps.WRITER.get().reset(buf);
                    Links.writeNoIpv6LinkLocal(w, c.podIfIndex, PodRequests.podTag(c));
                    Links.writeUp(w, c.podIfIndex);
                    if (c.address != null) {
                        Addresses.writeAdd(w, c.podIfIndex, c.address);
                        if (c.defaultRoute()) {
                            Routes.writeDefaultVia(w, c.gateway4(), c.podIfIndex);
                        }
                    }
                    if (c.address6 != null) {
                        Addresses.writeAdd(w, c.podIfIndex, c.address6);
                        if (c.defaultRoute()) {
                            Routes.writeDefaultVia(w, c.network.gateway6(), c.podIfIndex);
                        }
                    }
                    for (NetlinkMessage route : PodRequests.networkRoutes(c)) {
                        w.message(route);
                    }
                    pod.requestEncoded(
                            buf.retain(), w.count(), i -> podRequests(c).get(i)); // the buffer is kept per thread
                    return true;
                })
                .onErrorMap(PodRequests::isDefaultRouteTaken, e -> PodRequests.defaultRouteTaken(c, e))
                .then();
    }

    /** What {@link #configurePod} writes, as objects (to describe a request that failed). */
    private static List<NetlinkMessage> podRequests(AddContext c) {
        List<NetlinkMessage> batch = new ArrayList<>(List.of(PodRequests.podLinkLocalOff(c), Links.up(c.podIfIndex)));
        if (c.address != null) {
            batch.add(Addresses.add(c.podIfIndex, c.address));
            if (c.defaultRoute()) {
                batch.add(Routes.defaultVia(c.gateway4(), c.podIfIndex));
            }
        }
        if (c.address6 != null) {
            batch.add(Addresses.add(c.podIfIndex, c.address6));
            if (c.defaultRoute()) {
                batch.add(Routes.defaultVia(c.network.gateway6(), c.podIfIndex));
            }
        }
        batch.addAll(PodRequests.networkRoutes(c));
        return batch;
    }

    /**
     * Brings the bridge port up, after the pod's end: the bridge then enables the port once, as it
     * comes up with its carrier (see {@link Links#newVethIntoNamespace}). Concurrent adds' ups
     * share datagrams on the host channel.
     */
    private static Mono<Void> portUp(AddContext c) {
        RequestWriter w = Links.writeUp(SharedSteps.hostWriter(), c.hostIfIndex);
        return c.host.rtnl()
                .requestEncoded(w.buffer(), 1, i -> Links.up(c.hostIfIndex))
                .then();
    }
}
