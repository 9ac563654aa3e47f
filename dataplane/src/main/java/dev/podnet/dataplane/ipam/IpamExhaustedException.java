package dev.podnet.dataplane.ipam;

import dev.podnet.netlink.PodnetException;

/** No address is left in a range. */
public final class IpamExhaustedException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public IpamExhaustedException(String message) {
        super(message);
    }
}
