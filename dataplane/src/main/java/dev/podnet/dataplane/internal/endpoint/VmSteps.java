package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.internal.link.Addresses;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.Routes;
import dev.podnet.dataplane.internal.link.TapDevices;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.RouteMessage;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The VM shape (Virtlet), on a bridge network, {@link EndpointSteps#VM}: the bridge shape
 * ({@link BridgeSteps}), then {@code vm-tap} (a persistent tap inside the sandbox, made on the
 * namespace thread), {@code vm-bridge} (a bridge inside the sandbox joining the tap and the
 * interface; the interface's address and default route are stripped, to be claimed by the VM,
 * which also takes the interface's MAC while the interface gets a new one, and the sandbox bridge
 * is tagged {@link EndpointSteps#VM_TAG} with what the VM was handed) and {@code vm-dhcp} (the
 * responder that serves the VM, {@link EndpointSteps#startDhcp(AddContext)}), before
 * {@code record-ready}. Undos: the tap and the sandbox bridge are deleted, the responder stopped.
 */
final class VmSteps {
    /** The VM shape: the bridge shape's steps up to {@code port-up}, then the VM's own. */
    static final List<Step<AddContext>> STEPS = SharedSteps.shape(List.of(
            BridgeSteps.CONFIGURE_POD,
            BridgeSteps.PORT_UP,
            Step.of("vm-tap", VmSteps::createTap, c -> deleteInPod(c, AddContext.vmTapName(c.ifName))),
            Step.of("vm-bridge", VmSteps::joinTap, c -> deleteInPod(c, AddContext.vmBridgeName(c.ifName))),
            Step.of(
                    "vm-dhcp",
                    EndpointSteps::startDhcp,
                    c -> Mono.fromRunnable(() -> c.host.dhcp().stop(c.key())))));

    private VmSteps() {}

    private static Mono<Void> createTap(AddContext c) {
        String tap = AddContext.vmTapName(c.ifName);
        return c.host.netns()
                .inside(c.netns, () -> {
                    TapDevices.createPersistentTap(tap);
                    return tap;
                })
                .then();
    }

    private static Mono<Void> joinTap(AddContext c) {
        String tap = AddContext.vmTapName(c.ifName);
        String bridgeName = AddContext.vmBridgeName(c.ifName);
        return c.inPod(pod -> {
                    int br = ((LinkMessage) pod.request(Links.newBridge(bridgeName, c.mtu))).index();
                    try {
                        int tapIndex = ((LinkMessage) pod.request(Links.getByName(tap))).index();
                        // the interface's routes and addresses go to the VM (served by DHCP): routes first, while their
                        // gateways are reachable
                        List<NetlinkMessage> batch = new ArrayList<>(List.of(Links.noIpv6LinkLocal(br), Links.up(br)));
                        for (NetlinkMessage route : PodRequests.networkRoutes(c)) {
                            batch.add(Routes.delete((RouteMessage) route));
                        }
                        if (c.defaultRoute()) {
                            batch.add(Routes.deleteDefaultVia(c.gateway4(), c.podIfIndex));
                        }
                        batch.add(Addresses.delete(c.podIfIndex, c.address));
                        if (c.address6 != null) {
                            if (c.defaultRoute()) {
                                batch.add(Routes.deleteDefaultVia(c.network.gateway6(), c.podIfIndex));
                            }
                            batch.add(Addresses.delete(c.podIfIndex, c.address6));
                        }
                        batch.addAll(List.of(
                                Links.setAlias(
                                        bridgeName,
                                        EndpointSteps.VM_TAG + c.address + "|" + (c.address6 == null ? "" : c.address6)
                                                + "|" + c.mac),
                                Links.setMac(c.podIfIndex, MacAddress.randomLocal()),
                                Links.setMaster(c.podIfIndex, br),
                                Links.noIpv6LinkLocal(tapIndex),
                                Links.setMaster(tapIndex, br),
                                Links.up(tapIndex)));
                        if (c.mtu > 0) {
                            batch.add(Links.setMtu(tapIndex, c.mtu)); // the VM's link carries the endpoint's MTU too
                        }
                        pod.executeBatch(batch);
                    } catch (RuntimeException e) {
                        // the sandbox bridge exists by now: a failed step leaves nothing
                        try {
                            pod.execute(Links.deleteByName(bridgeName));
                        } catch (RuntimeException suppressed) {
                            e.addSuppressed(suppressed);
                        }
                        throw e;
                    }
                    return true;
                })
                .then();
    }

    private static Mono<Void> deleteInPod(AddContext c, String name) {
        if (c.netnsFd < 0) {
            return Mono.empty(); // the namespace was never opened: nothing was made in it
        }
        return c.inPod(pod -> {
                    try {
                        pod.execute(Links.deleteByName(name));
                    } catch (NetlinkException e) {
                        if (e.errno() != Errno.ENODEV) {
                            throw e;
                        }
                    }
                    return true;
                })
                .then();
    }
}
