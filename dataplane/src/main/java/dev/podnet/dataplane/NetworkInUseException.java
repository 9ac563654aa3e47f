package dev.podnet.dataplane;

import dev.podnet.netlink.PodnetException;

/** A network still has endpoints and was not deleted (delete it with force to remove them first). */
public final class NetworkInUseException extends PodnetException {
    private static final long serialVersionUID = 1L;

    private final int endpoints;

    public NetworkInUseException(String network, int endpoints) {
        super("network " + network + " still has " + endpoints + " endpoint" + (endpoints == 1 ? "" : "s")
                + ": remove them first, or delete with force");
        this.endpoints = endpoints;
    }

    public int endpoints() {
        return endpoints;
    }
}
