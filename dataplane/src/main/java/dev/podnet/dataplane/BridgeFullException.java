package dev.podnet.dataplane;

import dev.podnet.netlink.PodnetException;

/**
 * A bridge network's bridge already has the kernel's maximum of ports ({@code BR_MAX_PORTS}:
 * 1023), so the kernel refused one more ({@code EXFULL}) and the add was undone. Spread larger
 * pod counts over more bridge networks, or use a ptp network, which has no such limit.
 */
public final class BridgeFullException extends PodnetException {
    private static final long serialVersionUID = 1L;

    /** The kernel's {@code BR_MAX_PORTS} less port number 0, which a bridge never hands out. */
    public static final int MAX_PORTS = 1023;

    public BridgeFullException(String network, String bridge, Throwable cause) {
        super(
                "network " + network + ": bridge " + bridge + " already has " + MAX_PORTS
                        + " ports, the kernel's maximum (EXFULL); spread pods over more bridge networks or use a"
                        + " ptp network",
                cause);
    }
}
