package dev.podnet.netlink.attr;

/** Attribute bytes that do not parse: a short header or a length running past the end. */
public final class AttributeFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AttributeFormatException(String message) {
        super(message);
    }
}
