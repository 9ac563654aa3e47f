package dev.podnet.dataplane.endpoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of the host ends of veths: {@code pn} + 12 hex digits of SHA-256(container id, interface).
 * Deterministic, so a remove (or a reconcile) finds the link from the endpoint's key alone, even
 * when its record is lost; 14 bytes, inside IFNAMSIZ.
 */
public final class HostNames {
    /** The prefix of every host-side link podnet names. */
    public static final String PREFIX = "pn";

    private HostNames() {
    }

    public static String hostIfName(String containerId, String ifName) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(containerId.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(ifName.getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(d.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is always present", e);
        }
    }

    /** The alias that tags a host link with its endpoint: {@code podnet:<container id>/<interface>}. */
    public static String alias(String containerId, String ifName) {
        return "podnet:" + EndpointRecord.key(containerId, ifName);
    }
}
