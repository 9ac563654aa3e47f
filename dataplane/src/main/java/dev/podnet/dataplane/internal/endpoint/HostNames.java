package dev.podnet.dataplane.internal.endpoint;

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

    private HostNames() {}

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

    /** The start of every alias podnet tags a host link with. */
    public static final String TAG = "podnet:";

    /**
     * The alias that tags a host link with its endpoint: {@code podnet:<network>:<container id>/<interface>}
     * (no part can hold a ':'; at most 15 + 255 + 63 + 9 bytes, inside IFALIASZ).
     */
    public static String alias(String network, String containerId, String ifName) {
        return TAG + network + ":" + EndpointRecord.key(containerId, ifName);
    }

    /**
     * What a tag says.
     *
     * @param network the network, or null for an older tag that did not name it
     */
    public record Tag(String network, String containerId, String ifName) {
        public String key() {
            return EndpointRecord.key(containerId, ifName);
        }
    }

    /** Reads a link's alias: the tag, or null when the alias is not one of podnet's (or is null). */
    public static Tag parse(String alias) {
        if (alias == null || !alias.startsWith(TAG)) {
            return null;
        }
        String rest = alias.substring(TAG.length());
        String network = null;
        int colon = rest.indexOf(':');
        if (colon >= 0) {
            network = rest.substring(0, colon);
            rest = rest.substring(colon + 1);
        }
        int slash = rest.lastIndexOf('/');
        if (slash <= 0 || slash == rest.length() - 1 || (network != null && network.isEmpty())) {
            return null;
        }
        return new Tag(network, rest.substring(0, slash), rest.substring(slash + 1));
    }
}
