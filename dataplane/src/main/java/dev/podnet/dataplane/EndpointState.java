package dev.podnet.dataplane;

/** Where an endpoint is in its life. */
public enum EndpointState {
    /** Steps of an add are running or were cut short: the kernel may hold part of it. */
    CREATING,
    /** Every step of the add completed. */
    READY,
    /** A remove started. */
    DELETING
}
