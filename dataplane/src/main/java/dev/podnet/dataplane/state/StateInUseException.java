package dev.podnet.dataplane.state;

/** Another live process owns the state directory. */
public final class StateInUseException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public StateInUseException(String message) {
        super(message);
    }
}
