package dev.podnet.dataplane;

import java.util.List;

/**
 * What an endpoint check ({@code dp.endpoints().check(containerId, ifName)}) found: the endpoint's record against the kernel. Empty
 * {@code differences} means they agree.
 *
 * @param endpoint    {@code containerId/ifName}
 * @param differences one sentence per disagreement, e.g. {@code "eth0 in /run/netns/p1 lacks 198.18.0.2/16"}
 */
public record EndpointCheck(String endpoint, List<String> differences) {
    public EndpointCheck {
        differences = List.copyOf(differences);
    }

    public boolean consistent() {
        return differences.isEmpty();
    }
}
