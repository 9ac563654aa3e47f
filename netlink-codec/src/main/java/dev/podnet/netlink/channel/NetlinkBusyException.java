package dev.podnet.netlink.channel;

import dev.podnet.netlink.PodnetException;

/** More requests are in flight on one channel than its configured bound: the new one is refused at once. */
public final class NetlinkBusyException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public NetlinkBusyException(String message) {
        super(message);
    }
}
