package dev.podnet.netlink.channel;

import dev.podnet.netlink.PodnetException;

/** The channel closed before the kernel answered a request. */
public final class NetlinkClosedException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public NetlinkClosedException(String message) {
        super(message);
    }
}
