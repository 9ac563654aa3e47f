package dev.podnet.dataplane.internal.engine;

import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.dataplane.internal.state.HostNamespace;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.netns.NetNs;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Checks made before a network or an endpoint touches anything, each naming what is wrong. */
final class NetworkChecks {
    private NetworkChecks() {}

    /** The fields in which {@code wanted} differs from {@code existing}, as {@code field: old -> new}. */
    static String differences(NetworkRecord existing, NetworkRecord wanted) {
        List<String> diff = new ArrayList<>();
        for (RecordComponent c : NetworkRecord.class.getRecordComponents()) {
            try {
                Object a = c.getAccessor().invoke(existing);
                Object b = c.getAccessor().invoke(wanted);
                if (!Objects.equals(a, b)) {
                    diff.add(c.getName() + " " + show(a) + " (asked: " + show(b) + ")");
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(", ", diff);
    }

    private static String show(Object v) {
        String s = String.valueOf(v);
        return s.isEmpty() ? "none" : s;
    }

    /** Refuses a network whose subnets overlap another network's: a gateway on two bridges, routes fighting. */
    static void requireNoOverlap(NetworkRecord wanted, List<NetworkRecord> others) {
        for (NetworkRecord o : others) {
            if (o.name().equals(wanted.name())) {
                continue;
            }
            for (String mine : subnets(wanted)) {
                for (String theirs : subnets(o)) {
                    if (overlap(Cidr.parse(mine), Cidr.parse(theirs))) {
                        throw new InvalidSpecException("network " + wanted.name() + ": subnet " + mine
                                + " overlaps network " + o.name() + "'s subnet " + theirs);
                    }
                }
            }
        }
    }

    private static List<String> subnets(NetworkRecord r) {
        List<String> all = new ArrayList<>();
        if (!r.subnet().isEmpty()) {
            all.add(r.subnet());
        }
        if (r.ipv6()) {
            all.add(r.subnet6());
        }
        // further subnets of the range sets (CIDR=GATEWAY entries)
        java.util.stream.Stream.concat(r.ranges().stream(), r.ranges6().stream())
                .filter(e -> e.contains("/"))
                .map(e -> e.contains("=") ? e.substring(0, e.indexOf('=')) : e)
                .forEach(all::add);
        return all;
    }

    private static boolean overlap(Cidr a, Cidr b) {
        return a.family() == b.family()
                && (a.contains(b.network().address()) || b.contains(a.network().address()));
    }

    /** Refuses a pod namespace that is the host namespace itself: the pod's end would land beside the host's. */
    static void requireNotHost(NetNs pod, HostNamespace host) {
        HostNamespace id;
        try {
            id = HostNamespace.of(pod);
        } catch (IOException e) {
            throw new InvalidSpecException("netns " + pod.path() + " cannot be read: " + e.getMessage());
        }
        if (id.sameAs(host)) {
            throw new InvalidSpecException("netns " + pod.path() + " is the host namespace itself (" + host.describe()
                    + "); an endpoint needs the pod's own namespace");
        }
    }
}
