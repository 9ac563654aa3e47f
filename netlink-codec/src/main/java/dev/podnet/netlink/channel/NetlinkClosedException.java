package dev.podnet.netlink.channel;

/** The channel closed before the kernel answered a request. */
public final class NetlinkClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NetlinkClosedException(String message) {
        super(message);
    }
}
