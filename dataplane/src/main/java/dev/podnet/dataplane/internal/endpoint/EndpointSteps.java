package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.dhcp.DhcpResponder;
import dev.podnet.dataplane.internal.dhcp.DhcpServer;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.route.LinkMessage;
import java.nio.file.Path;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The endpoint shapes as step lists with undo, and what the rest of podnet needs of them: the
 * tags they leave on the kernel's links, the host side's link-local address, the VM's DHCP
 * responder, and what a missing link looks like.
 *
 * <p>Each shape has its own class: bridge (libnetwork's bridge driver, CNI bridge) is
 * {@code BridgeSteps}, point-to-point (CNI ptp) {@code PtpSteps}, VM (Virtlet) {@code VmSteps}; the
 * steps they share ({@code reserve-address}, {@code record-creating}, {@code open-netns},
 * {@code create-veth}, {@code record-ready}) are {@code SharedSteps}, and what their pod
 * configurations share {@code PodRequests}. Every shape reserves the address, records the endpoint
 * as CREATING, opens the pod's namespace, creates the veth, configures it and records the endpoint
 * READY. Undos: release the address, drop the record, close the namespace, delete the veth (which
 * takes every address and route on both ends with it).
 */
public final class EndpointSteps {
    /** The bridge shape. */
    public static final List<Step<AddContext>> BRIDGE = BridgeSteps.STEPS;

    /** The point-to-point shape. */
    public static final List<Step<AddContext>> PTP = PtpSteps.STEPS;

    /**
     * The alias of a sandbox interface that keeps the pod's Kubernetes namespace and name,
     * {@code podnet-pod:<namespace>/<name>}, so that a record rebuilt from the kernel has them.
     */
    public static final String POD_TAG = "podnet-pod:";

    /**
     * The alias of a VM endpoint's tap, {@code podnet-vm:<address>|<address6>|<mac>}: what the VM
     * was handed (and the sandbox interface no longer holds), for a record rebuilt from the kernel.
     */
    public static final String VM_TAG = "podnet-vm:";

    /**
     * The VM shape (Virtlet's, wired as Kata Containers wires it), on a bridge network: the shared
     * steps, then {@code vm-pod} (the tap made inside the sandbox, the interface left without
     * address or routes and with a new MAC, the VM taking the old one, and the tap and the
     * interface joined by traffic control, {@link VmWire}), {@code port-up} and {@code vm-dhcp}.
     */
    public static final List<Step<AddContext>> VM = VmSteps.STEPS;

    /**
     * The link-local address of a dual-stack network's host side (bridge, or ptp host end), added
     * without DAD. The kernel sends a neighbour solicitation for a forwarded packet only from a
     * link-local source, so without one the host could not forward IPv6 to its pods; generated
     * ones would first wait out DAD.
     */
    public static final Cidr HOST_LINK_LOCAL = Cidr.parse("fe80::1/64");

    private EndpointSteps() {}

    /** The steps of {@code mode}'s shape, or of the VM shape. */
    public static List<Step<AddContext>> forShape(NetworkMode mode, boolean vm) {
        if (vm) {
            return VM;
        }
        return mode == NetworkMode.PTP ? PTP : BRIDGE;
    }

    /** Starts the DHCP responder that serves the VM its address and routes. */
    public static Mono<Void> startDhcp(AddContext c) {
        return startDhcp(c.host, c.record(EndpointState.READY), c.network.record());
    }

    /** Starts (or restarts) {@code r}'s DHCP responder on its tap. */
    public static Mono<Void> startDhcp(HostContext host, EndpointRecord r, NetworkRecord network) {
        return host.dhcp()
                .start(
                        r.key(),
                        () -> DhcpResponder.open(
                                host.netns(),
                                NetNs.ofPath(Path.of(r.netns())),
                                r.vmTap(),
                                host.loops(),
                                new DhcpServer(VmLease.of(r, network))));
    }

    /** ENODEV: the link is already gone, which is what a delete wants. */
    public static boolean isNoDevice(Throwable e) {
        return NetlinkException.hasErrno(e, Errno.ENODEV);
    }

    /** A link's MAC as text, or empty when the message carries none. */
    public static String macText(LinkMessage l) {
        byte[] a = l.hardwareAddress();
        return a == null || a.length != 6 ? "" : new MacAddress(a).toString();
    }
}
