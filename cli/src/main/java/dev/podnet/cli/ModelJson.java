package dev.podnet.cli;

import dev.podnet.api.Endpoint;
import dev.podnet.api.Json;
import dev.podnet.api.Network;
import dev.podnet.dataplane.EndpointCheck;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.ReconcileReport;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --json} views of the model commands: a network, an endpoint (with its network's DNS
 * settings when asked), an endpoint check and a reconciliation report, each as an insertion-ordered
 * map for {@link Json#write}. The keys and their order are the command line's output format, which
 * scripts and the tests read: a key is added at the end or not at all, and absent strings are the
 * empty string, as the output has always had them.
 */
final class ModelJson {
    private ModelJson() {}

    static Map<String, Object> network(Network r, long endpoints) {
        Map<String, Object> o = Json.object();
        o.put("name", r.name());
        o.put("mode", r.mode().name().toLowerCase(Locale.ROOT));
        if (r.mode() == NetworkMode.BRIDGE) {
            o.put("bridge", r.bridge());
        }
        o.put("subnet", text(r.subnet()));
        o.put("gateway", text(r.gateway()));
        o.put("mtu", r.mtu());
        o.put("hairpin", r.hairpin());
        o.put("ip_masq", r.ipMasq());
        o.put("link_local_gateway", r.linkLocalGateway());
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

    static Map<String, Object> endpoint(Endpoint r) {
        return endpoint(r, null);
    }

    /** An endpoint as JSON; with its network, the DNS settings it hands out too. */
    static Map<String, Object> endpoint(Endpoint r, Network network) {
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
        if (!r.ports().isEmpty()) {
            o.put("ports", r.ports());
        }
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

    /** What {@code endpoint check} found: the endpoint, whether the kernel matches its record, and how not. */
    static Map<String, Object> check(EndpointCheck c) {
        Map<String, Object> o = Json.object();
        o.put("endpoint", c.endpoint());
        o.put("consistent", c.consistent());
        o.put("differences", c.differences());
        return o;
    }

    /** What {@code reconcile} did (or, in a dry run, would do). */
    static Map<String, Object> report(ReconcileReport r) {
        Map<String, Object> o = Json.object();
        o.put("dry_run", r.dryRun());
        o.put("endpoints_checked", r.endpointsChecked());
        o.put("actions", r.actions());
        o.put("notes", r.notes());
        return o;
    }

    /** An absent value as the empty string, as the JSON output has always had it. */
    static String text(String s) {
        return s == null ? "" : s;
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
}
