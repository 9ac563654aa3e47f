package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.EndpointState;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What podnet remembers of one endpoint, persisted in the state store.
 *
 * @param containerId   the sandbox's container id
 * @param ifName        the interface name inside the sandbox (e.g. eth0)
 * @param network       the network it is attached to
 * @param netns         path of the sandbox's network namespace
 * @param hostIfName    the host end of the veth
 * @param mac           the sandbox interface's MAC
 * @param address       the sandbox's address with prefix, e.g. 198.18.0.2/16
 * @param gateway       the default gateway given to the sandbox
 * @param state         where the endpoint is in its life
 * @param createdMillis when the add started (epoch milliseconds)
 * @param podName       Kubernetes pod name, or empty
 * @param podNamespace  Kubernetes namespace, or empty
 * @param vmTap         for a VM endpoint, the tap inside the sandbox that the VM attaches to; else empty
 * @param address6      the sandbox's IPv6 address with prefix on a dual-stack network, else empty
 * @param gateway6      its IPv6 default gateway, else empty
 * @param sandboxKey    the sandbox the endpoint is attached to (Azure's AttachEndpoint), else empty
 * @param mtu           both ends' MTU, 0 for the kernel's default
 * @param routes        routes inside the sandbox beyond the shape's own (the network's, then those added
 *                      by updates), each {@code dst via gateway}
 * @param hostMac       the host end's MAC, or empty when not known (records before version 6)
 * @param ports         its published ports ({@link dev.podnet.dataplane.PortMapping}'s text form)
 */
public record EndpointRecord(
        String containerId,
        String ifName,
        String network,
        String netns,
        String hostIfName,
        String mac,
        String address,
        String gateway,
        EndpointState state,
        long createdMillis,
        String podName,
        String podNamespace,
        String vmTap,
        String address6,
        String gateway6,
        String sandboxKey,
        int mtu,
        List<String> routes,
        String hostMac,
        List<String> ports) {
    private static final String VERSION = "7";

    public EndpointRecord {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(ifName, "ifName");
        Objects.requireNonNull(state, "state");
        podName = podName == null ? "" : podName;
        podNamespace = podNamespace == null ? "" : podNamespace;
        vmTap = vmTap == null ? "" : vmTap;
        address6 = address6 == null ? "" : address6;
        gateway6 = gateway6 == null ? "" : gateway6;
        sandboxKey = sandboxKey == null ? "" : sandboxKey;
        routes = List.copyOf(routes == null ? List.of() : routes);
        hostMac = hostMac == null ? "" : hostMac;
        ports = List.copyOf(ports == null ? List.of() : ports);
    }

    /** The store key: container id and interface. */
    public String key() {
        return key(containerId, ifName);
    }

    public static String key(String containerId, String ifName) {
        return containerId + "/" + ifName;
    }

    /**
     * The endpoint's id: {@code containerId/ifName}, unique by construction ('/' appears in neither
     * part). A cut-down form such as Azure's {@code containerId[:8]-ifName} collides for container ids
     * that share a prefix; lookups accept any unambiguous prefix of the id instead.
     */
    public String id() {
        return key();
    }

    public EndpointRecord withState(EndpointState s) {
        return with(s, sandboxKey, mtu, routes);
    }

    /** The same record with another MTU and extra routes (an update). */
    public EndpointRecord withMtuAndRoutes(int newMtu, List<String> newRoutes) {
        return with(state, sandboxKey, newMtu, newRoutes);
    }

    /** The same record attached to {@code key} (empty: detached). */
    public EndpointRecord withSandboxKey(String key) {
        return with(state, key, mtu, routes);
    }

    /** The one copy with the fields that change after an add; the others stay as they are. */
    private EndpointRecord with(EndpointState s, String key, int newMtu, List<String> newRoutes) {
        return new EndpointRecord(
                containerId,
                ifName,
                network,
                netns,
                hostIfName,
                mac,
                address,
                gateway,
                s,
                createdMillis,
                podName,
                podNamespace,
                vmTap,
                address6,
                gateway6,
                key,
                newMtu,
                newRoutes,
                hostMac,
                ports);
    }

    /** A tab-separated line, versioned. Fields are validated upstream to hold no tab or newline. */
    public String encode() {
        return String.join(
                "\t",
                VERSION,
                containerId,
                ifName,
                n(network),
                n(netns),
                n(hostIfName),
                n(mac),
                n(address),
                n(gateway),
                state.name(),
                Long.toString(createdMillis),
                podName,
                podNamespace,
                vmTap,
                address6,
                gateway6,
                sandboxKey,
                Integer.toString(mtu),
                String.join(",", routes),
                hostMac,
                String.join(",", ports));
    }

    private static String n(String s) {
        return s == null ? "" : s;
    }

    /** Parses {@link #encode()}'s form; the error says which record is damaged. */
    public static EndpointRecord decode(String text) {
        String[] f = text.split("\t", -1);
        boolean v1 = f.length == 13 && f[0].equals("1");
        boolean v2 = f.length == 14 && f[0].equals("2");
        boolean v3 = f.length == 16 && f[0].equals("3");
        boolean v4 = f.length == 17 && f[0].equals("4");
        boolean v5 = f.length == 19 && f[0].equals("5");
        boolean v7 = f.length == 21 && f[0].equals(VERSION);
        boolean v6 = v7 || f.length == 20 && f[0].equals("6");
        if (!v1 && !v2 && !v3 && !v4 && !v5 && !v6) {
            throw new IllegalStateException("endpoint record is damaged or of an unknown version: '" + text + "'");
        }
        v5 = v5 || v6;
        return new EndpointRecord(
                f[1],
                f[2],
                f[3],
                f[4],
                f[5],
                f[6],
                f[7],
                f[8],
                EndpointState.valueOf(f[9]),
                Long.parseLong(f[10]),
                f[11],
                f[12],
                v1 ? "" : f[13],
                v1 || v2 ? "" : f[14],
                v1 || v2 ? "" : f[15],
                v1 || v2 || v3 ? "" : f[16],
                v5 ? Integer.parseInt(f[17]) : 0,
                v5 && !f[18].isEmpty() ? Arrays.asList(f[18].split(",")) : List.of(),
                v6 ? f[19] : "",
                v7 && !f[20].isEmpty() ? Arrays.asList(f[20].split(",")) : List.of());
    }
}
