package dev.podnet.dataplane;

import dev.podnet.netlink.PodnetException;

/**
 * An endpoint add or remove failed. The message says which endpoint, which step, and why (the
 * cause: for the kernel, a {@link dev.podnet.netlink.NetlinkException} with errno and extended
 * ack). By the time this is seen, every completed step has been undone.
 */
public final class EndpointOperationException extends PodnetException {
    private static final long serialVersionUID = 1L;

    private final String endpoint;
    private final String operation;

    public EndpointOperationException(String operation, String endpoint, Throwable cause) {
        super(operation + " of endpoint " + endpoint + " failed: " + cause.getMessage(), cause);
        this.endpoint = endpoint;
        this.operation = operation;
    }

    /** {@code containerId/ifName}. */
    public String endpoint() {
        return endpoint;
    }

    /** {@code add} or {@code remove}. */
    public String operation() {
        return operation;
    }
}
