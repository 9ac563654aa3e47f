package dev.podnet.netlink.channel;

import dev.podnet.netlink.PodnetException;

/** The kernel did not answer a request within the client's time-out. */
public final class NetlinkTimeoutException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public NetlinkTimeoutException(String message) {
        super(message);
    }
}
