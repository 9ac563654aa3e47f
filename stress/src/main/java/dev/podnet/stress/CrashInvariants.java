package dev.podnet.stress;

import dev.podnet.api.Dataplane;
import dev.podnet.api.Endpoint;
import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.internal.endpoint.HostNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The crash harness's verdict on a recovered dataplane, read from the kernel independently of
 * podnet's own codec (iproute2's output) and compared with the records, the IPAM and the worker's
 * log of completed operations.
 */
final class CrashInvariants {
    private static final Pattern LINK = Pattern.compile("^\\d+: ([^:@\\s]+)[@:]");
    private static final Pattern ALIAS = Pattern.compile("alias (\\S+)");
    private static final Pattern HOST_LINK = Pattern.compile(HostNames.PREFIX + "[0-9a-f]{12}");
    private static final Pattern INET = Pattern.compile("inet6? (\\S+)");

    private CrashInvariants() {}

    /**
     * What was wrong; all zero means the dataplane, its IPAM and the kernel agree, nothing leaked and
     * nothing completed was lost.
     *
     * @param leakedLinks     host links podnet made that have no READY record, or that a completed remove should have taken
     * @param leakedAddresses reservations whose owner has no READY record
     * @param lostEndpoints   completed adds with no READY record, or READY records whose link is gone
     * @param duplicateIps    addresses held by two pods in the kernel, or reserved for someone other than their holder
     * @param unreachable     READY pods that cannot ping their gateway
     * @param notReady        records left in another state than READY after recovery
     */
    record Findings(
            int leakedLinks,
            int leakedAddresses,
            int lostEndpoints,
            int duplicateIps,
            int unreachable,
            int notReady,
            List<String> details) {
        boolean clean() {
            return leakedLinks + leakedAddresses + lostEndpoints + duplicateIps + unreachable + notReady == 0;
        }
    }

