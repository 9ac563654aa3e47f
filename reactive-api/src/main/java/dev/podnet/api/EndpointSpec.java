package dev.podnet.api;

import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.internal.endpoint.AddRequest;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A sandbox to plug into a network. Start from {@link #of} and refine with the {@code with}
 * methods; a spec is immutable, each {@code with} method returns a new one.
 */
public final class EndpointSpec {
    private final String network;
    private final String containerId;
    private final String ifName;
    private final NetNs netns;
    private final int mtu;
    private final MacAddress mac;
    private final String podName;
    private final String podNamespace;
    private final InetAddress address;
    private final boolean vm;
    private final InetAddress address6;

    private EndpointSpec(
            String network,
            String containerId,
            String ifName,
            NetNs netns,
            int mtu,
            MacAddress mac,
            String podName,
            String podNamespace,
            InetAddress address,
            boolean vm,
            InetAddress address6) {
        if (address != null && address.getAddress().length == 16) {
            if (address6 != null && !address6.equals(address)) {
                throw new InvalidSpecException("two IPv6 addresses requested: " + address.getHostAddress() + " and "
                        + address6.getHostAddress() + "; a pod gets one per family");
            }
            address6 = address;
            address = null;
        }
        if (address6 != null && address6.getAddress().length == 4) {
            throw new InvalidSpecException("address6 " + address6.getHostAddress() + " is not IPv6");
        }
        this.network = network;
        this.containerId = containerId;
        this.ifName = ifName;
        this.netns = netns;
        this.mtu = mtu;
        this.mac = mac;
        this.podName = podName;
        this.podNamespace = podNamespace;
        this.address = address;
        this.vm = vm;
        this.address6 = address6;
    }

    /** {@code containerId}'s {@code eth0} in {@code netns}, on {@code network}. */
    public static EndpointSpec of(String network, String containerId, NetNs netns) {
        return new EndpointSpec(network, containerId, "eth0", netns, 0, null, null, null, null, false, null);
    }

    public EndpointSpec withIfName(String name) {
        return new EndpointSpec(
                network, containerId, name, netns, mtu, mac, podName, podNamespace, address, vm, address6);
    }

    public EndpointSpec withMtu(int m) {
        return new EndpointSpec(
                network, containerId, ifName, netns, m, mac, podName, podNamespace, address, vm, address6);
    }

    public EndpointSpec withMac(MacAddress m) {
        return new EndpointSpec(
                network, containerId, ifName, netns, mtu, m, podName, podNamespace, address, vm, address6);
    }

    public EndpointSpec withPod(String name, String namespace) {
        return new EndpointSpec(network, containerId, ifName, netns, mtu, mac, name, namespace, address, vm, address6);
    }

    /** Makes this a VM endpoint (Virtlet shape). */
    public EndpointSpec withVm(boolean on) {
        return new EndpointSpec(
                network, containerId, ifName, netns, mtu, mac, podName, podNamespace, address, on, address6);
    }

    /**
     * Asks IPAM for exactly this address (it must lie in one of the network's ranges of its family
     * and be free); call it once per family to ask for both.
     */
    public EndpointSpec withAddress(InetAddress a) {
        return a.getAddress().length == 16
                ? new EndpointSpec(network, containerId, ifName, netns, mtu, mac, podName, podNamespace, address, vm, a)
                : new EndpointSpec(
                        network, containerId, ifName, netns, mtu, mac, podName, podNamespace, a, vm, address6);
    }

    /**
     * Asks IPAM for exactly this IPv6 address, as {@link #withAddress}; null lets IPAM choose. An
     * IPv4 address is refused with {@link InvalidSpecException}.
     */
    public EndpointSpec withAddress6(InetAddress a) {
        return new EndpointSpec(network, containerId, ifName, netns, mtu, mac, podName, podNamespace, address, vm, a);
    }

    /** The network's name. */
    public String network() {
        return network;
    }

    /** The sandbox's container id (CNI_CONTAINERID): letters, digits, '_', '.', '-'. */
    public String containerId() {
        return containerId;
    }

    /** The interface inside the sandbox (CNI_IFNAME), e.g. {@code eth0}. */
    public String ifName() {
        return ifName;
    }

    /** The sandbox's network namespace (CNI_NETNS). */
    public NetNs netns() {
        return netns;
    }

    /** 0 for the network's MTU. */
    public int mtu() {
        return mtu;
    }

    /** The sandbox interface's MAC, or null for a random locally administered one. */
    public MacAddress mac() {
        return mac;
    }

    /** Kubernetes pod name, or null. */
    public String podName() {
        return podName;
    }

    /** Kubernetes namespace, or null. */
    public String podNamespace() {
        return podNamespace;
    }

    /** A static IPv4 address request (CNI's "ips" capability), or null to let IPAM choose (an IPv6 one goes to {@link #address6()}). */
    public InetAddress address() {
        return address;
    }

    /** A VM endpoint (Virtlet): a tap and a bridge in the sandbox, the interface's address and routes handed to the VM (bridge networks). */
    public boolean vm() {
        return vm;
    }

    /** A static IPv6 address request, or null to let IPAM choose. */
    public InetAddress address6() {
        return address6;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof EndpointSpec s
                && Objects.equals(network, s.network)
                && Objects.equals(containerId, s.containerId)
                && Objects.equals(ifName, s.ifName)
                && Objects.equals(netns, s.netns)
                && mtu == s.mtu
                && Objects.equals(mac, s.mac)
                && Objects.equals(podName, s.podName)
                && Objects.equals(podNamespace, s.podNamespace)
                && Objects.equals(address, s.address)
                && vm == s.vm
                && Objects.equals(address6, s.address6);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                network, containerId, ifName, netns, mtu, mac, podName, podNamespace, address, vm, address6);
    }

    @Override
    public String toString() {
        return "EndpointSpec[network=" + network + ", containerId=" + containerId + ", ifName=" + ifName + ", netns="
                + netns
                + ", mtu=" + mtu + ", mac=" + mac + ", podName=" + podName + ", podNamespace=" + podNamespace
                + ", address=" + address + ", vm=" + vm + ", address6=" + address6 + "]";
    }

    /**
     * Checks every field before anything touches the kernel; the exception names the field.
     *
     * @return the request for the engine, with this spec's fields
     */
    AddRequest validate() {
        validateKey(containerId, ifName);
        if (network == null || network.isEmpty()) {
            throw new InvalidSpecException("network must be given");
        }
        // the endpoint's tag on its host link must fit the kernel's interface alias (IFALIASZ - 1 bytes)
        int tag = dev.podnet.dataplane.internal.endpoint.HostNames.alias(network, containerId, ifName)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)
                .length;
        if (tag > MAX_ALIAS) {
            throw new InvalidSpecException("containerId is " + containerId.length() + " characters; on network "
                    + network
                    + " with interface " + ifName + " it may have at most " + (containerId.length() - (tag - MAX_ALIAS))
                    + " (the endpoint's tag on its host link must fit the kernel's " + MAX_ALIAS
                    + "-byte interface alias)");
        }
        Objects.requireNonNull(netns, "netns");
        try {
            Links.validateMtu("mtu", mtu);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(e.getMessage());
        }
        if (mac != null && mac.isMulticast()) {
            throw new InvalidSpecException("mac " + mac + " is a multicast address; an interface needs a unicast one");
        }
        for (String[] f : new String[][] {{"podName", podName}, {"podNamespace", podNamespace}}) {
            if (f[1] != null && !f[1].matches("[A-Za-z0-9_.-]{0,253}")) {
                throw new InvalidSpecException(f[0] + " '" + f[1] + "' may hold only letters, digits, '_', '.', '-'");
            }
        }
        Path p = netns.path();
        if (p.toString().contains("\t") || p.toString().contains("\n")) {
            throw new InvalidSpecException("netns path '" + p + "' contains a tab or newline");
        }
        if (!Files.exists(p)) {
            throw new InvalidSpecException("netns " + p + " does not exist");
        }
        return new AddRequest(
                network, containerId, ifName, netns, mtu, mac, podName, podNamespace, address, address6, vm);
    }

    /** The longest interface alias the kernel keeps ({@code IFALIASZ - 1}). */
    static final int MAX_ALIAS = 255;

    /** Checks the (container id, interface) pair that names an endpoint. */
    static void validateKey(String containerId, String ifName) {
        if (containerId == null || !containerId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,254}")) {
            throw new InvalidSpecException("containerId '" + containerId
                    + "' must be 1-255 letters, digits, '_', '.', '-' and start with a letter or digit");
        }
        try {
            Links.validateName("ifName", ifName);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(e.getMessage());
        }
    }
}
