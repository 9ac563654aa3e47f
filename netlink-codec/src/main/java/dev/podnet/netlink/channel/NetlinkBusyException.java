package dev.podnet.netlink.channel;

/** More requests are in flight on one channel than its configured bound: the new one is refused at once. */
public final class NetlinkBusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NetlinkBusyException(String message) {
        super(message);
    }
}
