package dev.podnet.cli;

import static dev.podnet.cli.ModelCommands.T;
import static dev.podnet.cli.ModelCommands.required;

import dev.podnet.api.CniResult;
import dev.podnet.api.Dataplane;
import dev.podnet.api.Endpoint;
import dev.podnet.api.EndpointQuery;
import dev.podnet.api.EndpointSpec;
import dev.podnet.api.Json;
import dev.podnet.api.Network;
import dev.podnet.dataplane.EndpointCheck;
import dev.podnet.dataplane.EndpointUpdate;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.stress.Args;
import dev.podnet.stress.UsageException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code podnet endpoint add|del|list|show|check|update|attach|detach}: the options each takes, the
 * {@link EndpointSpec}, query or update they make, and the calls on {@code dp.endpoints()} with
 * their text or {@code --json} output ({@code add} and {@code show --json} print the CNI result,
 * the rest {@link ModelJson}'s views). An endpoint is named by {@code --container-id} (whole, or
 * an unambiguous prefix) and {@code --if} (default {@code eth0}). {@link ModelCommands} parses
 * with {@link #parse} before it opens the dataplane and maps the exceptions to exit codes.
 *
 * @param dp  the dataplane the commands run on
 * @param out where their output goes
 */
record EndpointCommands(Dataplane dp, PrintStream out) {
    /** {@code cmd}'s options from {@code rest}; a verb this class does not handle is a usage error. */
    static Args parse(String cmd, String[] rest) {
        Set<String> withValue = switch (cmd) {
            case "endpoint add" ->
                Set.of(
                        "--network",
                        "--container-id",
                        "--netns",
                        "--if",
                        "--mtu",
                        "--mac",
                        "--pod-name",
                        "--pod-namespace",
                        "--ip",
                        "--publish");
            case "endpoint list" ->
                Set.of("--network", "--container-id", "--pod-name", "--pod-prefix", "--pod-namespace", "--netns");
            case "endpoint del", "endpoint show", "endpoint check", "endpoint detach" ->
                Set.of("--container-id", "--if");
            case "endpoint update" -> Set.of("--container-id", "--if", "--mtu", "--route");
            case "endpoint attach" -> Set.of("--container-id", "--if", "--sandbox-key");
            default -> throw ModelCommands.unknown(cmd);
        };
        Set<String> flags = switch (cmd) {
            case "endpoint add" -> Set.of("--json", "--vm");
            case "endpoint del" -> Set.of("--force");
            default -> Set.of("--json");
        };
        return Args.parse(cmd, rest, 0, withValue, flags);
    }

    /** Runs {@code cmd} with the options {@link #parse} gave; the exit code (1: a check found differences). */
    int run(String cmd, Args a) {
        boolean json = a.has("--json");
        switch (cmd) {
            case "endpoint add" -> add(cmd, a, json);
            case "endpoint del" -> del(cmd, a);
            case "endpoint list" -> list(a, json);
            case "endpoint show" -> show(cmd, a, json);
            case "endpoint update" -> update(cmd, a, json);
            case "endpoint attach" -> attach(cmd, a, json);
            case "endpoint detach" -> detach(cmd, a, json);
            case "endpoint check" -> {
                return check(cmd, a, json);
            }
            default -> throw new UsageException("unknown command '" + cmd + "'");
        }
        return 0;
    }

    private void add(String cmd, Args a, boolean json) {
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
        for (String p : a.all("--publish")) {
            spec = spec.withPortMapping(dev.podnet.dataplane.PortMapping.parse(p));
        }
        for (String ip : a.all("--ip")) {
            spec = spec.withAddress(staticAddress(cmd, ip));
        }
        dp.endpoints().add(spec).block(T);
        Endpoint r = dp.endpoints().get(spec.containerId(), spec.ifName()).block(T);
        out.println(
                json
                        ? CniResult.json(r, dp.networks().get(r.network()).block(T))
                        : "endpoint " + r.id() + ": " + r.address() + " via " + r.gateway()
                                + " on " + r.network() + ", host " + r.hostIfName() + ", mac " + r.mac()
                                + (r.tap() == null ? "" : ", for the VM on tap " + r.tap()));
    }

    private void del(String cmd, Args a) {
        String ifName = a.get("--if", "eth0");
        Endpoint r = dp.endpoints()
                .resolve(required(cmd, a, "--container-id"), ifName)
                .block(T);
        if (r == null) {
            out.println("no endpoint " + a.get("--container-id", "") + "/" + ifName + ": nothing to remove");
        } else {
            dp.endpoints().remove(r.containerId(), ifName, a.has("--force")).block(T);
            out.println("endpoint " + r.id() + " removed");
        }
    }

    private void list(Args a, boolean json) {
        String prefix = a.get("--pod-prefix", null);
        EndpointQuery q = EndpointQuery.ALL
                .withContainerId(a.get("--container-id", null))
                .withPodName(prefix != null ? prefix : a.get("--pod-name", null), prefix != null)
                .inNamespace(a.get("--pod-namespace", null))
                .withNetns(a.get("--netns", null))
                .withNetwork(a.get("--network", null));
        List<Endpoint> rows = dp.endpoints().find(q).collectList().block(T);
        if (json) {
            out.println(Json.write(rows.stream().map(ModelJson::endpoint).toList()));
        } else {
            rows.forEach(r -> out.println(r.id() + "  " + r.state() + "  " + r.network() + "  " + r.address()
                    + "  " + r.hostIfName() + "  " + r.netns()
                    + (r.podName() == null ? "" : "  " + ModelJson.text(r.podNamespace()) + "/" + r.podName())));
        }
    }

    private void show(String cmd, Args a, boolean json) {
        Endpoint r = dp.endpoints()
                .get(containerId(cmd, a), a.get("--if", "eth0"))
                .blockOptional(T)
                .orElseThrow(() -> new InvalidSpecException(
                        "no endpoint " + a.get("--container-id", "") + "/" + a.get("--if", "eth0")));
        Network n = dp.networks().get(r.network()).block(T);
        out.println(json ? CniResult.json(r, n) : Json.write(ModelJson.endpoint(r, n)));
    }

    private void update(String cmd, Args a, boolean json) {
        EndpointUpdate change = new EndpointUpdate(a.intValue(cmd, "--mtu", 0, 0, 65535), List.of());
        for (String route : a.all("--route")) {
            String[] p = route.split("=", 2);
            if (p.length != 2) {
                throw new UsageException(
                        cmd + ": --route must be DST=GATEWAY (e.g. 198.20.0.0/24=198.18.0.1), got '" + route + "'");
            }
            change = change.withRoute(p[0], p[1]);
        }
        if (change.mtu() == 0 && change.addRoutes().isEmpty()) {
            throw new UsageException(cmd + ": say what to change: --mtu N and/or --route DST=GATEWAY");
        }
        Endpoint r = dp.endpoints()
                .update(containerId(cmd, a), a.get("--if", "eth0"), change)
                .block(T);
        out.println(
                json
                        ? Json.write(ModelJson.endpoint(r))
                        : "endpoint " + r.id() + " updated: mtu " + (r.mtu() == 0 ? "default" : r.mtu())
                                + (r.routes().isEmpty() ? "" : ", routes " + String.join("; ", r.routes())));
    }

    private void attach(String cmd, Args a, boolean json) {
        Endpoint r = dp.endpoints()
                .attach(containerId(cmd, a), a.get("--if", "eth0"), required(cmd, a, "--sandbox-key"))
                .block(T);
        out.println(json ? Json.write(ModelJson.endpoint(r)) : "endpoint " + r.id() + " attached to " + r.sandboxKey());
    }

    private void detach(String cmd, Args a, boolean json) {
        Endpoint r = dp.endpoints()
                .detach(containerId(cmd, a), a.get("--if", "eth0"))
                .block(T);
        out.println(json ? Json.write(ModelJson.endpoint(r)) : "endpoint " + r.id() + " detached");
    }

    /** {@code endpoint check}: 0 when the kernel matches the record, 1 when it differs. */
    private int check(String cmd, Args a, boolean json) {
        EndpointCheck c =
                dp.endpoints().check(containerId(cmd, a), a.get("--if", "eth0")).block(T);
        if (json) {
            out.println(Json.write(ModelJson.check(c)));
        } else if (c.consistent()) {
            out.println("endpoint " + c.endpoint() + ": the kernel matches the record");
        } else {
            c.differences().forEach(d -> out.println("endpoint " + c.endpoint() + ": " + d));
        }
        return c.consistent() ? 0 : 1;
    }

    /** The container id that {@code --container-id} (whole, or an unambiguous prefix) and {@code --if} name. */
    private String containerId(String cmd, Args a) {
        String given = required(cmd, a, "--container-id");
        Endpoint r = dp.endpoints().resolve(given, a.get("--if", "eth0")).block(T);
        return r == null ? given : r.containerId();
    }

    private static InetAddress staticAddress(String cmd, String text) {
        try {
            return Cidr.parseAddress(text, "--ip");
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
