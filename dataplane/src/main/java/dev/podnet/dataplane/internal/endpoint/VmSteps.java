package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.TapDevices;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.channel.SyncNetlink;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.TcMessage;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The VM shape (Virtlet's, wired as Kata Containers wires it), on a bridge network,
 * {@link EndpointSteps#VM}: the shared steps up to {@code create-veth}, then {@code vm-pod}, one
 * visit to the sandbox on the rtnetlink thread that creates the persistent tap and sends one
 * datagram: the interface's IPv6 link-local generation off (with the pod's tag), a new MAC for it
 * (the VM takes the one the record holds) and up; the tap tagged {@link EndpointSteps#VM_TAG} with
 * what the VM was handed, link-local off, up, with the endpoint's MTU; and the two joined as a
 * wire by traffic control, every frame arriving on one leaving by the other ({@link VmWire}). The
 * interface never holds the pod's address or routes: they are the VM's, served by
 * {@code vm-dhcp} (the responder on the tap, {@link EndpointSteps#startDhcp(AddContext)}) after
 * the bridge shape's {@code port-up}.
 *
 * <p>Why a wire and not a bridge inside the sandbox (what Virtlet made, and podnet before): a
 * bridge is one more device to create and, above all, to delete, and the kernel deletes a bridge
 * slowly (~40 ms here, serialised across namespaces), which held VM removes to ~30 per second. The
 * wire needs only the two devices that exist anyway. The VM's DHCP requests are kept out of the
 * wire ({@link TcMessage#keepUdpPort}, tried first) so that they reach the responder on the tap
 * and nothing else. Undo of {@code vm-pod} (and what it does itself when its datagram fails part
 * of the way): the tap is deleted and the interface's ingress qdisc with its redirect (which would
 * also go with the veth, deleted by the undo of {@code create-veth}).
 */
final class VmSteps {
    /** The VM shape. */
    static final List<Step<AddContext>> STEPS = SharedSteps.shape(List.of(
            Step.of("vm-pod", VmSteps::configurePod, VmSteps::undoPod),
            BridgeSteps.PORT_UP,
            Step.of(
                    "vm-dhcp",
                    EndpointSteps::startDhcp,
                    c -> Mono.fromRunnable(() -> c.host.dhcp().stop(c.key())))));

    private VmSteps() {}

    private static Mono<Void> configurePod(AddContext c) {
        String tap = AddContext.vmTapName(c.ifName);
        return c.inPod(pod -> {
                    // this thread is inside the sandbox: the tap lands there
                    TapDevices.createPersistentTap(tap);
                    try {
                        int tapIndex = ((LinkMessage) pod.request(Links.getByName(tap))).index();
                        List<NetlinkMessage> batch = new ArrayList<>(List.of(
                                PodRequests.podLinkLocalOff(c),
                                Links.setMac(c.podIfIndex, MacAddress.randomLocal()),
                                Links.up(c.podIfIndex),
                                Links.setAlias(
                                        tap,
                                        EndpointSteps.VM_TAG + c.address + "|" + (c.address6 == null ? "" : c.address6)
                                                + "|" + c.mac),
                                Links.noIpv6LinkLocal(tapIndex),
                                Links.up(tapIndex)));
                        if (c.mtu > 0) {
                            batch.add(Links.setMtu(tapIndex, c.mtu)); // the VM's link carries the endpoint's MTU too
                        }
                        batch.addAll(VmWire.requests(c.podIfIndex, tapIndex));
                        pod.executeBatch(batch);
                    } catch (RuntimeException e) {
                        // a failed step leaves nothing (the kernel applies a datagram's other requests)
                        try {
                            undo(pod, c, tap);
                        } catch (RuntimeException suppressed) {
                            e.addSuppressed(suppressed);
                        }
                        throw e;
                    }
                    return true;
                })
                .then();
    }

    private static Mono<Void> undoPod(AddContext c) {
        if (c.netnsFd < 0) {
            return Mono.empty(); // the namespace was never opened: nothing was made in it
        }
        return c.inPod(pod -> {
                    undo(pod, c, AddContext.vmTapName(c.ifName));
                    return true;
                })
                .then();
    }

    /** Deletes the tap and the interface's ingress qdisc; what is not there is what it wants. */
    private static void undo(SyncNetlink pod, AddContext c, String tap) {
        try {
            pod.execute(TcMessage.deleteIngressQdisc(c.podIfIndex));
        } catch (NetlinkException e) {
            // no such qdisc is EINVAL ("Invalid handle")
            if (e.errno() != Errno.ENOENT && e.errno() != Errno.EINVAL && e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
        try {
            pod.execute(Links.deleteByName(tap));
        } catch (NetlinkException e) {
            if (e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
    }
}
