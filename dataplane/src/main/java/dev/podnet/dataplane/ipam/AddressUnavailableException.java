package dev.podnet.dataplane.ipam;

import dev.podnet.netlink.PodnetException;

/** A static address request that cannot be granted: outside every range, excluded, or held by another owner. */
public final class AddressUnavailableException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public AddressUnavailableException(String message) {
        super(message);
    }
}
