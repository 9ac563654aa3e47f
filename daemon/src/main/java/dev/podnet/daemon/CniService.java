package dev.podnet.daemon;

import dev.podnet.api.Dataplane;
import dev.podnet.api.Endpoint;
import dev.podnet.api.EndpointQuery;
import dev.podnet.api.EndpointSpec;
import dev.podnet.api.Json;
import dev.podnet.api.Network;
import dev.podnet.api.NetworkSpec;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.ipam.AddressUnavailableException;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.PodnetException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The CNI 1.1 operations over a {@link Dataplane}, one {@link CniRequest} at a time: ADD (create the
 * network if needed, then plug the sandbox in), DEL (idempotent), CHECK (record, kernel and
 * {@code prevResult} agree), STATUS, GC (remove this network's endpoints the runtime no longer lists)
 * and VERSION. Each answers with the body to print ("" for none) or fails with a {@link CniError}:
 * bad input is code 4 (a CNI_* variable) or 7 (the configuration), an operation that failed and was
 * undone is 100 with the dataplane's message (which names the step, the errno and the kernel's text).
 */
public final class CniService {
    private static final Set<String> COMMANDS = Set.of("ADD", "DEL", "CHECK", "STATUS", "GC", "VERSION");
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    /** GC removes this many stale endpoints at once (the dataplane batches concurrent removes). */
    private static final int GC_CONCURRENCY = 16;

    private final Dataplane dp;
    private final BooleanSupplier available;
    /** Network creations in flight, by name: concurrent first ADDs of a network share one create. */
    private final Map<String, Mono<Network>> creating = new ConcurrentHashMap<>();
    /** Per network, the settings last found equal to the network's: see {@link #ensure}. */
    private final Map<String, NetworkSpec> accepted = new ConcurrentHashMap<>();

    /**
     * @param available whether the daemon serves (opened, spool replayed, not stopping): ADD, DEL,
     *     CHECK and GC are refused with code 11 otherwise, STATUS with 50
     */
    public CniService(Dataplane dp, BooleanSupplier available) {
        this.dp = dp;
        this.available = available;
    }

    /** Runs {@code request}; the body to answer with ("" for none). Fails with {@link CniError} only. */
    public Mono<String> handle(CniRequest request) {
        return Mono.defer(() -> dispatch(request, true))
                .onErrorMap(e -> !(e instanceof CniError), CniService::toCniError);
    }

    /** A DEL the shim spooled while the daemon was down: run before the daemon is available. */
    Mono<String> replayDel(CniRequest request) {
        return Mono.defer(() -> {
                    if (!"DEL".equals(request.command())) {
                        throw new CniError(
                                CniError.INVALID_ENV,
                                "CNI_COMMAND: only DEL is spooled, got '" + request.command() + "'");
                    }
                    return dispatch(request, false);
                })
                .onErrorMap(e -> !(e instanceof CniError), CniService::toCniError);
    }

    private Mono<String> dispatch(CniRequest r, boolean gated) {
        String cmd = r.command();
        if (cmd == null) {
            throw new CniError(CniError.INVALID_ENV, "CNI_COMMAND is required");
        }
        if (!COMMANDS.contains(cmd)) {
            throw new CniError(
                    CniError.INVALID_ENV,
                    "CNI_COMMAND: unknown command '" + cmd + "' (ADD, DEL, CHECK, STATUS, GC, VERSION)");
        }
        if (cmd.equals("VERSION")) {
            return Mono.just(version(r));
        }
        if (cmd.equals("STATUS")) {
            return status(r);
        }
        if (gated && !available.getAsBoolean()) {
            throw new CniError(CniError.TRY_AGAIN_LATER, "the podnet daemon is starting or stopping: try again later");
        }
        return switch (cmd) {
            case "ADD" -> add(r);
            case "DEL" -> del(r);
            case "CHECK" -> check(r);
            case "GC" -> gc(r);
            default -> throw new IllegalStateException("unhandled CNI_COMMAND " + cmd);
        };
    }

