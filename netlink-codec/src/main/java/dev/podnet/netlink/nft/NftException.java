package dev.podnet.netlink.nft;

import dev.podnet.netlink.NetlinkException;

/**
 * An nf_tables transaction the kernel refused, whole (nothing of it was applied): the errno, the
 * message that failed (its description) and, for a set message, which of its elements the kernel
 * pointed at ({@link #element}, from the extended ack's offset), so that a caller can name the
 * port or the endpoint at fault.
 */
public final class NftException extends NetlinkException {
    private static final long serialVersionUID = 1L;

    private final int messageIndex;
    private final int element;

    public NftException(
            int errno, String extAckMessage, int extAckOffset, String request, int messageIndex, int element) {
        super(errno, extAckMessage, extAckOffset, request + (element >= 0 ? " (element " + element + ")" : ""));
        this.messageIndex = messageIndex;
        this.element = element;
    }

    /** The failing message's place in the batch (0 is BATCH_BEGIN: the whole batch was refused). */
    public int messageIndex() {
        return messageIndex;
    }

    /** The failing element's place in its message (0 is the first), or -1 when the kernel did not say. */
    public int element() {
        return element;
    }
}
