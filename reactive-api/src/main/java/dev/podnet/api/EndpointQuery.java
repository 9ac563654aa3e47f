package dev.podnet.api;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which endpoints to look up, as the Azure network manager looks them up: by id, container,
 * pod name and namespace (exact or by prefix), network namespace, or network. Criteria combine with AND.
 * Start from {@link #ALL} or a factory and add criteria with the {@code with} methods; a query is
 * immutable, each of them returns a new one. A null criterion matches every endpoint.
 */
public final class EndpointQuery {
    /** Every endpoint. */
    public static final EndpointQuery ALL = new EndpointQuery(null, null, null, false, null, null, null);

    private final String id;
    private final String containerId;
    private final String podName;
    private final boolean podNamePrefix;
    private final String podNamespace;
    private final String netns;
    private final String network;

    private EndpointQuery(
            String id,
            String containerId,
            String podName,
            boolean podNamePrefix,
            String podNamespace,
            String netns,
            String network) {
        this.id = id;
        this.containerId = containerId;
        this.podName = podName;
        this.podNamePrefix = podNamePrefix;
        this.podNamespace = podNamespace;
        this.netns = netns;
        this.network = network;
    }

    public static EndpointQuery byId(String id) {
        return new EndpointQuery(id, null, null, false, null, null, null);
    }

    public static EndpointQuery byContainer(String containerId) {
        return new EndpointQuery(null, containerId, null, false, null, null, null);
    }

    /** Pods named exactly {@code name} in Kubernetes namespace {@code namespace}. */
    public static EndpointQuery byPod(String name, String namespace) {
        return new EndpointQuery(null, null, name, false, null, null, null).inNamespace(namespace);
    }

    /** Pods whose name starts with {@code prefix} (a Deployment's pods), in {@code namespace}. */
    public static EndpointQuery byPodPrefix(String prefix, String namespace) {
        return new EndpointQuery(null, null, prefix, true, null, null, null).inNamespace(namespace);
    }

    public static EndpointQuery byNetns(String netnsPath) {
        return new EndpointQuery(null, null, null, false, null, netnsPath, null);
    }

    public static EndpointQuery byNetwork(String network) {
        return new EndpointQuery(null, null, null, false, null, null, network);
    }

    /** Endpoints of container {@code container} (null: any container). */
    public EndpointQuery withContainerId(String container) {
        return new EndpointQuery(id, container, podName, podNamePrefix, podNamespace, netns, network);
    }

    /** Pods named {@code name}, exactly or, when {@code prefix}, by prefix (null: any pod). */
    public EndpointQuery withPodName(String name, boolean prefix) {
        return new EndpointQuery(id, containerId, name, prefix, podNamespace, netns, network);
    }

    /** Pods in Kubernetes namespace {@code ns} (null: any namespace). */
    public EndpointQuery inNamespace(String ns) {
        return new EndpointQuery(id, containerId, podName, podNamePrefix, ns, netns, network);
    }

    /** Endpoints in the network namespace at {@code netnsPath} (null: any). */
    public EndpointQuery withNetns(String netnsPath) {
        return new EndpointQuery(id, containerId, podName, podNamePrefix, podNamespace, netnsPath, network);
    }

    /** Endpoints on network {@code name} (null: any network). */
    public EndpointQuery withNetwork(String name) {
        return new EndpointQuery(id, containerId, podName, podNamePrefix, podNamespace, netns, name);
    }

    /** The endpoint's id, or null for any. */
    public String id() {
        return id;
    }

    /** The container id, or null for any. */
    public String containerId() {
        return containerId;
    }

    /** The pod name (or its prefix, see {@link #podNamePrefix()}), or null for any. */
    public String podName() {
        return podName;
    }

    /** Whether {@link #podName()} is matched as a prefix rather than exactly. */
    public boolean podNamePrefix() {
        return podNamePrefix;
    }

    /** The Kubernetes namespace, or null for any. */
    public String podNamespace() {
        return podNamespace;
    }

    /** The network namespace's path, or null for any. */
    public String netns() {
        return netns;
    }

    /** The network's name, or null for any. */
    public String network() {
        return network;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof EndpointQuery q
                && Objects.equals(id, q.id)
                && Objects.equals(containerId, q.containerId)
                && Objects.equals(podName, q.podName)
                && podNamePrefix == q.podNamePrefix
                && Objects.equals(podNamespace, q.podNamespace)
                && Objects.equals(netns, q.netns)
                && Objects.equals(network, q.network);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, containerId, podName, podNamePrefix, podNamespace, netns, network);
    }

    @Override
    public String toString() {
        return "EndpointQuery[id=" + id + ", containerId=" + containerId + ", podName=" + podName + ", podNamePrefix="
                + podNamePrefix + ", podNamespace=" + podNamespace + ", netns=" + netns + ", network=" + network + "]";
    }

    Predicate<Endpoint> predicate() {
        return r -> (id == null || r.id().equals(id))
                && (containerId == null || r.containerId().equals(containerId))
                && (podName == null
                        || (podNamePrefix
                                ? text(r.podName()).startsWith(podName)
                                : text(r.podName()).equals(podName)))
                && (podNamespace == null || text(r.podNamespace()).equals(podNamespace))
                && (netns == null || r.netns().equals(netns))
                && (network == null || r.network().equals(network));
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }
}
