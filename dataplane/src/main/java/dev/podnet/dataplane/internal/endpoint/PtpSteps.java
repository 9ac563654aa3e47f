package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.internal.link.Addresses;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.Routes;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.netlink.NetlinkMessage;
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
    static final List<Step<AddContext>> STEPS = List.of(
            SharedSteps.RESERVE,
            SharedSteps.RECORD_CREATING,
            SharedSteps.OPEN_NETNS,
            SharedSteps.CREATE_VETH,
            Step.of("configure-host", PtpSteps::configureHost, c -> Mono.empty()),
            Step.of("configure-pod", PtpSteps::configurePod, c -> Mono.empty()),
            SharedSteps.PUBLISH_PORTS,
            SharedSteps.RECORD_READY);

    private PtpSteps() {}

    /**
     * Host end: the gateway as a /32 (/128), and a /32 (/128) route to the pod through this veth,
     * per family; dual stack also gives it {@link EndpointSteps#HOST_LINK_LOCAL}.
     */
    private static Mono<Void> configureHost(AddContext c) {
        List<NetlinkMessage> batch = new ArrayList<>();
        if (c.address != null) {
            batch.add(Addresses.add(c.hostIfIndex, new Cidr(c.gateway4(), 32)));
            batch.add(Routes.hostRoute(c.address.address(), c.hostIfIndex, null));
        }
        if (c.address6 != null) {
            batch.add(Addresses.add(c.hostIfIndex, new Cidr(c.network.gateway6(), 128)));
            batch.add(Addresses.add(c.hostIfIndex, EndpointSteps.HOST_LINK_LOCAL));
            batch.add(Routes.hostRoute(c.address6.address(), c.hostIfIndex, null));
        }
        return c.host.rtnl().executeBatch(batch);
    }

    /**
     * Pod end, per family: the address without the subnet route; the gateway on-link; the subnet
     * and the default route via the gateway. IPv6 needs no link-local address for this: neighbour
     * discovery between the two ends runs on their global addresses.
     */
    private static Mono<Void> configurePod(AddContext c) {
        List<NetlinkMessage> batch = new ArrayList<>(List.of(PodRequests.podLinkLocalOff(c), Links.up(c.podIfIndex)));
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
