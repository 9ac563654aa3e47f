package dev.podnet.dataplane.internal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.internal.endpoint.EndpointRecord;
import dev.podnet.dataplane.internal.ipam.AddressAllocator;
import dev.podnet.dataplane.internal.ipam.AddressRange;
import dev.podnet.dataplane.ipam.Cidr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    @TempDir
    Path dir;

    @Test
    void everythingWrittenIsThereAfterReopening() throws Exception {
        EndpointRecord r = new EndpointRecord(
                "c0ffee",
                "eth0",
                "pods",
                "/run/netns/p",
                "pn0123456789ab",
                "02:00:00:00:00:01",
                "198.18.0.2/16",
                "198.18.0.1",
                EndpointState.READY,
                1234L,
                "web-0",
                "default",
                "",
                "fd00:18::2/64",
                "fd00:18::1",
                "sb-1",
                0,
                null,
                "",
                List.of());
        AddressRange range = AddressRange.of(Cidr.parse("198.18.0.0/16"), Cidr.parseAddress("198.18.0.1", "gw"));
        try (StateStore s = StateStore.open(dir.resolve("state"), 1024)) {
            s.endpoints().put(r.key(), r.encode());
            s.networks()
                    .put("pods", NetworkRecordFields.network(f -> f.mtu = 1500).encode());
            new AddressAllocator(range, s.allocations("pods")).allocate("c0ffee", "eth0");
        }
        try (StateStore s = StateStore.open(dir.resolve("state"), 1024)) {
            assertEquals(r, EndpointRecord.decode(s.endpoints().get(r.key())));
            assertEquals("pnbr0", NetworkRecord.decode(s.networks().get("pods")).bridge());
            AddressAllocator again = new AddressAllocator(range, s.allocations("pods"));
            assertEquals("198.18.0.2/16", again.lookup("c0ffee", "eth0").toString());
            assertEquals("198.18.0.3/16", again.allocate("next", "eth0").toString());
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("state"))));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("state/endpoints.dat"))));
    }

    @Test
    @SuppressWarnings("try") // the store is held open, not used
    void oneOwnerAtATimeAndTheLockHoldsTheOwnersPid() throws Exception {
        Path state = dir.resolve("owned");
        try (StateStore first = StateStore.open(state, 64)) {
            StateInUseException e = org.junit.jupiter.api.Assertions.assertThrows(
                    StateInUseException.class, () -> StateStore.open(state, 64));
            assertTrue(
                    e.getMessage()
                            .contains("in use by pid " + ProcessHandle.current().pid()),
                    e.getMessage());
            assertEquals(
                    Long.toString(ProcessHandle.current().pid()),
                    Files.readString(state.resolve("lock")).trim());
            assertEquals(
                    "busy", tryLockFromAnotherProcess(state.resolve("lock")), "another process cannot take it either");
        }
        assertEquals("free", tryLockFromAnotherProcess(state.resolve("lock")), "closing released it");
        try (StateStore again = StateStore.open(state, 64)) {
            assertFalse(again.recovered(), "a clean close is recognised");
        }
    }

    /** Asks util-linux flock(1), another process, whether it could take the same lock right now. */
    private static String tryLockFromAnotherProcess(Path lockFile) throws Exception {
        Process p = new ProcessBuilder("flock", "--nonblock", lockFile.toString(), "true")
                .redirectErrorStream(true)
                .start();
        return p.waitFor() == 0 ? "free" : "busy";
    }

    @Test
    void anUncleanStopIsDetectedAndTheMapsRecoveredWithTheirData() throws Exception {
        Path state = dir.resolve("crashy");
        try (StateStore s = StateStore.open(state, 64)) {
            s.endpoints().put("c/eth0", "kept");
        }
        // a killed owner never writes the clean marker
        Files.delete(state.resolve("clean"));
        try (StateStore s = StateStore.open(state, 64)) {
            assertTrue(s.recovered(), "an unclean stop is detected");
            assertEquals("kept", s.endpoints().get("c/eth0"), "and the data survives recovery");
        }
        try (StateStore s = StateStore.open(state, 64)) {
            assertFalse(s.recovered());
        }
    }

    @Test
    void networkRecordsOfEveryVersionRead() {
        NetworkRecord r = NetworkRecord.decode("1|pods|pnbr0|198.18.0.0/16|198.18.0.1|1500||");
        assertEquals(NetworkMode.BRIDGE, r.mode());
        assertEquals("pnbr0", r.bridge());
        assertEquals(java.util.List.of(), r.ranges());
        NetworkRecord v2 = NetworkRecord.decode("2|q|BRIDGE|br1|198.18.0.0/16|198.18.0.1|0|198.18.0.10|198.18.0.20");
        assertEquals("br1", v2.bridge());
        assertEquals(java.util.List.of("198.18.0.10-198.18.0.20"), v2.ranges());
        NetworkRecord v5 = NetworkRecord.decode(
                "5|d|BRIDGE|br3|198.18.0.0/16|198.18.0.1|0|198.18.0.5||true|false||fd00:18::/64|fd00:18::1|true");
        assertEquals(java.util.List.of("198.18.0.5-"), v5.ranges());
        assertTrue(v5.hairpin() && v5.ipv6() && v5.ipv6FromMac());
        // version 6: version 7's fields without the pod settings, which default
        NetworkRecord v6 = NetworkRecord.decode(
                "6|e|PTP||198.19.0.0/24|198.19.0.1|1400|198.19.0.10-198.19.0.20|198.19.0.15|false|true|up0||||false");
        assertEquals(NetworkMode.PTP, v6.mode());
        assertEquals(1400, v6.mtu());
        assertEquals(java.util.List.of("198.19.0.10-198.19.0.20"), v6.ranges());
        assertEquals(java.util.List.of("198.19.0.15"), v6.reserved());
        assertTrue(v6.macFromIp());
        assertEquals("up0", v6.uplink());
        assertEquals(PodConfig.DEFAULT, v6.pod());
    }

    @Test
    void networkRecordsSurviveEncoding() {
        // a dual-stack ptp network: ptp and pod below vary it
        NetworkRecord dualStackPtp = NetworkRecordFields.network(f -> {
            f.mode = NetworkMode.PTP;
            f.bridge = "";
            f.subnet = "198.19.0.0/24";
            f.gateway = "198.19.0.1";
            f.subnet6 = "fd00:19::/64";
            f.gateway6 = "fd00:19::1";
        });
        NetworkRecord ptp = NetworkRecordFields.changed(dualStackPtp, f -> {
            f.name = "p";
            f.subnet = "198.19.0.0/16";
            f.macFromIp = true;
            f.ranges6 = java.util.List.of("fd00:19::10-fd00:19::20", "fd00:19::100-");
        });
        assertEquals(ptp, NetworkRecord.decode(ptp.encode()));
        NetworkRecord many = NetworkRecordFields.network(f -> {
            f.name = "h";
            f.bridge = "br2";
            f.mtu = 9000;
            f.ranges = java.util.List.of("198.18.0.10-198.18.0.20", "198.18.1.0-198.18.1.255");
            f.reserved = java.util.List.of("198.18.0.11", "fd00::9");
            f.hairpin = true;
            f.uplink = "up0";
        });
        assertEquals(many, NetworkRecord.decode(many.encode()));
        NetworkRecord pod = NetworkRecordFields.changed(dualStackPtp, f -> {
            f.name = "q";
            f.pod = new PodConfig(
                    false,
                    java.util.List.of("198.20.0.0/24", "fd00:20::/64=fd00:19::1"),
                    java.util.List.of("198.19.0.53"),
                    "cluster.local",
                    java.util.List.of("a.b", "c"),
                    java.util.List.of("ndots:5"));
        });
        assertEquals(pod, NetworkRecord.decode(pod.encode()));
        assertEquals(
                PodConfig.DEFAULT,
                NetworkRecord.decode(ptp.encode().replaceFirst("^9", "6").replaceAll("(\\|[^|]*){8}$", ""))
                        .pod(),
                "a version 6 record gives its pods a default route and nothing more");
        NetworkRecord masq = NetworkRecordFields.changed(pod, f -> f.ipMasq = true);
        assertEquals(masq, NetworkRecord.decode(masq.encode()));
        NetworkRecord v7 =
                NetworkRecord.decode(masq.encode().replaceFirst("^9", "7").replaceAll("(\\|[^|]*){2}$", ""));
        assertEquals(pod.pod(), v7.pod(), "a version 7 record keeps its pod settings");
        assertFalse(v7.ipMasq(), "a version 7 record does not masquerade");
        NetworkRecord v8 =
                NetworkRecord.decode(masq.encode().replaceFirst("^9", "8").replaceAll("\\|[^|]*$", ""));
        assertEquals(masq, v8, "a version 8 record reads as it was written, its gateway on the host ends");
        NetworkRecord linkLocal = NetworkRecordFields.changed(pod, f -> f.linkLocalGateway = true);
        assertEquals(linkLocal, NetworkRecord.decode(linkLocal.encode()));
        assertTrue(NetworkRecord.decode(linkLocal.encode()).linkLocalGateway());
    }

    @Test
    void recordsSurviveEncoding() {
        EndpointRecord r = new EndpointRecord(
                "abcdef0123456789",
                "eth1",
                "n",
                "/proc/1/ns/net",
                "pnx",
                "02:00:00:00:00:02",
                "198.18.0.9/16",
                "198.18.0.1",
                EndpointState.CREATING,
                5L,
                null,
                null,
                "tapeth1",
                null,
                null,
                null,
                1400,
                java.util.List.of("198.20.0.0/24 via 198.18.0.1", "fd00:20::/64 via fd00:18::1"),
                "",
                List.of("8080:80/tcp", "198.18.0.1:53:53/udp"));
        assertEquals(r, EndpointRecord.decode(r.encode()));
        EndpointRecord v1 = EndpointRecord.decode(
                "1\tc\teth0\tn\t/p\tpnx\t02:00:00:00:00:03\t198.18.0.3/16\t198.18.0.1\tREADY\t7\t\t");
        assertEquals("", v1.vmTap());
        assertEquals("abcdef0123456789/eth1", r.id(), "the whole container id: ids cannot collide");
        EndpointRecord withHostMac = new EndpointRecord(
                "c",
                "eth0",
                "n",
                "/p",
                "pnx",
                "02:00:00:00:00:03",
                "198.18.0.3/16",
                "198.18.0.1",
                EndpointState.READY,
                7L,
                null,
                null,
                null,
                null,
                null,
                null,
                0,
                null,
                "02:00:00:00:00:04",
                List.of());
        assertEquals(withHostMac, EndpointRecord.decode(withHostMac.encode()));
        EndpointRecord v5 =
                EndpointRecord.decode("5\tc\teth0\tn\t/p\tpnx\t02:00:00:00:00:03\t198.18.0.3/16\t198.18.0.1\tREADY\t7"
                        + "\t\t\t\t\t\t\t1400\t");
        assertEquals(1400, v5.mtu());
        assertEquals("", v5.hostMac());
        EndpointRecord v4 = EndpointRecord.decode(
                "4\tc\teth0\tn\t/p\tpnx\t02:00:00:00:00:03\t198.18.0.3/16\t198.18.0.1\tREADY\t7\t\t\t\t\t\tsb");
        assertEquals("sb", v4.sandboxKey());
        assertEquals(java.util.List.of(), v4.routes());
    }
}
