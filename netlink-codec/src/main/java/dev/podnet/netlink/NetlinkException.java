package dev.podnet.netlink;

/**
 * The kernel refused a request: the errno (number and name), the kernel's extended-ack message and
 * the offset of the offending attribute when it gave them, and which request failed.
 */
public class NetlinkException extends PodnetException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String extAckMessage;
    private final int extAckOffset;
    private final String request;

    public NetlinkException(int errno, String extAckMessage, int extAckOffset, String request) {
        super(format(errno, extAckMessage, extAckOffset, request));
        this.errno = errno;
        this.extAckMessage = extAckMessage;
        this.extAckOffset = extAckOffset;
        this.request = request;
    }

    /** From a failed {@code NLMSG_ERROR} reply to {@code request} (described readably). */
    public static NetlinkException of(ErrorMessage error, String request) {
        return new NetlinkException(error.errno(), error.extAckMessage(), error.extAckOffset(), request);
    }

    private static String format(int errno, String msg, int offset, String request) {
        StringBuilder b = new StringBuilder();
        b.append(request)
                .append(" failed: ")
                .append(Errno.name(errno))
                .append(" (")
                .append(Errno.describe(errno))
                .append(')');
        if (msg != null && !msg.isEmpty()) {
            b.append(": ").append(msg);
        }
        if (offset >= 0) {
            b.append(" [offending attribute at byte ").append(offset).append(']');
        }
        return b.toString();
    }

    /** True when {@code e} is a kernel error with {@code errno} (the one errno test the code needs). */
    public static boolean hasErrno(Throwable e, int errno) {
        return e instanceof NetlinkException n && n.errno() == errno;
    }

    /** The positive errno. */
    public int errno() {
        return errno;
    }

    /** The errno's name, e.g. {@code EEXIST}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** The kernel's extended-ack text, or null. */
    public String extAckMessage() {
        return extAckMessage;
    }

    /** Offset of the offending attribute in the request, or -1. */
    public int extAckOffset() {
        return extAckOffset;
    }

    /** The failed request, described. */
    public String request() {
        return request;
    }
}
