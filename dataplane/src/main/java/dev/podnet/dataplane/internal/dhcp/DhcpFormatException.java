package dev.podnet.dataplane.internal.dhcp;

import dev.podnet.netlink.PodnetException;

/**
 * Bytes that are not a well-formed DHCP message: too short, a bad magic cookie, an option running
 * past the end, or an option whose value has the wrong length. The message says what and where.
 */
public final class DhcpFormatException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public DhcpFormatException(String message) {
        super(message);
    }
}