    /** ADD: the network (created, or the existing one with the same settings), then the endpoint. */
    private Mono<String> add(CniRequest r) {
        String containerId = containerId(r);
        String ifName = ifName(r);
        NetNs netns = netns(r);
        NetworkConfig c = NetworkConfig.parse(r.config());
        EndpointSpec spec = endpointSpec(c, CniArgs.parse(r.args()), containerId, ifName, netns);
        return ensure(c.spec())
                .flatMap(n -> dp.endpoints().add(spec).map(ep -> CniResults.json(ep, n, c.cniVersion())));
    }

    private static EndpointSpec endpointSpec(
            NetworkConfig c, CniArgs args, String containerId, String ifName, NetNs netns) {
        EndpointSpec spec = EndpointSpec.of(c.name(), containerId, netns).withIfName(ifName);
        if (args.podName() != null || args.podNamespace() != null) {
            spec = spec.withPod(args.podName(), args.podNamespace());
        }
        // capabilities (runtimeConfig) take precedence over CNI_ARGS, as in CNI's static IPAM
        MacAddress mac = c.runtimeMac() != null ? c.runtimeMac() : args.mac();
        if (mac != null) {
            spec = spec.withMac(mac);
        }
        for (InetAddress a : c.runtimeIps().isEmpty() ? args.ips() : c.runtimeIps()) {
            spec = spec.withAddress(a);
        }
        for (dev.podnet.dataplane.PortMapping p : c.runtimePorts()) {
            spec = spec.withPortMapping(p);
        }
        return spec;
    }

    /**
     * The network as {@code spec} describes it: created, or the existing one when its settings are the
     * same (other settings fail with the differing fields named). The first ADDs of a new network
     * arrive together; they wait for one create rather than race to make the same bridge.
     */
    private Mono<Network> ensure(NetworkSpec spec) {
        // the settings this daemon already checked against the network: every later call with the same
        // configuration skips validating them again (the largest share of a call's own work)
        NetworkSpec known = accepted.get(spec.name());
        if (known != null && known.equals(spec)) {
            return dp.networks().get(spec.name()).switchIfEmpty(Mono.defer(() -> {
                accepted.remove(spec.name(), known);
                return create(spec);
            }));
        }
        return create(spec).doOnNext(n -> accepted.put(spec.name(), spec));
    }

    private Mono<Network> create(NetworkSpec spec) {
        return Mono.defer(() -> {
            Mono<Network> first = creating.computeIfAbsent(
                    spec.name(),
                    name -> dp.networks()
                            .create(spec)
                            .doFinally(signal -> creating.remove(name))
                            .cache());
            // then each caller's own create: the cheap path for an existing network, and its own verdict
            return first.onErrorResume(e -> Mono.empty()).then(dp.networks().create(spec));
        });
    }

    /** DEL: removes the endpoint; a missing one (or a missing netns) is success, as CNI requires. */
    private Mono<String> del(CniRequest r) {
        String containerId = containerId(r);
        String ifName = ifName(r);
        // only the version and name: a runtime sends DEL after a failed ADD too, whatever the configuration
        String network = NetworkConfig.parseHeader(r.config()).name();
        return dp.endpoints()
                .get(containerId, ifName)
                // the same attachment on another network is not this configuration's to remove
                .map(ep -> network == null || ep.network().equals(network))
                .defaultIfEmpty(true)
                .flatMap(mine ->
                        mine ? dp.endpoints().remove(containerId, ifName, true).thenReturn("") : Mono.just(""));
    }

    /** CHECK: the endpoint exists, its record agrees with the kernel, and {@code prevResult}'s IPs are its own. */
    private Mono<String> check(CniRequest r) {
        String containerId = containerId(r);
        String ifName = ifName(r);
        NetNs netns = netns(r);
        NetworkConfig c = NetworkConfig.parse(r.config());
        if (!NetworkConfig.atLeast(c.cniVersion(), "0.4.0")) {
            throw new CniError(
                    CniError.INCOMPATIBLE_VERSION,
                    "CHECK needs cniVersion 0.4.0 or later, the configuration has " + c.cniVersion());
        }
        List<String> expected = c.prevResultIps();
        return dp.networks()
                .get(c.name())
                .switchIfEmpty(Mono.error(() -> failed("check failed: network " + c.name() + " does not exist")))
                .then(dp.endpoints().get(containerId, ifName))
                .switchIfEmpty(Mono.error(() -> new CniError(
                        CniError.UNKNOWN_CONTAINER,
                        "endpoint " + r.attachment() + " does not exist on network " + c.name())))
                .flatMap(ep -> dp.endpoints().check(containerId, ifName).map(kernel -> {
                    List<String> problems = new ArrayList<>(recordDifferences(ep, c.name(), netns, expected));
                    problems.addAll(kernel.differences());
                    if (!problems.isEmpty()) {
                        throw failed("check failed: " + String.join("; ", problems));
                    }
                    return "";
                }));
    }

