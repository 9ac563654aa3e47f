package dev.podnet.dataplane.ipam;

/** A static address request that cannot be granted: outside every range, excluded, or held by another owner. */
public final class AddressUnavailableException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public AddressUnavailableException(String message) {
        super(message);
    }
}
