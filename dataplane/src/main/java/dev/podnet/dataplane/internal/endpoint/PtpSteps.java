package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.internal.link.Addresses;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.Neighbours;
import dev.podnet.dataplane.internal.link.Routes;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.netlink.NetlinkMessage;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The point-to-point shape (CNI ptp), {@link EndpointSteps#PTP}: the bridge shape's steps
 * ({@link BridgeSteps}), except that the veth has no master and its host end comes up in the
 * create (no {@code port-up}), a {@code configure-host} step gives the host end the gateway as a /32
 * and a /32 route to the pod, and the pod gets its address without the subnet's prefix route, a
 * scope-link route to the gateway, the subnet via the gateway, and the default route via the
 * gateway (so all traffic goes through the host). The shared steps are {@link SharedSteps}.
 */
final class PtpSteps {
    /** The point-to-point shape. */
    static final List<Step<AddContext>> STEPS = SharedSteps.shape(List.of(
            Step.of("configure-host", PtpSteps::configureHost, c -> Mono.empty()),
            Step.of("configure-pod", PtpSteps::configurePod, c -> Mono.empty())));

    private PtpSteps() {}

    /**
     * Host end: the gateway as a /32 (/128), and a /32 (/128) route to the pod through this veth,
     * per family; dual stack also gives it {@link EndpointSteps#HOST_LINK_LOCAL}.
     */
    private static Mono<Void> configureHost(AddContext c) {
        List<NetlinkMessage> batch = new ArrayList<>();
        if (c.network.record().linkLocalGateway()) {
            return noIpv6OnHostEnd(c).then(c.host.rtnl().executeBatch(routedHost(c)));
        }
        if (c.address != null) {
            batch.add(Addresses.add(c.hostIfIndex, new Cidr(c.gateway4(), 32)));
            batch.add(Routes.hostRoute(c.address.address(), c.hostIfIndex, null));
        }
        if (c.address6 != null) {
            batch.add(Addresses.add(c.hostIfIndex, new Cidr(c.network.gateway6(), 128)));
            batch.add(Addresses.add(c.hostIfIndex, EndpointSteps.HOST_LINK_LOCAL));
            batch.add(Routes.hostRoute(c.address6.address(), c.hostIfIndex, null));
        }
        return noIpv6OnHostEnd(c).then(c.host.rtnl().executeBatch(batch));
    }

    /**
     * An IPv4-only network's host end gets no IPv6 at all ({@code disable_ipv6}), before its pod end
     * comes up. Left on (even without a link-local address), IPv6 gives every host end routes of its
     * own (ff00::/8) when it gets a carrier, and each carrier change of a host end walks the host's
     * whole IPv6 routing table: with thousands of pods, adds slowed as they accumulated (perf at 5000
     * pods: {@code fib6_ifdown} 15% of the rtnetlink thread).
     */
    private static Mono<Void> noIpv6OnHostEnd(AddContext c) {
        if (c.address6 != null) {
            return Mono.empty();
        }
        return c.host.rtnlThread()
                .inside(c.host.hostNs(), () -> {
                    java.nio.file.Files.writeString(
                            java.nio.file.Path.of("/proc/sys/net/ipv6/conf", c.hostIfName, "disable_ipv6"), "1");
                    return true;
                })
                .then();
    }

    /**
     * Pod end, per family: the address without the subnet route; the gateway on-link; the subnet
     * and the default route via the gateway. IPv6 needs no link-local address for this: neighbour
     * discovery between the two ends runs on their global addresses.
     */
    private static Mono<Void> configurePod(AddContext c) {
        List<NetlinkMessage> batch = new ArrayList<>(List.of(PodRequests.podLinkLocalOff(c), Links.up(c.podIfIndex)));
        if (c.network.record().linkLocalGateway()) {
            batch.addAll(routedPod(c));
            batch.addAll(PodRequests.networkRoutes(c));
            return sendToPod(c, batch);
        }
        if (c.address != null) {
            batch.add(Addresses.addWithoutPrefixRoute(c.podIfIndex, c.address));
            batch.add(Routes.hostRoute(c.gateway4(), c.podIfIndex, c.address.address()));
            batch.add(Routes.subnetVia(c.network.subnetOf(c.address), c.gateway4(), c.podIfIndex, c.address.address()));
            if (c.defaultRoute()) {
                batch.add(Routes.defaultVia(c.gateway4(), c.podIfIndex));
            }
        }
        if (c.address6 != null) {
            batch.add(Addresses.addWithoutPrefixRoute(c.podIfIndex, c.address6));
            batch.add(Routes.hostRoute(c.network.gateway6(), c.podIfIndex, c.address6.address()));
            batch.add(Routes.subnetVia(c.network.subnet6(), c.network.gateway6(), c.podIfIndex, c.address6.address()));
            if (c.defaultRoute()) {
                batch.add(Routes.defaultVia(c.network.gateway6(), c.podIfIndex));
            }
        }
        batch.addAll(PodRequests.networkRoutes(c));
        return sendToPod(c, batch);
    }

    /**
     * The host end of a network with a link-local gateway: no address at all (an address per host
     * end, the same gateway on each, makes the kernel insert its local route beside every other
     * copy: adds slow down as pods accumulate); per family a /32 (/128) route to the pod and a
     * permanent neighbour entry for it (the host end has no address to ask from).
     */
    private static List<NetlinkMessage> routedHost(AddContext c) {
        List<NetlinkMessage> batch = new ArrayList<>(4);
        if (c.address != null) {
            batch.add(Routes.hostRoute(c.address.address(), c.hostIfIndex, null));
            batch.add(Neighbours.permanent(c.hostIfIndex, c.address.address(), c.mac));
        }
        if (c.address6 != null) {
            batch.add(Routes.hostRoute(c.address6.address(), c.hostIfIndex, null));
            batch.add(Neighbours.permanent(c.hostIfIndex, c.address6.address(), c.mac));
        }
        return batch;
    }

    /**
     * The pod end of a network with a link-local gateway, per family: the address without the
     * subnet route; the gateway (169.254.1.1, fe80::1) as a permanent neighbour at the host end's
     * MAC, which nothing else answers for; the gateway on-link (IPv4: a link-local gateway is on-link
     * in IPv6 already); the subnet and the default route via it.
     */
    private static List<NetlinkMessage> routedPod(AddContext c) {
        List<NetlinkMessage> batch = new ArrayList<>(10);
        MacAddress host = MacAddress.parse(c.hostMac);
        if (c.address != null) {
            InetAddress gw = c.gateway4();
            batch.add(Addresses.addWithoutPrefixRoute(c.podIfIndex, c.address));
            batch.add(Neighbours.permanent(c.podIfIndex, gw, host));
            batch.add(Routes.hostRoute(gw, c.podIfIndex, c.address.address()));
            batch.add(Routes.subnetVia(c.network.subnetOf(c.address), gw, c.podIfIndex, c.address.address()));
            if (c.defaultRoute()) {
                batch.add(Routes.defaultVia(gw, c.podIfIndex));
            }
        }
        if (c.address6 != null) {
            InetAddress gw = c.network.podGateway6();
            batch.add(Addresses.addWithoutPrefixRoute(c.podIfIndex, c.address6));
            batch.add(Neighbours.permanent(c.podIfIndex, gw, host));
            batch.add(Routes.subnetVia(c.network.subnet6(), gw, c.podIfIndex, c.address6.address()));
            if (c.defaultRoute()) {
                batch.add(Routes.defaultVia(gw, c.podIfIndex));
            }
        }
        return batch;
    }

    /** Sends a pod's configuration in one datagram from inside its namespace. */
    private static Mono<Void> sendToPod(AddContext c, List<NetlinkMessage> batch) {
        return c.inPod(pod -> {
                    pod.executeBatch(batch);
                    return true;
                })
                .onErrorMap(PodRequests::isDefaultRouteTaken, e -> PodRequests.defaultRouteTaken(c, e))
                .then();
    }
}
