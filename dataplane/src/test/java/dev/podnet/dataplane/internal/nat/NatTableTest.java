package dev.podnet.dataplane.internal.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.NetworkMode;
import dev.podnet.dataplane.PortMapping;
import dev.podnet.dataplane.internal.netns.NetnsThread;
import dev.podnet.dataplane.internal.netns.RtnlExecutor;
import dev.podnet.dataplane.internal.state.NetworkRecord;
import dev.podnet.dataplane.internal.state.PodConfig;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The table's elements as nft reads them, on both ways of deleting: the idempotent
 * {@code DESTROYSETELEM} of kernels from 6.3, and the one-by-one {@code DELSETELEM} of older ones
 * (forced here: this kernel takes the first by itself). Removing twice, or what was never added,
 * is no error either way.
 */
@KernelTest
class NatTableTest {
    private static final Duration T = Duration.ofSeconds(20);

    private static NetworkRecord network(boolean masq) {
        return new NetworkRecord(
                "n1",
                NetworkMode.BRIDGE,
                "pnbr7",
                "198.19.7.0/24",
                "198.19.7.1",
                0,
                List.of(),
                List.of(),
                false,
                false,
                "",
                "fd00:197::/64",
                "fd00:197::1",
                List.of(),
                false,
                PodConfig.DEFAULT,
                masq,
                false);
    }

    private static String nft(Sandbox sandbox) throws Exception {
        return Sandbox.run("ip", "netns", "exec", sandbox.name(), "nft", "list", "table", "inet", NatTable.TABLE);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void elementsComeAndGoOnEitherWayOfDeleting(boolean oldKernel, Sandbox sandbox) throws Exception {
        NetnsThread netns = NetnsThread.start();
        RtnlExecutor rtnl = RtnlExecutor.start(netns);
        NatTable nat = new NatTable(rtnl, NetNs.named(sandbox.name()));
        try {
            if (oldKernel) {
                nat.deleteAsOldKernels();
            }
            NetworkRecord n = network(true);
            List<PortMapping> ports = List.of(PortMapping.parse("8080:80"), PortMapping.parse("198.19.7.1:53:53/udp"));
            // nothing to remove yet: no table, no error
            nat.removePorts(ports, true, true).block(T);
            nat.addNetwork(n).block(T);
            nat.addNetwork(n).block(T); // again: no change, no error
            nat.addPorts(
                            n,
                            "c1/eth0",
                            ports,
                            (Inet4Address) Cidr.parseAddress("198.19.7.2", "a"),
                            Cidr.parseAddress("fd00:197::2", "a"),
                            "pnunused0")
                    .block(T);
            String listed = nft(sandbox);
            assertTrue(listed.contains("198.19.7.0/24"), listed);
            assertTrue(listed.contains("fd00:197::/64"), listed);
            assertTrue(listed.contains("\"pnbr7\""), listed);
            assertTrue(listed.contains("tcp . 8080 comment \"podnet:c1/eth0\" : 198.19.7.2 . 80"), listed);
            assertTrue(listed.contains("tcp . 8080 comment \"podnet:c1/eth0\" : fd00:197::2 . 80"), listed);
            assertTrue(listed.contains("198.19.7.1 . udp . 53 comment \"podnet:c1/eth0\" : 198.19.7.2 . 53"), listed);

            nat.removePorts(ports, true, true).block(T);
            nat.removePorts(ports, true, true).block(T); // gone already: no error
            nat.removeNetwork(n).block(T);
            nat.removeNetwork(n).block(T);
            listed = nft(sandbox);
            assertFalse(listed.contains("8080") || listed.contains("198.19.7.0") || listed.contains("pnbr7"), listed);
            assertEquals(1, countOf(listed, "table inet podnet"), "the table stays, empty");
        } finally {
            nat.close();
            rtnl.close();
            netns.close();
        }
    }

    private static int countOf(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void theTableIsMadeOnceWhateverElseHoldsTables(Sandbox sandbox) throws Exception {
        // another inet table in the namespace: podnet's is still made (the kernel lists every table)
        Sandbox.run("ip", "netns", "exec", sandbox.name(), "nft", "add", "table", "inet", "other");
        NetnsThread netns = NetnsThread.start();
        RtnlExecutor rtnl = RtnlExecutor.start(netns);
        NatTable nat = new NatTable(rtnl, NetNs.named(sandbox.name()));
        try {
            nat.addNetwork(network(true)).block(T);
            assertTrue(nft(sandbox).contains("198.19.7.0/24"));
        } finally {
            nat.close();
            rtnl.close();
            netns.close();
        }
    }
}
