package dev.podnet.dataplane;

/** How a network joins its sandboxes to the host. */
public enum NetworkMode {
    /** A bridge in the host namespace; every sandbox's veth is a port of it (CNI bridge, libnetwork bridge). */
    BRIDGE,
    /**
     * No bridge: each host veth carries the gateway as a /32 and a /32 route to its sandbox; the
     * host forwards between them (CNI ptp).
     */
    PTP
}
