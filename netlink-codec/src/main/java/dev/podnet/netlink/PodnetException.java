package dev.podnet.netlink;

/**
 * The root of every exception podnet throws, so that a caller can tell podnet's failures from
 * everyone else's with one {@code catch}. Each subclass names one kind of failure: a kernel error
 * ({@link NetlinkException}, with errno and the kernel's extended-ack text), bad input
 * ({@code InvalidSpecException}), an operation that failed and was undone
 * ({@code EndpointOperationException}), a transport condition (time-out, overrun, closed) and so on.
 *
 * <p>It lives in the codec, the lowest module, and is not {@code sealed}: outside named modules a
 * sealed class's subclasses must share its package, and podnet's span the codec, the dataplane and
 * the API. The architecture test ({@code BoundaryTest}) holds the line instead: every unchecked
 * exception of the library extends this class.
 */
public abstract class PodnetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected PodnetException(String message) {
        super(message);
    }

    protected PodnetException(String message, Throwable cause) {
        super(message, cause);
    }
}
