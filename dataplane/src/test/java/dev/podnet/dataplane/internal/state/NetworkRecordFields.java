package dev.podnet.dataplane.internal.state;

import dev.podnet.dataplane.NetworkMode;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link NetworkRecord}'s fields by name, for tests: a plain bridge network ("pods", {@code pnbr0},
 * 198.18.0.0/16) to which a test makes only the changes it is about, instead of eighteen arguments by position.
 */
final class NetworkRecordFields {
    String name = "pods";
    NetworkMode mode = NetworkMode.BRIDGE;
    String bridge = "pnbr0";
    String subnet = "198.18.0.0/16";
    String gateway = "198.18.0.1";
    int mtu;
    List<String> ranges;
    List<String> reserved;
    boolean hairpin;
    boolean macFromIp;
    String uplink = "";
    String subnet6 = "";
    String gateway6 = "";
    List<String> ranges6;
    boolean ipv6FromMac;
    PodConfig pod = PodConfig.DEFAULT;
    boolean ipMasq;
    boolean linkLocalGateway;

    private NetworkRecordFields() {}

    /** The plain bridge network with {@code changes} made to it. */
    static NetworkRecord network(Consumer<NetworkRecordFields> changes) {
        NetworkRecordFields f = new NetworkRecordFields();
        changes.accept(f);
        return f.record();
    }

    /** {@code r} with {@code changes} made to it. */
    static NetworkRecord changed(NetworkRecord r, Consumer<NetworkRecordFields> changes) {
        return network(f -> {
            f.name = r.name();
            f.mode = r.mode();
            f.bridge = r.bridge();
            f.subnet = r.subnet();
            f.gateway = r.gateway();
            f.mtu = r.mtu();
            f.ranges = r.ranges();
            f.reserved = r.reserved();
            f.hairpin = r.hairpin();
            f.macFromIp = r.macFromIp();
            f.uplink = r.uplink();
            f.subnet6 = r.subnet6();
            f.gateway6 = r.gateway6();
            f.ranges6 = r.ranges6();
            f.ipv6FromMac = r.ipv6FromMac();
            f.pod = r.pod();
            f.ipMasq = r.ipMasq();
            f.linkLocalGateway = r.linkLocalGateway();
            changes.accept(f);
        });
    }

    private NetworkRecord record() {
        return new NetworkRecord(
                name,
                mode,
                bridge,
                subnet,
                gateway,
                mtu,
                ranges,
                reserved,
                hairpin,
                macFromIp,
                uplink,
                subnet6,
                gateway6,
                ranges6,
                ipv6FromMac,
                pod,
                ipMasq,
                linkLocalGateway);
    }
}
