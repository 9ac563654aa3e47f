package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.internal.link.Addresses;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.Routes;
import dev.podnet.dataplane.internal.link.TapDevices;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.channel.SyncNetlink;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.TcMessage;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The VM shape (Virtlet's, wired as Kata Containers wires it), on a bridge network,
 * {@link EndpointSteps#VM}: the bridge shape ({@link BridgeSteps}), then {@code vm-tap} (a
 * persistent tap inside the sandbox, made on the namespace thread), {@code vm-wire} (the interface's
 * address and routes are stripped, to be claimed by the VM, which also takes the interface's MAC
 * while the interface gets a new one; the tap is tagged {@link EndpointSteps#VM_TAG} with what the
 * VM was handed; and the two are joined as a wire by traffic control: every frame arriving on one
 * leaves by the other, {@link VmWire}) and {@code vm-dhcp} (the responder that serves
 * the VM on the tap, {@link EndpointSteps#startDhcp(AddContext)}), before {@code record-ready}.
 *
 * <p>Why a wire and not a bridge inside the sandbox (what Virtlet made, and podnet before): a
 * bridge is one more device to create and, above all, to delete, and the kernel deletes a bridge
 * slowly (~40 ms here, serialised across namespaces), which held VM removes to ~30 per second. The
 * wire needs only the two devices that exist anyway. The VM's DHCP requests are kept out of the
 * wire ({@link TcMessage#keepUdpPort}, tried first) so that they reach the responder on the tap
 * and nothing else. Undos: the tap is deleted, the interface's ingress qdisc (with its redirect)
 * deleted, the responder stopped. (The interface's qdisc would also go with the veth, which the
 * undo of {@code create-veth} deletes; the step undoes its own work all the same.)
 */
final class VmSteps {
    /** The VM shape: the bridge shape's steps up to {@code port-up}, then the VM's own. */
    static final List<Step<AddContext>> STEPS = SharedSteps.shape(List.of(
            BridgeSteps.CONFIGURE_POD,
            BridgeSteps.PORT_UP,
            Step.of("vm-tap", VmSteps::createTap, c -> deleteInPod(c, AddContext.vmTapName(c.ifName))),
            Step.of("vm-wire", VmSteps::wireTap, VmSteps::unwire),
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

    private static Mono<Void> wireTap(AddContext c) {
        String tap = AddContext.vmTapName(c.ifName);
        return c.inPod(pod -> {
                    int tapIndex = ((LinkMessage) pod.request(Links.getByName(tap))).index();
                    // the interface's routes and addresses go to the VM (served by DHCP): routes first, while their
                    // gateways are reachable
                    List<NetlinkMessage> batch = new ArrayList<>();
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
                                    tap,
                                    EndpointSteps.VM_TAG + c.address + "|" + (c.address6 == null ? "" : c.address6)
                                            + "|" + c.mac),
                            Links.setMac(c.podIfIndex, MacAddress.randomLocal()),
                            Links.noIpv6LinkLocal(tapIndex),
                            Links.up(tapIndex)));
                    if (c.mtu > 0) {
                        batch.add(Links.setMtu(tapIndex, c.mtu)); // the VM's link carries the endpoint's MTU too
                    }
                    batch.addAll(VmWire.requests(c.podIfIndex, tapIndex));
                    try {
                        pod.executeBatch(batch);
                    } catch (RuntimeException e) {
                        // the interface's qdisc may exist by now: a failed step leaves nothing (the tap's goes with
                        // the tap, in the undo of vm-tap)
                        try {
                            deleteIngress(pod, c.podIfIndex);
                        } catch (RuntimeException suppressed) {
                            e.addSuppressed(suppressed);
                        }
                        throw e;
                    }
                    return true;
                })
                .then();
    }

    /** Deletes the interface's ingress qdisc, and with it the redirect to the tap. */
    private static Mono<Void> unwire(AddContext c) {
        if (c.netnsFd < 0) {
            return Mono.empty(); // the namespace was never opened: nothing was made in it
        }
        return c.inPod(pod -> {
                    deleteIngress(pod, c.podIfIndex);
                    return true;
                })
                .then();
    }

    /** Deletes {@code index}'s ingress qdisc; one that is not there (or a device that is not) is what it wants. */
    private static void deleteIngress(SyncNetlink pod, int index) {
        try {
            pod.execute(TcMessage.deleteIngressQdisc(index));
        } catch (NetlinkException e) {
            if (e.errno() != Errno.ENOENT && e.errno() != Errno.EINVAL && e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
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
