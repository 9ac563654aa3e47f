package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.netlink.PodnetException;

/** An endpoint's interface name is already taken, in the host namespace or in the pod's: nothing was made. */
public final class NameTakenException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public NameTakenException(String message, Throwable cause) {
        super(message, cause);
    }
}
