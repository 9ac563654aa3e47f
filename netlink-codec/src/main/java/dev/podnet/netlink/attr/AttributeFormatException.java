package dev.podnet.netlink.attr;

import dev.podnet.netlink.PodnetException;

/** Attribute bytes that do not parse: a short header or a length running past the end. */
public final class AttributeFormatException extends PodnetException {
    private static final long serialVersionUID = 1L;

    public AttributeFormatException(String message) {
        super(message);
    }
}
