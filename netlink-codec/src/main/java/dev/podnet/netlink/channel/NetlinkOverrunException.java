package dev.podnet.netlink.channel;

import dev.podnet.netlink.PodnetException;

/**
 * The socket's receive queue overflowed ({@code ENOBUFS}): the kernel dropped messages, so
 * replies to requests in flight may be lost.
 */
public final class NetlinkOverrunException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public NetlinkOverrunException(String message) {
        super(message);
    }
}
