package dev.podnet.netlink.channel;

/** The kernel did not answer a request within the client's time-out. */
public final class NetlinkTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NetlinkTimeoutException(String message) {
        super(message);
    }
}
