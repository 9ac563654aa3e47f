package dev.podnet.dataplane.endpoint;

/** An endpoint's interface name is already taken, in the host namespace or in the pod's: nothing was made. */
public final class NameTakenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NameTakenException(String message, Throwable cause) {
        super(message, cause);
    }
}
