package dev.podnet.daemon;

import static dev.podnet.daemon.JsonFields.bool;
import static dev.podnet.daemon.JsonFields.cidr;
import static dev.podnet.daemon.JsonFields.describe;
import static dev.podnet.daemon.JsonFields.integer;
import static dev.podnet.daemon.JsonFields.invalid;
import static dev.podnet.daemon.JsonFields.object;
import static dev.podnet.daemon.JsonFields.optList;
import static dev.podnet.daemon.JsonFields.optObject;
import static dev.podnet.daemon.JsonFields.optString;
import static dev.podnet.daemon.JsonFields.requiredString;
import static dev.podnet.daemon.JsonFields.string;
import static dev.podnet.daemon.JsonFields.strings;

import dev.podnet.api.Json;
import dev.podnet.api.NetworkSpec;
import dev.podnet.dataplane.PortMapping;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A podnet plugin configuration as a CNI runtime passes it on stdin, read into the {@link NetworkSpec}
 * it describes. The IPAM section is in host-local's format (range sets, routes), so configurations
 * written for bridge or ptp with host-local carry over by changing {@code type} to {@code podnet}:
 *
 * <pre>{@code
 * {"cniVersion": "1.1.0", "name": "pods", "type": "podnet", "mode": "bridge", "bridge": "podnet0", "mtu": 1450,
 *  "ipam": {"type": "host-local",
 *           "ranges": [[{"subnet": "198.18.0.0/16", "rangeStart": "198.18.0.10", "gateway": "198.18.0.1"}],
 *                      [{"subnet": "fd00:18::/64"}]],
 *           "routes": [{"dst": "0.0.0.0/0"}, {"dst": "198.20.0.0/24", "gw": "198.18.0.254"}]},
 *  "dns": {"nameservers": ["198.18.0.53"], "search": ["cluster.local"]}}
 * }</pre>
 *
 * <p>A ptp network ({@code "mode": "ptp"}) may ask for {@code "linkLocalGateway": true}: pods then
 * use 169.254.1.1 (fe80::1) as their gateway and the host ends hold no address
 * ({@link NetworkSpec#withLinkLocalGateway}).
 *
 * <p>Every field that is wrong fails with a {@link CniError} naming it by path ({@code
 * ipam.ranges[0][0].subnet: '198.18.0.0/33' is not a CIDR ...}): code 1 for a CNI version podnet does
 * not speak, 2 for a field it does not support, 6 for text that is not JSON, 7 for the rest. Fields
 * podnet does not know are ignored, as plugins do.
 */
public final class NetworkConfig {
    /** The CNI versions podnet speaks, oldest first. */
    public static final List<String> SUPPORTED_VERSIONS = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

    /** The newest of {@link #SUPPORTED_VERSIONS}: VERSION's and errors' default. */
    public static final String LATEST = "1.1.0";

    /** The plugin type a configuration must name. */
    public static final String TYPE = "podnet";

    /** The bridge of a bridge network that names none. */
    public static final String DEFAULT_BRIDGE = "podnet0";

    private static final String GC_KEY = "cni.dev/valid-attachments";
    private static final String GC_KEY_OLD = "cni.dev/attachments";

    private final Map<?, ?> root;
    private final String cniVersion;
    private final String name;
    private final NetworkSpec spec;
    private final List<InetAddress> runtimeIps;
    private final MacAddress runtimeMac;
    private final List<PortMapping> runtimePorts;

    private NetworkConfig(
            Map<?, ?> root,
            String cniVersion,
            String name,
            NetworkSpec spec,
            List<InetAddress> runtimeIps,
            MacAddress runtimeMac,
            List<PortMapping> runtimePorts) {
        this.root = root;
        this.cniVersion = cniVersion;
        this.name = name;
        this.spec = spec;
        this.runtimeIps = runtimeIps;
        this.runtimeMac = runtimeMac;
        this.runtimePorts = runtimePorts;
    }

    /** The whole configuration, checked: what ADD, CHECK and STATUS need. */
    public static NetworkConfig parse(byte[] config) {
        Map<?, ?> root = read(config);
        String version = chooseVersion(root);
        String name = requiredString(root, "name", "name");
        String type = requiredString(root, "type", "type");
        if (!type.equals(TYPE)) {
            throw invalid("type", "'" + type + "' is not '" + TYPE + "' (this configuration is for another plugin)");
        }
        // ipMasq and hairpinMode as the CNI bridge plugin reads them (both off unless asked for)
        NetworkSpec spec = spec(name, root)
                .withIpMasq(bool(root, "ipMasq", "ipMasq", false))
                .withHairpin(bool(root, "hairpinMode", "hairpinMode", false));
        Map<?, ?> runtime = optObject(root, "runtimeConfig", "runtimeConfig");
        List<InetAddress> ips = runtime == null
                ? List.of()
                : staticAddresses(
                        strings(runtime, "ips", "runtimeConfig.ips"), "runtimeConfig.ips", CniError.INVALID_CONFIG);
        MacAddress mac = runtime == null ? null : mac(optString(runtime, "mac", "runtimeConfig.mac"));
        List<PortMapping> ports = runtime == null ? List.of() : portMappings(runtime);
        return new NetworkConfig(root, version, name, spec, ips, mac, ports);
    }

    /**
     * Only the version and the name (null when absent): what DEL and GC need. DEL must not fail on a
     * configuration that ADD would refuse, as a runtime calls it after a failed ADD too.
     */
    public static NetworkConfig parseHeader(byte[] config) {
        Map<?, ?> root = read(config);
        String version = chooseVersion(root);
        Object name = root.get("name");
        return new NetworkConfig(
                root, version, name instanceof String s && !s.isEmpty() ? s : null, null, List.of(), null, List.of());
    }

    /** The version the configuration asks for (see {@link #cniVersion()}); errors as {@link #parse}. */
    public static String version(byte[] config) {
        return chooseVersion(read(config));
    }

    /** The version to write an error in: the configuration's when podnet speaks it, else {@link #LATEST}. */
    public static String replyVersion(byte[] config) {
        try {
            return version(config);
        } catch (CniError e) {
            return LATEST;
        }
    }

    /** True when {@code version} is {@code min} or later (both of {@link #SUPPORTED_VERSIONS}). */
    public static boolean atLeast(String version, String min) {
        return SUPPORTED_VERSIONS.indexOf(version) >= SUPPORTED_VERSIONS.indexOf(min);
    }

    /** The CNI version in use: {@code cniVersion}, or the newest podnet speaks of {@code cniVersions}. */
    public String cniVersion() {
        return cniVersion;
    }

    /** The network's name; null only from {@link #parseHeader} when the configuration gives none. */
    public String name() {
        return name;
    }

    /** The network the configuration describes; null from {@link #parseHeader}. */
    public NetworkSpec spec() {
        return spec;
    }

    /** The ports to publish from {@code runtimeConfig.portMappings} (the "portMappings" capability). */
    public List<PortMapping> runtimePorts() {
        return runtimePorts;
    }

    /**
     * {@code runtimeConfig.portMappings}: {@code [{"hostPort": 8080, "containerPort": 80, "protocol":
     * "tcp", "hostIP": "198.18.0.1"}]} as the portmap plugin reads it (protocol tcp when absent, an
     * empty or absent hostIP for every address); the error names the entry and field.
     */
    private static List<PortMapping> portMappings(Map<?, ?> runtime) {
        List<?> list = optList(runtime, "portMappings", "runtimeConfig.portMappings");
        if (list == null) {
            return List.of();
        }
        List<PortMapping> out = new java.util.ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "runtimeConfig.portMappings[" + i + "]";
            Map<?, ?> m = object(list.get(i), path);
            String protocol = optString(m, "protocol", path + ".protocol");
            String hostIp = optString(m, "hostIP", path + ".hostIP");
            try {
                out.add(new PortMapping(
                        protocol == null || protocol.isEmpty() ? "tcp" : protocol,
                        hostIp == null || hostIp.isEmpty()
                                ? null
                                : dev.podnet.dataplane.ipam.Cidr.parseAddress(hostIp, path + ".hostIP"),
                        integer(m, "hostPort", path + ".hostPort", 0),
                        integer(m, "containerPort", path + ".containerPort", 0)));
            } catch (RuntimeException e) {
                throw invalid(path, e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /** Static addresses from {@code runtimeConfig.ips} (the "ips" capability), at most one per family. */
    public List<InetAddress> runtimeIps() {
        return runtimeIps;
    }

    /** The MAC from {@code runtimeConfig.mac} (the "mac" capability), or null. */
    public MacAddress runtimeMac() {
        return runtimeMac;
    }

    /**
     * The addresses of {@code prevResult.ips}, each as {@code Cidr} writes it, for CHECK.
     *
     * @throws CniError code 7 when there is no {@code prevResult} or it is malformed
     */
    public List<String> prevResultIps() {
        Object prev = root.get("prevResult");
        if (prev == null) {
            throw new CniError(CniError.INVALID_CONFIG, "prevResult is required for CHECK");
        }
        List<?> ips = optList(object(prev, "prevResult"), "ips", "prevResult.ips");
        List<String> out = new ArrayList<>();
        for (int i = 0; ips != null && i < ips.size(); i++) {
            String p = "prevResult.ips[" + i + "]";
            String a = requiredString(object(ips.get(i), p), "address", p + ".address");
            out.add(cidr(a, p + ".address").toString());
        }
        return out;
    }

    /**
     * GC's still valid attachments ({@code cni.dev/valid-attachments}, or libcni's older
     * {@code cni.dev/attachments}) as {@code containerId/ifName}; null when the configuration lists none.
     */
    public Set<String> validAttachments() {
        String key = root.get(GC_KEY) != null ? GC_KEY : GC_KEY_OLD;
        List<?> all = optList(root, key, key);
        if (all == null) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < all.size(); i++) {
            String p = key + "[" + i + "]";
            Map<?, ?> a = object(all.get(i), p);
            out.add(requiredString(a, "containerID", p + ".containerID") + "/"
                    + requiredString(a, "ifname", p + ".ifname"));
        }
        return out;
    }

    /** The configuration as a JSON object; code 6 when it is not one. */
    static Map<?, ?> read(byte[] config) {
        if (config.length == 0) {
            throw new CniError(CniError.DECODE_FAILURE, "the network configuration is empty (JSON expected)");
        }
        Object v;
        try {
            v = Json.read(new String(config, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new CniError(CniError.DECODE_FAILURE, "network configuration: " + e.getMessage());
        }
        if (v instanceof Map<?, ?> m) {
            return m;
        }
        throw new CniError(
                CniError.DECODE_FAILURE, "network configuration: a JSON object expected, got " + describe(v));
    }

    private static String chooseVersion(Map<?, ?> root) {
        List<?> offered = optList(root, "cniVersions", "cniVersions");
        if (offered != null) {
            String best = null;
            for (int i = 0; i < offered.size(); i++) {
                String v = string(offered.get(i), "cniVersions[" + i + "]");
                int rank = SUPPORTED_VERSIONS.indexOf(v);
                if (rank >= 0 && (best == null || rank > SUPPORTED_VERSIONS.indexOf(best))) {
                    best = v;
                }
            }
            if (best == null) {
                throw new CniError(
                        CniError.INCOMPATIBLE_VERSION,
                        "cniVersions: none of " + offered + " is supported (podnet supports "
                                + String.join(", ", SUPPORTED_VERSIONS) + ")");
            }
            return best;
        }
        String v = requiredString(root, "cniVersion", "cniVersion");
        if (!SUPPORTED_VERSIONS.contains(v)) {
            throw new CniError(
                    CniError.INCOMPATIBLE_VERSION,
                    "cniVersion '" + v + "' is not supported (podnet supports " + String.join(", ", SUPPORTED_VERSIONS)
                            + ")");
        }
        return v;
    }

    /** The network: mode and bridge, MTU, the IPAM's range sets and routes, DNS. */
    private static NetworkSpec spec(String name, Map<?, ?> root) {
        String mode = optString(root, "mode", "mode");
        String bridge = optString(root, "bridge", "bridge");
        IpamConfig ipam = IpamConfig.of(root);
        String subnet4 = ipam.subnet4();
        String m = mode == null ? "bridge" : mode;
        boolean linkLocalGateway = bool(root, "linkLocalGateway", "linkLocalGateway", false);
        NetworkSpec spec = switch (m) {
            case "bridge" -> {
                if (linkLocalGateway) {
                    throw invalid(
                            "linkLocalGateway",
                            "true: a link-local gateway is for mode ptp (a bridge network's"
                                    + " gateway is its bridge's address)");
                }
                yield NetworkSpec.bridge(name, bridge == null ? DEFAULT_BRIDGE : bridge, subnet4);
            }
            case "ptp" -> {
                if (bridge != null) {
                    throw invalid("bridge", "'" + bridge + "': a ptp network has no bridge");
                }
                yield NetworkSpec.ptp(name, subnet4).withLinkLocalGateway(linkLocalGateway);
            }
            default -> throw invalid("mode", "'" + m + "' is not bridge or ptp");
        };
        return ipam.apply(spec.withMtu(integer(root, "mtu", "mtu", 0)));
    }

    /**
     * Static addresses ({@code 198.18.0.7/16} or {@code 198.18.0.7}; the prefix is the network's, so
     * it is not used), at most one per family.
     *
     * @param what names the list in errors
     * @param code the error code (7 for the configuration, 4 for CNI_ARGS)
     */
    static List<InetAddress> staticAddresses(List<String> texts, String what, int code) {
        List<InetAddress> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i).strip();
            String p = what + "[" + i + "]";
            InetAddress a;
            try {
                a = t.contains("/") ? Cidr.parse(t).address() : Cidr.parseAddress(t, p);
            } catch (IllegalArgumentException e) {
                // parseAddress's message starts with the path already; Cidr.parse's does not
                throw new CniError(code, t.contains("/") ? p + ": " + e.getMessage() : e.getMessage());
            }
            for (InetAddress b : out) {
                if (b.getAddress().length == a.getAddress().length) {
                    throw new CniError(
                            code,
                            what + ": two IPv" + (a.getAddress().length == 4 ? 4 : 6) + " addresses, " + Cidr.text(b)
                                    + " and " + Cidr.text(a) + "; a pod gets one per family");
                }
            }
            out.add(a);
        }
        return List.copyOf(out);
    }

    private static MacAddress mac(String text) {
        if (text == null) {
            return null;
        }
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid("runtimeConfig.mac", e.getMessage());
        }
    }
}
