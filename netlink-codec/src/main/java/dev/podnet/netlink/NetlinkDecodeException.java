package dev.podnet.netlink;

/** Bytes that are not a well-formed netlink message. The only exception the decoder throws. */
public final class NetlinkDecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NetlinkDecodeException(String message) {
        super(message);
    }

    public NetlinkDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
