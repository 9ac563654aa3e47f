package dev.podnet.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.podnet.dataplane.internal.endpoint.HostNames;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harnesses' leak check sees what is left, and nothing else. */
@KernelTest
class KernelLeftoversTest {
    @Test
    void countsGlobalAddressesLeftInPodsAndHostEndsLeftInTheSandbox(Sandbox sandbox) throws Exception {
        List<String> pods = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            pods.add(sandbox.newNamespace("p" + i));
        }
        assertEquals(0, KernelLeftovers.podAddresses(pods));
        assertEquals(0, KernelLeftovers.hostLinks(sandbox.name()));

        // an address of each family in one pod, one more in another; lo's own are not global
        Sandbox.ipIn(pods.get(3), "addr", "add", "198.18.9.3/32", "dev", "lo");
        Sandbox.ipIn(pods.get(3), "addr", "add", "fd00:9::3/128", "dev", "lo");
        Sandbox.ipIn(pods.get(11), "addr", "add", "198.18.9.11/32", "dev", "lo");
        assertEquals(3, KernelLeftovers.podAddresses(pods));
        assertEquals(1, KernelLeftovers.podAddresses(pods.subList(11, 12)));

        // a host end named as podnet names them, and a link of another name that does not count
        sandbox.ip("link", "add", HostNames.hostIfName("left", "eth0"), "type", "veth", "peer", "name", "other0");
        assertEquals(1, KernelLeftovers.hostLinks(sandbox.name()));

        // a pod that is not there is an error, not "nothing left"
        assertThrows(IOException.class, () -> KernelLeftovers.podAddresses(List.of("pnt-no-such-namespace")));
    }
}
