package dev.podnet.netlink.channel;

import dev.podnet.netlink.PodnetException;

/**
 * A dump kept being interrupted ({@code NLM_F_DUMP_INTR}: the kernel's tables changed while it was
 * being read) more times than the retry bound allows.
 */
public final class DumpInterruptedException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public DumpInterruptedException(String message) {
        super(message);
    }
}
