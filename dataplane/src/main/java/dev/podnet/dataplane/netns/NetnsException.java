package dev.podnet.dataplane.netns;

import dev.podnet.netlink.PodnetException;

/** A network namespace could not be created, entered or removed; the cause carries the errno. */
public final class NetnsException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public NetnsException(String message, Throwable cause) {
        super(message, cause);
    }

    public NetnsException(String message) {
        super(message);
    }
}
