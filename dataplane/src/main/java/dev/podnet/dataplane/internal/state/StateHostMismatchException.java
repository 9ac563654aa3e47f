package dev.podnet.dataplane.internal.state;

import dev.podnet.netlink.PodnetException;

/** A state directory was opened from a host namespace other than the one it belongs to (see {@link HostNamespace}). */
public final class StateHostMismatchException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public StateHostMismatchException(String message) {
        super(message);
    }
}
