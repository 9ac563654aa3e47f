package dev.podnet.dataplane.ipam;

/** No address is left in a range. */
public final class IpamExhaustedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IpamExhaustedException(String message) {
        super(message);
    }
}
