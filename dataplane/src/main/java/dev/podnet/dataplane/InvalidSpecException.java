package dev.podnet.dataplane;

import dev.podnet.netlink.PodnetException;

/** A request that cannot be carried out as given: the message names the field and what is wrong. Nothing was touched. */
public final class InvalidSpecException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public InvalidSpecException(String message) {
        super(message);
    }
}