    /** What CHECK finds wrong with the record itself: network, netns, addresses against {@code prevResult}. */
    private static List<String> recordDifferences(Endpoint ep, String network, NetNs netns, List<String> expected) {
        List<String> problems = new ArrayList<>();
        if (!ep.network().equals(network)) {
            problems.add("endpoint " + ep.id() + " is on network " + ep.network() + ", not " + network);
        }
        if (!Path.of(ep.netns()).normalize().equals(netns.path())) {
            problems.add("endpoint " + ep.id() + " is in netns " + ep.netns() + ", not " + netns.path());
        }
        Set<String> actual = new HashSet<>();
        for (String a : new String[] {ep.address(), ep.address6()}) {
            if (a != null) {
                actual.add(Cidr.parse(a).toString());
            }
        }
        for (String a : expected) {
            if (!actual.contains(a)) {
                problems.add("prevResult lists " + a + ", which endpoint " + ep.id() + " does not hold (it holds "
                        + (actual.isEmpty() ? "none" : String.join(", ", actual)) + ")");
            }
        }
        for (String a : actual) {
            if (!expected.contains(a)) {
                problems.add("endpoint " + ep.id() + " holds " + a + ", which prevResult does not list");
            }
        }
        return problems;
    }

    /** STATUS: 0 when the daemon serves and the network exists or can be created; 50 otherwise. */
    private Mono<String> status(CniRequest r) {
        NetworkConfig c = NetworkConfig.parse(r.config());
        if (!available.getAsBoolean()) {
            throw new CniError(CniError.NOT_AVAILABLE, "the podnet daemon is starting or stopping");
        }
        return ensure(c.spec()).thenReturn("").onErrorMap(e -> {
            CniError x = toCniError(e);
            return new CniError(
                    CniError.NOT_AVAILABLE, "cannot serve ADD on network " + c.name() + ": " + x.msg(), x.details());
        });
    }

    /**
     * GC: removes every endpoint of this network whose (container id, interface) the runtime no longer
     * lists; without a list nothing is known to be stale, so nothing is removed. Failures do not stop
     * the others; they are reported together.
     */
    private Mono<String> gc(CniRequest r) {
        NetworkConfig c = NetworkConfig.parseHeader(r.config());
        if (c.name() == null) {
            throw JsonFields.invalid("name", "is required");
        }
        Set<String> valid = c.validAttachments();
        if (valid == null) {
            return Mono.just("");
        }
        return dp.endpoints()
                .find(EndpointQuery.byNetwork(c.name()))
                .filter(ep -> !valid.contains(ep.containerId() + "/" + ep.ifName()))
                .collectList() // a snapshot first: the removals change what is listed
                .flatMapMany(Flux::fromIterable)
                .flatMap(
                        ep -> dp.endpoints()
                                .remove(ep.containerId(), ep.ifName(), true)
                                .then(Mono.<String>empty())
                                .onErrorResume(e -> Mono.just(ep.id() + ": " + e.getMessage())),
                        GC_CONCURRENCY)
                .collectList()
                .map(errors -> {
                    if (!errors.isEmpty()) {
                        throw failed(
                                "gc: " + errors.size() + " stale endpoint(s) of network " + c.name()
                                        + " could not be removed",
                                String.join("; ", errors));
                    }
                    return "";
                });
    }

