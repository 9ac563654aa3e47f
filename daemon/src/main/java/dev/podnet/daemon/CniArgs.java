package dev.podnet.daemon;

import dev.podnet.dataplane.link.MacAddress;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CNI_ARGS ({@code K=V;K=V}) as podnet reads it: the Kubernetes pod's name and namespace (kubelet and
 * CRI runtimes pass them; podnet tags the pod's interface with them), static addresses ({@code
 * IP=198.18.0.7} or {@code IP=198.18.0.7,fd00:18::7}) and {@code MAC}, and {@code IgnoreUnknown}. As
 * CNI's own argument loader does, an unknown key is an error (code 2, naming it) unless {@code
 * IgnoreUnknown} is {@code true} or {@code 1}; a pair without {@code =} is code 4.
 */
public final class CniArgs {
    /** No arguments. */
    public static final CniArgs NONE = new CniArgs(null, null, List.of(), null);

    private static final Set<String> KNOWN = Set.of(
            "K8S_POD_NAME",
            "K8S_POD_NAMESPACE",
            "K8S_POD_INFRA_CONTAINER_ID",
            "K8S_POD_UID",
            "IP",
            "MAC",
            "IgnoreUnknown");

    private final String podName;
    private final String podNamespace;
    private final List<InetAddress> ips;
    private final MacAddress mac;

    private CniArgs(String podName, String podNamespace, List<InetAddress> ips, MacAddress mac) {
        this.podName = podName;
        this.podNamespace = podNamespace;
        this.ips = ips;
        this.mac = mac;
    }

    /** Parses {@code raw} (null or blank: no arguments). */
    public static CniArgs parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return NONE;
        }
        Map<String, String> pairs = pairs(raw);
        boolean ignoreUnknown = ignoreUnknown(pairs.get("IgnoreUnknown"));
        if (!ignoreUnknown) {
            for (Map.Entry<String, String> p : pairs.entrySet()) {
                if (!KNOWN.contains(p.getKey())) {
                    throw new CniError(
                            CniError.UNSUPPORTED_FIELD,
                            "CNI_ARGS: unknown argument " + p.getKey() + "=" + p.getValue()
                                    + " (podnet knows "
                                    + String.join(", ", KNOWN.stream().sorted().toList())
                                    + "; IgnoreUnknown=1 ignores the others)");
                }
            }
        }
        String ip = pairs.get("IP");
        List<InetAddress> ips = ip == null || ip.isEmpty()
                ? List.of()
                : NetworkConfig.staticAddresses(Arrays.asList(ip.split(",", -1)), "CNI_ARGS IP", CniError.INVALID_ENV);
        return new CniArgs(
                emptyToNull(pairs.get("K8S_POD_NAME")),
                emptyToNull(pairs.get("K8S_POD_NAMESPACE")),
                ips,
                mac(pairs.get("MAC")));
    }

    /** {@code K8S_POD_NAME}, or null. */
    public String podName() {
        return podName;
    }

    /** {@code K8S_POD_NAMESPACE}, or null. */
    public String podNamespace() {
        return podNamespace;
    }

    /** Static addresses from {@code IP}, at most one per family. */
    public List<InetAddress> ips() {
        return ips;
    }

    /** {@code MAC}, or null. */
    public MacAddress mac() {
        return mac;
    }

    /** The pairs in order; a later duplicate key wins, as Go's loader sets the field again. */
    private static Map<String, String> pairs(String raw) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String pair : raw.split(";", -1)) {
            if (pair.isBlank()) {
                continue; // a trailing ';' is harmless
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CniError(
                        CniError.INVALID_ENV, "CNI_ARGS: '" + pair + "' is not KEY=VALUE (in '" + raw + "')");
            }
            pairs.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return pairs;
    }

    private static boolean ignoreUnknown(String v) {
        if (v == null) {
            return false;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "true" -> true;
            case "0", "false", "" -> false;
            default ->
                throw new CniError(
                        CniError.INVALID_ENV, "CNI_ARGS: IgnoreUnknown='" + v + "' is not true, false, 1 or 0");
        };
    }

    private static MacAddress mac(String v) {
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return MacAddress.parse(v);
        } catch (IllegalArgumentException e) {
            throw new CniError(CniError.INVALID_ENV, "CNI_ARGS: MAC: " + e.getMessage());
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public String toString() {
        return "CniArgs[podName=" + podName + ", podNamespace=" + podNamespace + ", ips=" + ips + ", mac=" + mac + "]";
    }
}
