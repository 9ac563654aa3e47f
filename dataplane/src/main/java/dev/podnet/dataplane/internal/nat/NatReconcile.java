package dev.podnet.dataplane.internal.nat;

import dev.podnet.dataplane.PortMapping;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.netlink.nft.Nft;
import dev.podnet.netlink.nft.NftBatch;
import dev.podnet.netlink.nft.NftRuleset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What {@link NatTable#reconcile} does, worked out from a dump of the table against the records:
 * the published-port elements to withdraw (owner gone, or data or owner not the record's), those to
 * restore (a READY endpoint's port missing), and the elements of networks that are gone. An element
 * whose owner has an operation in flight is left to that operation. Pure: {@link #write} puts the
 * changes in a transaction, {@link #actions} says them.
 */
final class NatReconcile {
    private static final List<String> PORT_MAPS = List.of("ports4", "ports6", "hostports4", "hostports6");
    private static final HexFormat HEX = HexFormat.of();

    /** An element as the table should hold it: its owner's comment, its data, what it is (for the report). */
    private record Want(String comment, byte[] data, String what) {}

    private final String table;
    private final List<String> actions = new ArrayList<>();
    /** Per port map: keys (hex) to withdraw. */
    private final Map<String, List<String>> stale = new HashMap<>();
    /** Per port map: key (hex) to the element to restore. */
    private final Map<String, Map<String, Want>> missing = new HashMap<>();
    /** Per-network elements to withdraw, each with the set that holds it, deleted together. */
    private final List<Map.Entry<String, NftRuleset.Element[]>> staleNetwork = new ArrayList<>();

    private NatReconcile(String table) {
        this.table = table;
    }

    /**
     * The plan for {@code dump} (null: no table yet) against the READY endpoints that stay and the
     * networks there are; {@code inFlight} says which endpoints (by key) have an operation running.
     */
    static NatReconcile plan(
            String table,
            NftRuleset.TableDump dump,
            Collection<EndpointRecord> ready,
            Collection<NetworkRecord> networks,
            Predicate<String> inFlight) {
        NatReconcile r = new NatReconcile(table);
        r.ports(dump, wanted(ready), inFlight);
        if (dump != null) {
            r.networks(dump, networks);
        }
        return r;
    }

    /** One line a change. */
    List<String> actions() {
        return actions;
    }

    /** Every port element the READY endpoints publish, per map, by key. */
    private static Map<String, Map<String, Want>> wanted(Collection<EndpointRecord> ready) {
        Map<String, Map<String, Want>> want = new HashMap<>();
        for (String map : PORT_MAPS) {
            want.put(map, new HashMap<>());
        }
        for (EndpointRecord r : ready) {
            for (String text : r.ports()) {
                PortMapping p = PortMapping.parse(text);
                for (int family : new int[] {4, 6}) {
                    String address = family == 4 ? r.address() : r.address6();
                    if (address.isEmpty() || p.hostIp() != null && p.ipv6HostIp() != (family == 6)) {
                        continue;
                    }
                    byte[] pod = Cidr.parse(address).address().getAddress();
                    String map = (p.hostIp() != null ? "hostports" : "ports") + family;
                    want.get(map)
                            .put(
                                    HEX.formatHex(key(p)),
                                    new Want("podnet:" + r.id(), data(pod, p.podPort()), p + " of " + r.id()));
                }
            }
        }
        return want;
    }

    private void ports(NftRuleset.TableDump dump, Map<String, Map<String, Want>> want, Predicate<String> inFlight) {
        for (String map : PORT_MAPS) {
            List<NftRuleset.Element> have =
                    dump == null ? List.of() : dump.elements().getOrDefault(map, List.of());
            Map<String, Want> wanted = want.get(map);
            for (NftRuleset.Element e : have) {
                String k = HEX.formatHex(e.key());
                Want w = wanted.get(k);
                if (w != null
                        && Arrays.equals(w.data(), e.data())
                        && w.comment().equals(e.comment())) {
                    wanted.remove(k); // there, as it should be
                } else if (e.comment() != null
                        && e.comment().startsWith("podnet:")
                        && inFlight.test(e.comment().substring("podnet:".length()))) {
                    wanted.remove(k); // its endpoint's add or remove is running: its own steps see to it
                } else {
                    stale.computeIfAbsent(map, x -> new ArrayList<>()).add(k);
                    actions.add("withdrew a stale published port from " + map + " (key " + k + ", "
                            + (e.comment() == null ? "no owner" : e.comment()) + ")");
                }
            }
            for (Want w : wanted.values()) {
                actions.add("restored published port " + w.what() + " (" + map + ")");
            }
            missing.put(map, wanted);
        }
    }

    /**
     * The elements of the per-network sets that no network accounts for (a network deleted while
     * podnet was down): a concatenated interval is one element with its end; a single-field interval
     * its start and its exclusive end, which follow each other in key order.
     */
    private void networks(NftRuleset.TableDump dump, Collection<NetworkRecord> networks) {
        Set<String> starts = new HashSet<>();
        Set<String> bridges = new HashSet<>();
        for (NetworkRecord n : networks) {
            for (String subnet : new String[] {n.subnet(), n.subnet6()}) {
                if (!subnet.isEmpty()) {
                    starts.add(
                            HEX.formatHex(Cidr.parse(subnet).network().address().getAddress()));
                }
            }
            if (!n.bridge().isEmpty()) {
                bridges.add(n.bridge());
            }
        }
        for (String set : List.of("same4", "same6")) {
            for (NftRuleset.Element e : dump.elements().getOrDefault(set, List.of())) {
                byte[] k = e.key();
                if (!starts.contains(HEX.formatHex(Arrays.copyOf(k, k.length / 2)))) {
                    staleNetwork(set, e);
                }
            }
        }
        for (String set : List.of("masq4", "masq6")) {
            List<NftRuleset.Element> sorted = new ArrayList<>(dump.elements().getOrDefault(set, List.of()));
            sorted.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
            for (int i = 0; i < sorted.size(); i++) {
                NftRuleset.Element e = sorted.get(i);
                if ((e.flags() & Nft.Elem.F_INTERVAL_END) != 0 || starts.contains(HEX.formatHex(e.key()))) {
                    continue;
                }
                boolean endFollows =
                        i + 1 < sorted.size() && (sorted.get(i + 1).flags() & Nft.Elem.F_INTERVAL_END) != 0;
                if (endFollows) {
                    staleNetwork(set, e, sorted.get(++i));
                } else {
                    staleNetwork(set, e);
                }
            }
        }
        for (NftRuleset.Element e : dump.elements().getOrDefault("bridges", List.of())) {
            String name = new String(e.key(), java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "");
            if (!bridges.contains(name)) {
                staleNetwork("bridges", e);
            }
        }
    }

    private void staleNetwork(String set, NftRuleset.Element... elements) {
        staleNetwork.add(Map.entry(set, elements));
        actions.add("withdrew the elements of a network that is gone from " + set + " (key "
                + HEX.formatHex(elements[0].key()) + ")");
    }

    /** The plan's changes, into {@code b}. */
    void write(NftBatch b) {
        for (Map.Entry<String, NftRuleset.Element[]> s : staleNetwork) {
            NftBatch.Elements e = b.deleteElements(table, s.getKey(), false, "withdraw a gone network");
            for (NftRuleset.Element x : s.getValue()) {
                e.element().key().address(x.key()).endValue();
                if (x.keyEnd() != null) {
                    e.keyEnd().address(x.keyEnd()).endValue();
                }
                if (x.flags() != 0) {
                    e.flags(x.flags());
                }
                e.endElement();
            }
            e.end();
        }
        for (Map.Entry<String, List<String>> s : stale.entrySet()) {
            NftBatch.Elements e =
                    b.deleteElements(table, s.getKey(), false, "withdraw stale elements of " + s.getKey());
            for (String k : s.getValue()) {
                e.element().key().address(HEX.parseHex(k)).endValue().endElement();
            }
            e.end();
        }
        for (Map.Entry<String, Map<String, Want>> m : missing.entrySet()) {
            for (Map.Entry<String, Want> w : m.getValue().entrySet()) {
                b.addElements(table, m.getKey(), true, "restore " + w.getValue().what())
                        .element()
                        .key()
                        .address(HEX.parseHex(w.getKey()))
                        .endValue()
                        .data()
                        .address(w.getValue().data())
                        .endValue()
                        .comment(w.getValue().comment())
                        .endElement()
                        .end();
            }
        }
    }

    /** A port mapping's key as the map holds it: [host address .] protocol . port, each field padded to 4 bytes. */
    static byte[] key(PortMapping p) {
        byte[] host = p.hostIp() == null ? new byte[0] : p.hostIp().getAddress();
        byte[] k = new byte[host.length + 8];
        System.arraycopy(host, 0, k, 0, host.length);
        k[host.length] = (byte) p.protocolNumber();
        k[host.length + 4] = (byte) (p.hostPort() >> 8);
        k[host.length + 5] = (byte) p.hostPort();
        return k;
    }

    /** A map's data: pod address . pod port (padded to 4 bytes). */
    static byte[] data(byte[] pod, int port) {
        byte[] d = new byte[pod.length + 4];
        System.arraycopy(pod, 0, d, 0, pod.length);
        d[pod.length] = (byte) (port >> 8);
        d[pod.length + 1] = (byte) port;
        return d;
    }
}
