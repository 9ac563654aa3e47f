package dev.podnet.api;

import dev.podnet.dataplane.endpoint.EndpointRecord;

import java.util.function.Predicate;

/**
 * Which endpoints to look up, as the Azure network manager looks them up: by id, container,
 * pod name and namespace (exact or by prefix), network namespace, or network. Criteria combine with AND.
 */
public record EndpointQuery(String id, String containerId, String podName, boolean podNamePrefix, String podNamespace,
                            String netns, String network) {
    /** Every endpoint. */
    public static final EndpointQuery ALL = new EndpointQuery(null, null, null, false, null, null, null);

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

    private EndpointQuery inNamespace(String ns) {
        return new EndpointQuery(id, containerId, podName, podNamePrefix, ns, netns, network);
    }

    Predicate<EndpointRecord> predicate() {
        return r -> (id == null || r.id().equals(id))
                && (containerId == null || r.containerId().equals(containerId))
                && (podName == null || (podNamePrefix ? r.podName().startsWith(podName) : r.podName().equals(podName)))
                && (podNamespace == null || r.podNamespace().equals(podNamespace))
                && (netns == null || r.netns().equals(netns))
                && (network == null || r.network().equals(network));
    }
}