    /** VERSION: the versions podnet speaks, in the version the runtime gave (as the specification asks). */
    private static String version(CniRequest r) {
        String asked = NetworkConfig.LATEST;
        try {
            if (NetworkConfig.read(r.config()).get("cniVersion") instanceof String s && !s.isEmpty()) {
                asked = s;
            }
        } catch (CniError ignored) {
            // VERSION needs no configuration (CNI's own plugins ignore stdin for it)
        }
        Map<String, Object> out = Json.object();
        out.put("cniVersion", asked);
        out.put("supportedVersions", NetworkConfig.SUPPORTED_VERSIONS);
        return Json.write(out);
    }

    private static String containerId(CniRequest r) {
        String id = required(r, "CNI_CONTAINERID", r.containerId());
        if (!CONTAINER_ID.matcher(id).matches()) {
            throw badEnv(
                    "CNI_CONTAINERID", id, "must be letters, digits, '_', '.', '-', starting with a letter or digit");
        }
        return id;
    }

    /** CNI_IFNAME as the kernel takes a name: 1-15 bytes, not '.' or '..', no '/', ':' or whitespace. */
    private static String ifName(CniRequest r) {
        String name = required(r, "CNI_IFNAME", r.ifName());
        boolean bad = name.getBytes(StandardCharsets.UTF_8).length > 15
                || name.equals(".")
                || name.equals("..")
                || name.chars().anyMatch(ch -> ch == '/' || ch == ':' || Character.isWhitespace(ch));
        if (bad) {
            throw badEnv(
                    "CNI_IFNAME",
                    name,
                    "is not an interface name (1-15 bytes, not '.' or '..', no '/', ':' or whitespace)");
        }
        return name;
    }

    private static NetNs netns(CniRequest r) {
        String text = required(r, "CNI_NETNS", r.netns());
        Path path;
        try {
            path = Path.of(text);
        } catch (InvalidPathException e) {
            throw badEnv("CNI_NETNS", text, "is not a path: " + e.getReason());
        }
        if (!path.isAbsolute()) {
            throw badEnv("CNI_NETNS", text, "is not an absolute path");
        }
        if (!Files.exists(path)) {
            throw new CniError(CniError.INVALID_ENV, "CNI_NETNS: " + text + " does not exist");
        }
        return NetNs.ofPath(path);
    }

    /** {@code value} of the environment variable {@code variable}, which {@code r}'s command requires. */
    private static String required(CniRequest r, String variable, String value) {
        if (value == null) {
            throw new CniError(CniError.INVALID_ENV, variable + " is required for " + r.command());
        }
        return value;
    }

    /** Code 4 (invalid environment), naming the variable, its value and what is wrong with it. */
    private static CniError badEnv(String variable, String value, String problem) {
        return new CniError(CniError.INVALID_ENV, variable + ": '" + value + "' " + problem);
    }

    /**
     * The CNI error for a failure: bad input (the dataplane's {@link InvalidSpecException}, a static
     * address that cannot be had) is code 7; any other podnet failure is 100 with its message and the
     * cause chain as details; anything else is 100 "internal error".
     */
    static CniError toCniError(Throwable e) {
        return switch (e) {
            case CniError c -> c;
            case InvalidSpecException x -> new CniError(CniError.INVALID_CONFIG, x.getMessage());
            case AddressUnavailableException x -> new CniError(CniError.INVALID_CONFIG, x.getMessage());
            case PodnetException x -> failed(x.getMessage(), causes(x));
            default -> failed("internal error: " + e, causes(e));
        };
    }

    /** The causes of {@code e}, outermost first, each {@code Type: message}. */
    static String causes(Throwable e) {
        List<String> chain = new ArrayList<>();
        Set<Throwable> seen = new HashSet<>();
        for (Throwable c = e.getCause(); c != null && seen.add(c) && chain.size() < 10; c = c.getCause()) {
            chain.add(c.getClass().getSimpleName() + ": " + c.getMessage());
        }
        return chain.isEmpty() ? null : "caused by " + String.join("; caused by ", chain);
    }

    private static CniError failed(String msg) {
        return new CniError(CniError.OPERATION_FAILED, msg);
    }

    private static CniError failed(String msg, String details) {
        return new CniError(CniError.OPERATION_FAILED, msg, details);
    }
}
