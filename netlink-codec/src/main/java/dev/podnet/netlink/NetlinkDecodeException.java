package dev.podnet.netlink;

/** Bytes that are not a well-formed netlink message: the only exception the decoder throws for any input (anything else is a bug, which the fuzz test looks for). */
public final class NetlinkDecodeException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public NetlinkDecodeException(String message) {
        super(message);
    }

    public NetlinkDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
