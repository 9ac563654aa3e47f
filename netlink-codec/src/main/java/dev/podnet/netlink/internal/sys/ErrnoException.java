package dev.podnet.netlink.internal.sys;

import dev.podnet.netlink.Errno;
import java.io.IOException;

/** A failed system call: which call, on what, and the errno with its name. */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public ErrnoException(String call, String subject, int errno) {
        super(call + (subject == null || subject.isEmpty() ? "" : "(" + subject + ")") + " failed: " + Errno.name(errno)
                + " (" + Errno.describe(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    /** The system call that failed, e.g. {@code setns}. */
    public String call() {
        return call;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code EPERM}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
