package dev.podnet.dataplane.state;

/** A state directory was opened from a host namespace other than the one it belongs to (see {@link HostNamespace}). */
public final class StateHostMismatchException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public StateHostMismatchException(String message) {
        super(message);
    }
}
