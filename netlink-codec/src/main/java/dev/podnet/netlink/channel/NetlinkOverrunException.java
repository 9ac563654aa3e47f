package dev.podnet.netlink.channel;

/**
 * The socket's receive queue overflowed ({@code ENOBUFS}): the kernel dropped messages, so
 * replies to requests in flight may be lost.
 */
public final class NetlinkOverrunException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NetlinkOverrunException(String message) {
        super(message);
    }
}
