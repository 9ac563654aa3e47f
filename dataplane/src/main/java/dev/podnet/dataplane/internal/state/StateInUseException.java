package dev.podnet.dataplane.internal.state;

import dev.podnet.netlink.PodnetException;

/** Another live process owns the state directory. */
public final class StateInUseException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public StateInUseException(String message) {
        super(message);
    }
}
