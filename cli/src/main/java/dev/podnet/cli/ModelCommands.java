package dev.podnet.cli;

import dev.podnet.api.CniResult;
import dev.podnet.api.Dataplane;
import dev.podnet.api.DataplaneOptions;
import dev.podnet.api.Endpoint;
import dev.podnet.api.EndpointQuery;
import dev.podnet.api.EndpointSpec;
import dev.podnet.api.Json;
import dev.podnet.api.Network;
import dev.podnet.api.NetworkSpec;
import dev.podnet.dataplane.EndpointCheck;
import dev.podnet.dataplane.EndpointOperationException;
import dev.podnet.dataplane.EndpointUpdate;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.NetworkInUseException;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.stress.Args;
import dev.podnet.stress.UsageException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code podnet network ...}, {@code podnet endpoint ...}, {@code podnet ipam ...}: the dataplane's
 * model from the command line, on the state under {@code --state-dir}, with the host side in
 * {@code --host-netns} (default: this process's namespace).
 */
final class ModelCommands {
    private static final Duration T = Duration.ofMinutes(2);

    private final Path stateDir;
    private final NetNs hostNetns;
    private final Duration lockWait;
    private final PrintStream out;
    private final PrintStream err;

    ModelCommands(Path stateDir, NetNs hostNetns, Duration lockWait, PrintStream out, PrintStream err) {
        this.stateDir = stateDir;
        this.lockWait = lockWait;
        this.hostNetns = hostNetns;
        this.out = out;
        this.err = err;
    }

    int run(String command, String[] argv) {
        if (argv.length == 0) {
            throw new UsageException(command + ": say what to do (see podnet help)");
        }
        String verb = argv[0];
        String[] rest = java.util.Arrays.copyOfRange(argv, 1, argv.length);
        String cmd = command + " " + verb;
        Args a = switch (command + " " + verb) {
            case "network create" ->
                Args.parse(
                        cmd,
                        rest,
                        0,
                        Set.of(
                                "--mode",
                                "--bridge",
                                "--subnet",
                                "--gateway",
                                "--mtu",
                                "--range-start",
                                "--range-end",
                                "--range",
                                "--range6",
                                "--reserved",
                                "--uplink",
                                "--subnet6",
                                "--gateway6",
                                "--route",
                                "--dns-nameserver",
                                "--dns-domain",
                                "--dns-search",
                                "--dns-option"),
                        Set.of("--hairpin", "--mac-from-ip", "--ipv6-from-mac", "--no-default-route", "--json"));
            case "network delete" -> Args.parse(cmd, rest, 0, Set.of(), Set.of("--force"));
            case "network list", "network show", "ipam show" -> Args.parse(cmd, rest, 0, Set.of(), Set.of("--json"));
            case "reconcile run" -> Args.parse(cmd, rest, 0, Set.of(), Set.of("--dry-run", "--json"));
            case "endpoint add" ->
                Args.parse(
                        cmd,
                        rest,
                        0,
                        Set.of(
                                "--network",
                                "--container-id",
                                "--netns",
                                "--if",
                                "--mtu",
                                "--mac",
                                "--pod-name",
                                "--pod-namespace",
                                "--ip"),
                        Set.of("--json", "--vm"));
            case "endpoint del" -> Args.parse(cmd, rest, 0, Set.of("--container-id", "--if"), Set.of("--force"));
            case "endpoint list" ->
                Args.parse(
                        cmd,
                        rest,
                        0,
                        Set.of(
                                "--network",
                                "--container-id",
                                "--pod-name",
                                "--pod-prefix",
                                "--pod-namespace",
                                "--netns"),
                        Set.of("--json"));
            case "endpoint show", "endpoint check", "endpoint detach" ->
                Args.parse(cmd, rest, 0, Set.of("--container-id", "--if"), Set.of("--json"));
            case "endpoint update" ->
                Args.parse(cmd, rest, 0, Set.of("--container-id", "--if", "--mtu", "--route"), Set.of("--json"));
            case "endpoint attach" ->
                Args.parse(cmd, rest, 0, Set.of("--container-id", "--if", "--sandbox-key"), Set.of("--json"));
            default -> throw new UsageException("unknown command '" + cmd + "' (see podnet help)");
        };
        Dataplane dp;
        try {
            // every command but reconcile itself reconciles on open (so that a dry run sees the leftovers);
            // a dry run opens read-only: it creates, changes and writes nothing
            dp = Dataplane.open(DataplaneOptions.of(stateDir)
                            .hostNetns(hostNetns)
                            .lockWait(lockWait)
                            .reconcileOnOpen(!command.equals("reconcile"))
                            .readOnly(a.has("--dry-run")))
                    .block(T.plus(lockWait));
        } catch (RuntimeException e) {
            err.println("podnet: cannot open the state in " + stateDir + ": " + e.getMessage());
            return 1;
        }
        try {
            return execute(cmd, a, dp);
        } catch (InvalidSpecException | NetworkInUseException e) {
            err.println("podnet: " + e.getMessage());
            return 2;
        } catch (EndpointOperationException e) {
            err.println("podnet: " + e.getMessage());
            return 1;
        } finally {
            dp.close();
        }
    }

    private int execute(String cmd, Args a, Dataplane dp) {
        boolean json = a.has("--json");
        switch (cmd) {
            case "network create" -> {
                String name = single(cmd, a);
                String mode = a.get("--mode", "bridge");
                NetworkSpec spec = switch (mode) {
                    case "bridge" -> NetworkSpec.bridge(name, required(cmd, a, "--bridge"), subnet(cmd, a));
                    case "ptp" -> NetworkSpec.ptp(name, subnet(cmd, a));
                    default -> throw new UsageException(cmd + ": --mode must be bridge or ptp, got '" + mode + "'");
                };
                spec = spec.withGateway(a.get("--gateway", null))
                        .withMtu(a.intValue(cmd, "--mtu", 0, 0, 65535))
                        .withRange(a.get("--range-start", null), a.get("--range-end", null))
                        .withReserved(a.all("--reserved").toArray(String[]::new))
                        .withHairpin(a.has("--hairpin"))
                        .withMacFromIp(a.has("--mac-from-ip"))
                        .withUplink(a.get("--uplink", null))
                        .withIpv6(a.get("--subnet6", null))
                        .withIpv6Gateway(a.get("--gateway6", null));
                if (a.has("--ipv6-from-mac")) {
                    spec = spec.withIpv6FromMac(required(cmd, a, "--subnet6"));
                }
                for (String r : a.all("--range")) {
                    spec = r.contains("/") ? subnetRange(spec, r) : spec.withRange(rangeStart(cmd, r), rangeEnd(r));
                }
                for (String r : a.all("--range6")) {
                    spec = r.contains("/") ? subnetRange(spec, r) : spec.withRange6(rangeStart(cmd, r), rangeEnd(r));
                }
                spec = spec.withDefaultRoute(!a.has("--no-default-route"));
                for (String r : a.all("--route")) {
                    int eq = r.indexOf('=');
                    spec = spec.withRoute(eq < 0 ? r : r.substring(0, eq), eq < 0 ? null : r.substring(eq + 1));
                }
                spec = spec.withDns(
                        a.all("--dns-nameserver"),
                        a.get("--dns-domain", null),
                        a.all("--dns-search"),
                        a.all("--dns-option"));
                dp.networks().create(spec).block(T);
                Network r = dp.networks().get(name).block(T);
                out.println(json ? Json.write(network(r, 0)) : "network " + name + " created: " + describe(r));
            }
            case "network delete" -> {
                String name = single(cmd, a);
                if (dp.networks().get(name).blockOptional(T).isEmpty()) {
                    throw new InvalidSpecException("network '" + name + "' does not exist: nothing deleted");
                }
                dp.networks().delete(name, a.has("--force")).block(T);
                out.println("network " + name + " deleted");
            }
            case "network list" -> {
                List<Map<String, Object>> rows = dp.networks()
                        .list()
                        .map(r -> network(r, dp.endpoints().count(r.name()).block(T)))
                        .collectList()
                        .block(T);
                if (json) {
                    out.println(Json.write(rows));
                } else {
                    rows.forEach(r -> out.println(r.get("name") + "  " + r.get("mode") + "  " + r.get("subnet")
                            + "  gateway " + r.get("gateway") + "  endpoints " + r.get("endpoints")));
                }
            }
            case "network show" -> {
                String name = single(cmd, a);
                Network r = dp.networks()
                        .get(name)
                        .blockOptional(T)
                        .orElseThrow(() -> new InvalidSpecException("network '" + name + "' does not exist"));
                Map<String, Object> o = network(r, dp.endpoints().count(name).block(T));
                out.println(
                        json ? Json.write(o) : name + ": " + describe(r) + ", " + o.get("endpoints") + " endpoints");
            }
            case "endpoint add" -> {
                String netns = required(cmd, a, "--netns");
                EndpointSpec spec = EndpointSpec.of(
                                required(cmd, a, "--network"),
                                required(cmd, a, "--container-id"),
                                netns.contains("/") ? NetNs.ofPath(Path.of(netns)) : NetNs.named(netns))
                        .withIfName(a.get("--if", "eth0"))
                        .withMtu(a.intValue(cmd, "--mtu", 0, 0, 65535))
                        .withMac(a.has("--mac") ? mac(cmd, a.get("--mac", "")) : null)
                        .withPod(a.get("--pod-name", null), a.get("--pod-namespace", null))
                        .withVm(a.has("--vm"));
                for (String ip : a.all("--ip")) {
                    spec = spec.withAddress(staticAddress(cmd, ip));
                }
                dp.endpoints().add(spec).block(T);
                Endpoint r =
                        dp.endpoints().get(spec.containerId(), spec.ifName()).block(T);
                out.println(
                        json
                                ? CniResult.json(
                                        r, dp.networks().get(r.network()).block(T))
                                : "endpoint " + r.id() + ": " + r.address() + " via " + r.gateway()
                                        + " on " + r.network() + ", host " + r.hostIfName() + ", mac " + r.mac()
                                        + (r.tap() == null ? "" : ", for the VM on tap " + r.tap()));
            }
            case "endpoint del" -> {
                String ifName = a.get("--if", "eth0");
                Endpoint r = dp.endpoints()
                        .resolve(required(cmd, a, "--container-id"), ifName)
                        .block(T);
                if (r == null) {
                    out.println("no endpoint " + a.get("--container-id", "") + "/" + ifName + ": nothing to remove");
                } else {
                    dp.endpoints()
                            .remove(r.containerId(), ifName, a.has("--force"))
                            .block(T);
                    out.println("endpoint " + r.id() + " removed");
                }
            }
            case "endpoint list" -> {
                String prefix = a.get("--pod-prefix", null);
                EndpointQuery q = EndpointQuery.ALL
                        .withContainerId(a.get("--container-id", null))
                        .withPodName(prefix != null ? prefix : a.get("--pod-name", null), prefix != null)
                        .inNamespace(a.get("--pod-namespace", null))
                        .withNetns(a.get("--netns", null))
                        .withNetwork(a.get("--network", null));
                List<Endpoint> rows = dp.endpoints().find(q).collectList().block(T);
                if (json) {
                    out.println(Json.write(
                            rows.stream().map(ModelCommands::endpoint).toList()));
                } else {
                    rows.forEach(r -> out.println(r.id() + "  " + r.state() + "  " + r.network() + "  " + r.address()
                            + "  " + r.hostIfName() + "  " + r.netns()
                            + (r.podName() == null ? "" : "  " + text(r.podNamespace()) + "/" + r.podName())));
                }
            }
            case "endpoint show" -> {
                Endpoint r = dp.endpoints()
                        .get(containerId(cmd, a, dp), a.get("--if", "eth0"))
                        .blockOptional(T)
                        .orElseThrow(() -> new InvalidSpecException(
                                "no endpoint " + a.get("--container-id", "") + "/" + a.get("--if", "eth0")));
                Network n = dp.networks().get(r.network()).block(T);
                out.println(json ? CniResult.json(r, n) : Json.write(endpoint(r, n)));
            }
            case "reconcile run" -> {
                dev.podnet.dataplane.ReconcileReport r =
                        dp.reconciler().run(a.has("--dry-run")).block(T);
                if (json) {
                    Map<String, Object> o = Json.object();
                    o.put("dry_run", r.dryRun());
                    o.put("endpoints_checked", r.endpointsChecked());
                    o.put("actions", r.actions());
                    o.put("notes", r.notes());
                    out.println(Json.write(o));
                } else {
                    out.println("reconcile" + (r.dryRun() ? " (dry run)" : "") + ": " + r.endpointsChecked()
                            + " endpoints checked, "
                            + (r.clean()
                                    ? "nothing to do"
                                    : r.actions().size() + " action"
                                            + (r.actions().size() == 1 ? "" : "s")));
                    r.actions().forEach(x -> out.println("  " + x));
                    r.notes().forEach(x -> out.println("  (" + x + ")"));
                }
            }
            case "endpoint update" -> {
                EndpointUpdate change = new EndpointUpdate(a.intValue(cmd, "--mtu", 0, 0, 65535), List.of());
                for (String route : a.all("--route")) {
                    String[] p = route.split("=", 2);
                    if (p.length != 2) {
                        throw new UsageException(cmd
                                + ": --route must be DST=GATEWAY (e.g. 198.20.0.0/24=198.18.0.1), got '" + route + "'");
                    }
                    change = change.withRoute(p[0], p[1]);
                }
                if (change.mtu() == 0 && change.addRoutes().isEmpty()) {
                    throw new UsageException(cmd + ": say what to change: --mtu N and/or --route DST=GATEWAY");
                }
                Endpoint r = dp.endpoints()
                        .update(containerId(cmd, a, dp), a.get("--if", "eth0"), change)
                        .block(T);
                out.println(
                        json
                                ? Json.write(endpoint(r))
                                : "endpoint " + r.id() + " updated: mtu " + (r.mtu() == 0 ? "default" : r.mtu())
                                        + (r.routes().isEmpty() ? "" : ", routes " + String.join("; ", r.routes())));
            }
            case "endpoint attach" -> {
                Endpoint r = dp.endpoints()
                        .attach(containerId(cmd, a, dp), a.get("--if", "eth0"), required(cmd, a, "--sandbox-key"))
                        .block(T);
                out.println(json ? Json.write(endpoint(r)) : "endpoint " + r.id() + " attached to " + r.sandboxKey());
            }
            case "endpoint detach" -> {
                Endpoint r = dp.endpoints()
                        .detach(containerId(cmd, a, dp), a.get("--if", "eth0"))
                        .block(T);
                out.println(json ? Json.write(endpoint(r)) : "endpoint " + r.id() + " detached");
            }
            case "endpoint check" -> {
                EndpointCheck c = dp.endpoints()
                        .check(containerId(cmd, a, dp), a.get("--if", "eth0"))
                        .block(T);
                if (json) {
                    Map<String, Object> o = Json.object();
                    o.put("endpoint", c.endpoint());
                    o.put("consistent", c.consistent());
                    o.put("differences", c.differences());
                    out.println(Json.write(o));
                } else if (c.consistent()) {
                    out.println("endpoint " + c.endpoint() + ": the kernel matches the record");
                } else {
                    c.differences().forEach(d -> out.println("endpoint " + c.endpoint() + ": " + d));
                }
                return c.consistent() ? 0 : 1;
            }
            case "ipam show" -> {
                // per network: address -> owner (container id / interface), from the IPAM store itself
                Map<String, Object> all = Json.object();
                for (Network n : dp.networks().list().toIterable()) {
                    Map<String, Object> byAddress = new TreeMap<>();
                    byAddress.putAll(dp.ipam().reservations(n.name()));
                    all.put(n.name(), byAddress);
                }
                if (json) {
                    out.println(Json.write(all));
                } else {
                    all.forEach((net, m) ->
                            ((Map<?, ?>) m).forEach((addr, owner) -> out.println(net + "  " + addr + "  " + owner)));
                }
            }
            default -> throw new UsageException("unknown command '" + cmd + "'");
        }
        return 0;
    }

    /** {@code CIDR[=GATEWAY]}: a further subnet of the range set, with its own gateway. */
    private static NetworkSpec subnetRange(NetworkSpec spec, String entry) {
        int eq = entry.indexOf('=');
        return spec.withSubnetRange(eq < 0 ? entry : entry.substring(0, eq), eq < 0 ? null : entry.substring(eq + 1));
    }

    /** {@code START-END}'s start (empty: null), checking the form. */
    private static String rangeStart(String cmd, String range) {
        int dash = range.indexOf('-');
        if (dash < 0 || range.indexOf('-', dash + 1) >= 0) {
            throw new UsageException(
                    cmd + ": a range must be START-END (e.g. 198.18.0.10-198.18.0.99), got '" + range + "'");
        }
        return dash == 0 ? null : range.substring(0, dash);
    }

    private static String rangeEnd(String range) {
        String end = range.substring(range.indexOf('-') + 1);
        return end.isEmpty() ? null : end;
    }

    private static Map<String, Object> network(Network r, long endpoints) {
        Map<String, Object> o = Json.object();
        o.put("name", r.name());
        o.put("mode", r.mode().name().toLowerCase(java.util.Locale.ROOT));
        if (r.mode() == NetworkMode.BRIDGE) {
            o.put("bridge", r.bridge());
        }
        o.put("subnet", text(r.subnet()));
        o.put("gateway", text(r.gateway()));
        o.put("mtu", r.mtu());
        o.put("hairpin", r.hairpin());
        o.put("mac_from_ip", r.macFromIp());
        if (r.uplink() != null) {
            o.put("uplink", r.uplink());
        }
        o.put("ranges", r.ranges());
        if (!r.reserved().isEmpty()) {
            o.put("reserved", r.reserved());
        }
        if (r.ipv6()) {
            o.put("subnet6", r.subnet6());
            o.put("gateway6", r.gateway6());
            o.put("ranges6", r.ranges6());
            o.put("ipv6_from_mac", r.ipv6FromMac());
        }
        o.put("default_route", r.defaultRoute());
        if (!r.routes().isEmpty()) {
            o.put("routes", r.routes());
        }
        if (hasDns(r)) {
            o.put("dns", dnsJson(r));
        }
        o.put("endpoints", endpoints);
        return o;
    }

    private static Map<String, Object> endpoint(Endpoint r) {
        return endpoint(r, null);
    }

    /** An endpoint as JSON; with its network, the DNS settings it hands out too. */
    private static Map<String, Object> endpoint(Endpoint r, Network network) {
        Map<String, Object> o = Json.object();
        o.put("id", r.id());
        o.put("container_id", r.containerId());
        o.put("if_name", r.ifName());
        o.put("network", r.network());
        o.put("state", r.state().name());
        o.put("netns", r.netns());
        o.put("host_if_name", r.hostIfName());
        o.put("mac", r.mac());
        o.put("address", text(r.address()));
        o.put("gateway", text(r.gateway()));
        if (r.address6() != null) {
            o.put("address6", r.address6());
            o.put("gateway6", r.gateway6());
        }
        if (r.sandboxKey() != null) {
            o.put("sandbox_key", r.sandboxKey());
        }
        if (r.tap() != null) {
            o.put("vm_tap", r.tap());
        }
        o.put("mtu", r.mtu());
        o.put("routes", r.routes());
        o.put("pod_name", text(r.podName()));
        o.put("pod_namespace", text(r.podNamespace()));
        if (r.hostMac() != null) {
            o.put("host_mac", r.hostMac());
        }
        if (network != null && hasDns(network)) {
            o.put("dns", dnsJson(network));
        }
        return o;
    }

    private static boolean hasDns(Network n) {
        return !n.nameservers().isEmpty()
                || n.domain() != null
                || !n.search().isEmpty()
                || !n.dnsOptions().isEmpty();
    }

    private static Map<String, Object> dnsJson(Network n) {
        Map<String, Object> d = Json.object();
        d.put("nameservers", n.nameservers());
        d.put("domain", text(n.domain()));
        d.put("search", n.search());
        d.put("options", n.dnsOptions());
        return d;
    }

    /** An absent value as the empty string, as the JSON output has always had it. */
    private static String text(String s) {
        return s == null ? "" : s;
    }

    private static String describe(Network r) {
        return r.mode().name().toLowerCase(java.util.Locale.ROOT)
                + (r.mode() == NetworkMode.BRIDGE ? " " + r.bridge() : "")
                + ", " + text(r.subnet()) + " gateway " + text(r.gateway())
                + (r.ranges().isEmpty() ? "" : " ranges " + String.join(" ", r.ranges()))
                + (r.ipv6()
                        ? ", " + r.subnet6() + " gateway " + r.gateway6()
                                + (r.ranges6().isEmpty() ? "" : " ranges " + String.join(" ", r.ranges6()))
                        : "")
                + (r.reserved().isEmpty() ? "" : ", reserved " + String.join(" ", r.reserved()));
    }

    private static String single(String cmd, Args a) {
        if (a.positional().size() != 1) {
            throw new UsageException(cmd + ": give exactly one network name");
        }
        return a.positional().get(0);
    }

    /** {@code --subnet} (IPv4), which an IPv6-only network ({@code --subnet6} alone) goes without. */
    private static String subnet(String cmd, Args a) {
        String v4 = a.get("--subnet", null);
        if ((v4 == null || v4.isEmpty()) && a.get("--subnet6", null) == null) {
            throw new UsageException(cmd + ": --subnet (IPv4) and/or --subnet6 (IPv6) is required");
        }
        return v4;
    }

    /** The container id that {@code --container-id} (whole, or an unambiguous prefix) and {@code --if} name. */
    private static String containerId(String cmd, Args a, Dataplane dp) {
        String given = required(cmd, a, "--container-id");
        Endpoint r = dp.endpoints().resolve(given, a.get("--if", "eth0")).block(T);
        return r == null ? given : r.containerId();
    }

    private static String required(String cmd, Args a, String option) {
        String v = a.get(option, null);
        if (v == null || v.isEmpty()) {
            throw new UsageException(cmd + ": " + option + " is required");
        }
        return v;
    }

    private static java.net.InetAddress staticAddress(String cmd, String text) {
        try {
            return dev.podnet.dataplane.ipam.Cidr.parseAddress(text, "--ip");
        } catch (IllegalArgumentException e) {
            throw new UsageException(cmd + ": " + e.getMessage());
        }
    }

    private static MacAddress mac(String cmd, String text) {
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(cmd + ": --mac: " + e.getMessage());
        }
    }
}
