package dev.podnet.cli;

import static dev.podnet.cli.ModelCommands.T;
import static dev.podnet.cli.ModelCommands.required;

import dev.podnet.api.Dataplane;
import dev.podnet.api.Json;
import dev.podnet.api.Network;
import dev.podnet.api.NetworkSpec;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.stress.Args;
import dev.podnet.stress.UsageException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code podnet network create|delete|list|show} and {@code podnet ipam show}: the options each
 * takes, the {@link NetworkSpec} that {@code network create}'s options make, and the calls on
 * {@code dp.networks()} (and {@code dp.ipam()}) with their text or {@code --json} output (the JSON
 * views are {@link ModelJson}'s). {@link ModelCommands} parses with {@link #parse} before it opens
 * the dataplane and maps the exceptions to exit codes.
 *
 * @param dp  the dataplane the commands run on
 * @param out where their output goes
 */
record NetworkCommands(Dataplane dp, PrintStream out) {
    /** {@code cmd}'s options from {@code rest}; a verb this class does not handle is a usage error. */
    static Args parse(String cmd, String[] rest) {
        return switch (cmd) {
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
                        Set.of(
                                "--hairpin",
                                "--ip-masq",
                                "--link-local-gateway",
                                "--mac-from-ip",
                                "--ipv6-from-mac",
                                "--no-default-route",
                                "--json"));
            case "network delete" -> Args.parse(cmd, rest, 0, Set.of(), Set.of("--force"));
            case "network list", "network show", "ipam show" -> Args.parse(cmd, rest, 0, Set.of(), Set.of("--json"));
            default -> throw ModelCommands.unknown(cmd);
        };
    }

    /** Runs {@code cmd} with the options {@link #parse} gave; the exit code. */
    int run(String cmd, Args a) {
        boolean json = a.has("--json");
        switch (cmd) {
            case "network create" -> create(cmd, a, json);
            case "network delete" -> delete(cmd, a);
            case "network list" -> list(json);
            case "network show" -> show(cmd, a, json);
            case "ipam show" -> ipam(json);
            default -> throw new UsageException("unknown command '" + cmd + "'");
        }
        return 0;
    }

    private void create(String cmd, Args a, boolean json) {
        String name = single(cmd, a);
        dp.networks().create(spec(cmd, a, name)).block(T);
        Network r = dp.networks().get(name).block(T);
        out.println(json ? Json.write(ModelJson.network(r, 0)) : "network " + name + " created: " + describe(r));
    }

    private void delete(String cmd, Args a) {
        String name = single(cmd, a);
        if (dp.networks().get(name).blockOptional(T).isEmpty()) {
            throw new InvalidSpecException("network '" + name + "' does not exist: nothing deleted");
        }
        dp.networks().delete(name, a.has("--force")).block(T);
        out.println("network " + name + " deleted");
    }

    private void list(boolean json) {
        List<Map<String, Object>> rows = dp.networks()
                .list()
                .map(r -> ModelJson.network(r, dp.endpoints().count(r.name()).block(T)))
                .collectList()
                .block(T);
        if (json) {
            out.println(Json.write(rows));
        } else {
            rows.forEach(r -> out.println(r.get("name") + "  " + r.get("mode") + "  " + r.get("subnet") + "  gateway "
                    + r.get("gateway") + "  endpoints " + r.get("endpoints")));
        }
    }

    private void show(String cmd, Args a, boolean json) {
        String name = single(cmd, a);
        Network r = dp.networks()
                .get(name)
                .blockOptional(T)
                .orElseThrow(() -> new InvalidSpecException("network '" + name + "' does not exist"));
        Map<String, Object> o = ModelJson.network(r, dp.endpoints().count(name).block(T));
        out.println(json ? Json.write(o) : name + ": " + describe(r) + ", " + o.get("endpoints") + " endpoints");
    }

    /** Per network: address -> owner (container id / interface), from the IPAM store itself. */
    private void ipam(boolean json) {
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

    /** The spec that {@code network create}'s options describe. */
    private static NetworkSpec spec(String cmd, Args a, String name) {
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
                .withIpMasq(a.has("--ip-masq"))
                .withLinkLocalGateway(a.has("--link-local-gateway"))
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
        return spec.withDns(
                a.all("--dns-nameserver"), a.get("--dns-domain", null), a.all("--dns-search"), a.all("--dns-option"));
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

    /** A network in one line, as {@code network create} and {@code network show} print it. */
    private static String describe(Network r) {
        return r.mode().name().toLowerCase(Locale.ROOT)
                + (r.mode() == NetworkMode.BRIDGE ? " " + r.bridge() : "")
                + ", " + ModelJson.text(r.subnet()) + " gateway " + ModelJson.text(r.gateway())
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
}