    /** The last event of every key in a worker log: {@code A+}, {@code A=}, {@code R+} or {@code R=}. */
    static Map<String, String> lastEvents(Path log) throws IOException {
        Map<String, String> last = new HashMap<>();
        if (!Files.exists(log)) {
            return last;
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.length() > 3 && (line.startsWith("A") || line.startsWith("R")) && line.charAt(2) == ' ') {
                last.put(line.substring(3), line.substring(0, 2));
            }
        }
        return last;
    }

    static Findings check(
            Dataplane dp, String sandbox, List<String> pods, String gateway, Map<String, String> lastEvents)
            throws IOException, InterruptedException {
        List<String> details = new ArrayList<>();
        Map<String, Endpoint> records = new HashMap<>();
        int notReady = 0;
        for (Endpoint r : dp.endpoints().list().toIterable()) {
            records.put(r.id(), r);
            if (r.state() != EndpointState.READY) {
                notReady++;
                details.add("record " + r.id() + " is " + r.state() + " after recovery");
            }
        }
        // host links, as iproute2 shows them
        Map<String, String> tagged = new HashMap<>(); // key -> link name
        int leakedLinks = 0;
        for (String line : Sandbox.ip(sandbox, "-o", "-d", "link", "show").split("\n")) {
            Matcher name = LINK.matcher(line);
            if (!name.find()) {
                continue;
            }
            Matcher alias = ALIAS.matcher(line);
            HostNames.Tag tag = alias.find() ? HostNames.parse(alias.group(1)) : null;
            if (tag != null) {
                tagged.put(tag.key(), name.group(1));
            } else if (HOST_LINK.matcher(name.group(1)).matches()) {
                leakedLinks++;
                details.add("host link " + name.group(1) + " carries no tag");
            }
        }
        int lost = 0;
        for (Map.Entry<String, String> t : tagged.entrySet()) {
            Endpoint r = records.get(t.getKey());
            if (r == null || r.state() != EndpointState.READY) {
                leakedLinks++;
                details.add("link " + t.getValue() + " of " + t.getKey() + " has no READY record");
            } else if ("R=".equals(lastEvents.get(t.getKey()))) {
                leakedLinks++;
                details.add("link " + t.getValue() + " of " + t.getKey() + " survived a completed remove");
            }
        }
        Set<String> ready = new HashSet<>();
        for (Endpoint r : records.values()) {
            if (r.state() == EndpointState.READY) {
                ready.add(r.id());
                if (!tagged.containsKey(r.id())) {
                    lost++;
                    details.add("READY " + r.id() + " has no host link");
                }
            }
        }
        for (Map.Entry<String, String> e : lastEvents.entrySet()) {
            if (e.getValue().equals("A=") && !ready.contains(e.getKey())) {
                lost++;
                details.add(e.getKey() + " was added (completed) and is gone");
            }
        }
        // published ports, as nft lists them, against the READY records (when nft is installed)
        Map<String, String> published = publishedPorts(sandbox); // "port owner" -> owner
        if (published != null) {
            Set<String> wanted = new HashSet<>();
            for (Endpoint r : records.values()) {
                if (r.state() == EndpointState.READY) {
                    for (String p : r.ports()) {
                        String port = p.substring(0, p.indexOf(':'));
                        wanted.add(port + " podnet:" + r.id());
                        if (!published.containsKey(port + " podnet:" + r.id())) {
                            lost++;
                            details.add("READY " + r.id() + " lacks its published port " + p);
                        }
                    }
                }
            }
            for (String e : published.keySet()) {
                if (!wanted.contains(e)) {
                    leakedLinks++;
                    details.add("published port " + e + " has no READY endpoint publishing it");
                }
            }
        }
        // IPAM against the records
        int leakedAddresses = 0;
        int duplicates = 0;
        Map<String, String> reservations = dp.ipam().reservations(CrashWorker.NETWORK);
        for (Map.Entry<String, String> res : reservations.entrySet()) {
            if (!ready.contains(res.getValue())) {
                leakedAddresses++;
                details.add(res.getKey() + " is reserved for " + res.getValue() + ", which is not READY");
            }
        }
        // the pods' addresses, as iproute2 shows them
        Map<String, String> holder = new HashMap<>();
        int unreachable = 0;
        for (int i = 0; i < pods.size(); i++) {
            String key = ChurnCommand.containerId(i) + "/eth0";
            String shown = Sandbox.ip(pods.get(i), "-o", "addr", "show", "scope", "global");
            Matcher m = INET.matcher(shown);
            while (m.find()) {
                String address = m.group(1).split("/")[0];
                String other = holder.putIfAbsent(address, key);
                if (other != null) {
                    duplicates++;
                    details.add(address + " is held by both " + other + " and " + key);
                }
                String reservedFor = reservations.get(address);
                if (reservedFor != null && !reservedFor.equals(key)) {
                    duplicates++;
                    details.add(address + " is held by " + key + " but reserved for " + reservedFor);
                }
            }
            Endpoint r = records.get(key);
            if (r != null && r.state() == EndpointState.READY) {
                if (!holder.containsKey(r.address().split("/")[0])) {
                    lost++;
                    details.add("READY " + key + " does not hold " + r.address());
                } else if (!Sandbox.ping(pods.get(i), gateway)) {
                    unreachable++;
                    details.add("READY " + key + " cannot ping " + gateway + "; check: "
                            + dp.endpoints()
                                    .check(r.containerId(), r.ifName())
                                    .block(java.time.Duration.ofSeconds(30))
                                    .differences()
                            + "; "
                            + Sandbox.ip(pods.get(i), "-o", "-d", "link", "show", r.ifName())
                                    .strip()
                            + "; host: "
                            + Sandbox.ip(sandbox, "-o", "-d", "link", "show", r.hostIfName())
                                    .strip());
                }
            }
        }
        return new Findings(leakedLinks, leakedAddresses, lost, duplicates, unreachable, notReady, details);
    }

    /** iproute2 and ping inside named namespaces. */
    private static final Pattern ELEMENT = Pattern.compile(
            "\\{\"elem\":\\s*\\{\"val\":\\s*\\{\"concat\":\\s*\\[\"(?:tcp|udp)\",\\s*(\\d+)\\]\\},\\s*\"comment\":\\s*\"([^\"]*)\"");

    /**
     * podnet's {@code ports4} elements in {@code sandbox} as nft lists them: {@code "PORT OWNER"}
     * (the comment); empty without a table, null when nft is not installed.
     */
    static Map<String, String> publishedPorts(String sandbox) throws IOException, InterruptedException {
        if (!new java.io.File("/usr/sbin/nft").exists()) {
            return null;
        }
        Process p = new ProcessBuilder(
                        "ip", "netns", "exec", sandbox, "nft", "-j", "list", "map", "inet", "podnet", "ports4")
                .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        Map<String, String> found = new HashMap<>();
        if (p.waitFor() != 0) {
            return found; // no table yet
        }
        Matcher m = ELEMENT.matcher(text);
        while (m.find()) {
            found.put(m.group(1) + " " + m.group(2), m.group(2));
        }
        return found;
    }

    static final class Sandbox {
        private Sandbox() {}

        static String ip(String netns, String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("ip", "-n", netns));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + text.strip());
            }
            return text;
        }

        static boolean ping(String netns, String target) throws IOException, InterruptedException {
            Process p = new ProcessBuilder("ip", "netns", "exec", netns, "ping", "-c1", "-W2", "-q", target)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor() == 0;
        }
    }
}
