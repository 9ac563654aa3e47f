package dev.podnet.api;

import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.PortMapping;
import dev.podnet.dataplane.internal.endpoint.AddRequest;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A sandbox to plug into a network. Start from {@link #of} and refine with the {@code with}
 * methods; a spec is immutable, each {@code with} method returns a new one.
 */
public final class EndpointSpec {
    /** The settings, copied on every change: one place that lists them, the spec immutable. */
    private static final class Fields extends Settings<Fields> {
        String network;
        String containerId;
        String ifName = "eth0";
        NetNs netns;
        int mtu;
        MacAddress mac;
        String podName;
        String podNamespace;
        InetAddress address;
        InetAddress address6;
        boolean vm;
        List<PortMapping> ports = List.of();

        /** The settings as the engine takes them, and what two equal specs have equal. */
        AddRequest request() {
            return new AddRequest(
                    network, containerId, ifName, netns, mtu, mac, podName, podNamespace, address, address6, vm, ports);
        }
    }

    private final Fields f;

    private EndpointSpec(Fields f) {
        if (f.address != null && f.address.getAddress().length == 16) {
            if (f.address6 != null && !f.address6.equals(f.address)) {
                throw new InvalidSpecException("two IPv6 addresses requested: " + f.address.getHostAddress() + " and "
                        + f.address6.getHostAddress() + "; a pod gets one per family");
            }
            f.address6 = f.address;
            f.address = null;
        }
        if (f.address6 != null && f.address6.getAddress().length == 4) {
            throw new InvalidSpecException("address6 " + f.address6.getHostAddress() + " is not IPv6");
        }
        this.f = f;
    }

    private EndpointSpec with(Consumer<Fields> change) {
        Fields copy = f.copy();
        change.accept(copy);
        return new EndpointSpec(copy);
    }

    /** {@code containerId}'s {@code eth0} in {@code netns}, on {@code network}. */
    public static EndpointSpec of(String network, String containerId, NetNs netns) {
        Fields x = new Fields();
        x.network = network;
        x.containerId = containerId;
        x.netns = netns;
        return new EndpointSpec(x);
    }

    public EndpointSpec withIfName(String name) {
        return with(x -> x.ifName = name);
    }

    public EndpointSpec withMtu(int m) {
        return with(x -> x.mtu = m);
    }

    public EndpointSpec withMac(MacAddress m) {
        return with(x -> x.mac = m);
    }

    public EndpointSpec withPod(String name, String namespace) {
        return with(x -> {
            x.podName = name;
            x.podNamespace = namespace;
        });
    }

    /** Makes this a VM endpoint (Virtlet shape). */
    public EndpointSpec withVm(boolean on) {
        return with(x -> x.vm = on);
    }

    /**
     * Asks IPAM for exactly this address (it must lie in one of the network's ranges of its family
     * and be free); call it once per family to ask for both.
     */
    public EndpointSpec withAddress(InetAddress a) {
        boolean v6 = a.getAddress().length == 16;
        return with(x -> {
            if (v6) {
                x.address6 = a;
            } else {
                x.address = a;
            }
        });
    }

    /**
     * Asks IPAM for exactly this IPv6 address, as {@link #withAddress}; null lets IPAM choose. An
     * IPv4 address is refused with {@link InvalidSpecException}.
     */
    public EndpointSpec withAddress6(InetAddress a) {
        return with(x -> x.address6 = a);
    }

    /** The network's name. */
    public String network() {
        return f.network;
    }

    /** The sandbox's container id (CNI_CONTAINERID): letters, digits, '_', '.', '-'. */
    public String containerId() {
        return f.containerId;
    }

    /** The interface inside the sandbox (CNI_IFNAME), e.g. {@code eth0}. */
    public String ifName() {
        return f.ifName;
    }

    /** The sandbox's network namespace (CNI_NETNS). */
    public NetNs netns() {
        return f.netns;
    }

    /** 0 for the network's MTU. */
    public int mtu() {
        return f.mtu;
    }

    /** The sandbox interface's MAC, or null for a random locally administered one. */
    public MacAddress mac() {
        return f.mac;
    }

    /** Kubernetes pod name, or null. */
    public String podName() {
        return f.podName;
    }

    /** Kubernetes namespace, or null. */
    public String podNamespace() {
        return f.podNamespace;
    }

    /** A static IPv4 address request (CNI's "ips" capability), or null to let IPAM choose (an IPv6 one goes to {@link #address6()}). */
    public InetAddress address() {
        return f.address;
    }

    /** A VM endpoint (Virtlet): a tap and a bridge in the sandbox, the interface's address and routes handed to the VM (bridge networks). */
    public boolean vm() {
        return f.vm;
    }

    /** A static IPv6 address request, or null to let IPAM choose. */
    public InetAddress address6() {
        return f.address6;
    }

    /**
     * Publishes a port: {@code mapping}'s host port leads to the pod's port (podnet's nf_tables
     * table, set elements only; both families on a dual-stack network unless the mapping names one
     * host address). Adding the endpoint fails, with nothing made, when another endpoint holds the
     * same protocol and host port.
     */
    public EndpointSpec withPortMapping(PortMapping mapping) {
        java.util.Objects.requireNonNull(mapping, "mapping");
        return with(x -> {
            List<PortMapping> all = new java.util.ArrayList<>(x.ports);
            all.add(mapping);
            x.ports = List.copyOf(all);
        });
    }

    /** The published ports, in the order given. */
    public List<PortMapping> portMappings() {
        return f.ports;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof EndpointSpec s && f.request().equals(s.f.request()));
    }

    @Override
    public int hashCode() {
        return f.request().hashCode();
    }

    @Override
    public String toString() {
        return "EndpointSpec[network=" + f.network + ", containerId=" + f.containerId + ", ifName=" + f.ifName
                + ", netns=" + f.netns + ", mtu=" + f.mtu + ", mac=" + f.mac + ", podName=" + f.podName
                + ", podNamespace=" + f.podNamespace + ", address=" + f.address + ", vm=" + f.vm + ", address6="
                + f.address6 + ", ports=" + f.ports + "]";
    }

    /**
     * Checks every field before anything touches the kernel; the exception names the field.
     *
     * @return the request for the engine, with this spec's fields
     */
    AddRequest validate() {
        String network = f.network;
        String containerId = f.containerId;
        String ifName = f.ifName;
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
        Objects.requireNonNull(f.netns, "netns");
        try {
            Links.validateMtu("mtu", f.mtu);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(e.getMessage());
        }
        if (f.mac != null && f.mac.isMulticast()) {
            throw new InvalidSpecException(
                    "mac " + f.mac + " is a multicast address; an interface needs a unicast one");
        }
        for (String[] field : new String[][] {{"podName", f.podName}, {"podNamespace", f.podNamespace}}) {
            if (field[1] != null && !field[1].matches("[A-Za-z0-9_.-]{0,253}")) {
                throw new InvalidSpecException(
                        field[0] + " '" + field[1] + "' may hold only letters, digits, '_', '.', '-'");
            }
        }
        java.util.Set<String> published = new java.util.HashSet<>();
        for (PortMapping m : f.ports) {
            String key =
                    m.protocol() + " " + (m.hostIp() == null ? "*" : m.hostIp().getHostAddress()) + " " + m.hostPort();
            if (!published.add(key)) {
                throw new InvalidSpecException("port mapping " + m + ": host port " + m.hostPort() + "/" + m.protocol()
                        + " is published twice");
            }
        }
        Path p = f.netns.path();
        if (p.toString().contains("\t") || p.toString().contains("\n")) {
            throw new InvalidSpecException("netns path '" + p + "' contains a tab or newline");
        }
        if (!Files.exists(p)) {
            throw new InvalidSpecException("netns " + p + " does not exist");
        }
        return f.request();
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
