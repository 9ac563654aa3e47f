package dev.podnet.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.internal.dhcp.BootpFrames;
import dev.podnet.dataplane.internal.dhcp.DhcpMessage;
import dev.podnet.dataplane.internal.dhcp.DhcpMessageType;
import dev.podnet.dataplane.internal.dhcp.DhcpOptions;
import dev.podnet.dataplane.internal.engine.StepObserver;
import dev.podnet.dataplane.internal.link.TapDevices;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.internal.sys.LibC;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A VM endpoint serves its VM, by DHCP on the tap, its address and routes:
 * frames written into the tap as a VM would (DHCPDISCOVER, DHCPREQUEST) get an OFFER and an ACK
 * back through the tap, with the address, gateway, routes, MTU and DNS; and the wire between the
 * tap and the sandbox interface carries the VM's ARP for its gateway out and the answer back.
 */
@KernelTest
class VmDhcpTest extends DataplaneTestBase {
    /** The virtio-net header a tap made for VMMs puts before every frame. */
    private static final int VNET_HDR = 10;

    @Test
    @SuppressWarnings("try") // the dataplane is closed early on purpose: the restart
    void theVmGetsItsLeaseThroughTheTapAndAgainAfterARestart(Sandbox sandbox) throws Exception {
        String pod = sandbox.newNamespace("vm");
        try (Dataplane dp = open(sandbox, StepObserver.NONE)) {
            create(
                    dp,
                    NetworkSpec.bridge("vmnet", "pnbr3", "198.19.30.0/24")
                            .withMtu(1400)
                            .withRoute("198.20.0.0/24", null)
                            .withDns(
                                    List.of("198.19.30.53", "fd00:53::1"),
                                    "cluster.local",
                                    List.of("svc.cluster.local"),
                                    List.of()));
            dp.endpoints()
                    .add(EndpointSpec.of("vmnet", "vm1", NetNs.named(pod)).withVm(true))
                    .block(T);
            Endpoint r = dp.endpoints().get("vm1", "eth0").block(T);
            assertTrue(
                    Sandbox.ipIn(pod, "link", "show", "tapeth0").contains("mtu 1400"),
                    "the tap carries the endpoint's MTU");
            MacAddress vmMac = MacAddress.parse(r.mac());
            // the CNI result lists the tap, with the VM's MAC, and the IPs point at it
            java.util.Map<String, Object> cni =
                    CniResult.of(r, dp.networks().get("vmnet").block(T));
            @SuppressWarnings("unchecked")
            List<java.util.Map<String, Object>> ifs = (List<java.util.Map<String, Object>>) cni.get("interfaces");
            assertEquals(
                    List.of(r.hostIfName(), "eth0", "tapeth0"),
                    ifs.stream().map(i -> i.get("name")).toList());
            assertEquals(r.mac(), ifs.get(2).get("mac"));
            assertEquals("/run/netns/" + pod, ifs.get(2).get("sandbox"));
            @SuppressWarnings("unchecked")
            List<java.util.Map<String, Object>> ips = (List<java.util.Map<String, Object>>) cni.get("ips");
            assertEquals(2, ips.get(0).get("interface"));
            Inet4Address address = (Inet4Address) Cidr.parse(r.address()).address();
            Inet4Address gateway = (Inet4Address) Cidr.parseAddress("198.19.30.1", "gw");

            int tap = Sandbox.insideNamespace(
                    java.nio.file.Path.of("/run/netns", pod), () -> TapDevices.attach("tapeth0"));
            try {
                DhcpMessage offer = exchange(tap, vmMac, BootpFrames.discover(vmMac, 0x1234), 0x1234);
                assertEquals(DhcpMessageType.DHCPOFFER, offer.messageType().orElseThrow());
                assertEquals(address, offer.yiaddr());
                assertLease(offer, gateway);

                DhcpMessage ack = exchange(tap, vmMac, BootpFrames.request(vmMac, 0x1235, address, gateway), 0x1235);
                assertEquals(DhcpMessageType.DHCPACK, ack.messageType().orElseThrow());
                assertEquals(address, ack.yiaddr());
                assertLease(ack, gateway);

                // the VM, now holding its address, asks for its gateway's MAC: the host bridge answers it
                byte[] gatewayMac = arpFor(tap, vmMac, address, gateway);
                assertEquals(
                        MacAddress.parse(sandbox.ip("-o", "link", "show", "pnbr3")
                                .replaceAll("(?s).*link/ether (\\S+).*", "$1")),
                        new MacAddress(gatewayMac),
                        "the answer is the host bridge's");
                assertTrue(
                        sandbox.ip("neigh", "show", address.getHostAddress()).contains(r.mac()),
                        "and the host learned the VM's MAC from it");

                // a restarted dataplane serves the VM again (its renewals and rebinds)
                dp.close();
                try (Dataplane again = Dataplane.open(DataplaneOptions.of(state).hostNetns(NetNs.named(sandbox.name())))
                        .block(T)) {
                    DhcpMessage renewed = exchange(tap, vmMac, BootpFrames.discover(vmMac, 0x1236), 0x1236);
                    assertEquals(address, renewed.yiaddr());
                    again.endpoints().remove("vm1", "eth0").block(T);
                }
            } finally {
                LibC.close(tap);
            }
            assertNoHostLinks(sandbox);
        }
    }

    private static void assertLease(DhcpMessage m, Inet4Address gateway) {
        assertArrayEquals(
                new byte[] {(byte) 255, (byte) 255, (byte) 255, 0},
                m.option(DhcpOptions.SUBNET_MASK).orElseThrow());
        assertArrayEquals(gateway.getAddress(), m.option(DhcpOptions.ROUTERS).orElseThrow());
        assertArrayEquals(gateway.getAddress(), m.serverId().orElseThrow().getAddress());
        assertArrayEquals(
                new byte[] {0x05, 0x78}, m.option(DhcpOptions.INTERFACE_MTU).orElseThrow(), "MTU 1400");
        assertArrayEquals(
                new byte[] {(byte) 198, 19, 30, 53},
                m.option(DhcpOptions.DOMAIN_NAME_SERVERS).orElseThrow(),
                "the IPv4 nameserver only");
        assertEquals(
                "cluster.local", new String(m.option(DhcpOptions.DOMAIN_NAME).orElseThrow()));
        // RFC 3442: 198.20.0.0/24 via 198.19.30.1, then the default route via the gateway
        assertEquals(
                "18c61400c6131e01" + "00c6131e01",
                HexFormat.of()
                        .formatHex(m.option(DhcpOptions.CLASSLESS_STATIC_ROUTE).orElseThrow()));
    }

    /**
     * Writes an ARP request for {@code target} into the tap as the VM ({@code vm} at {@code self}),
     * and reads frames until the reply comes back; returns the MAC it gives.
     */
    private static byte[] arpFor(int tap, MacAddress vm, Inet4Address self, Inet4Address target) throws Exception {
        ByteBuffer f = ByteBuffer.allocate(42);
        f.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(vm.bytes()).putShort((short) 0x0806);
        f.putShort((short) 1)
                .putShort((short) 0x0800)
                .put((byte) 6)
                .put((byte) 4)
                .putShort((short) 1);
        f.put(vm.bytes()).put(self.getAddress()).put(new byte[6]).put(target.getAddress());
        return writeAndAwait(tap, f.array(), "no ARP reply from " + target.getHostAddress(), (buf, n) -> {
            ByteBuffer in = ByteBuffer.wrap(buf, 0, n);
            boolean reply = n >= 42 && in.getShort(12) == 0x0806 && in.getShort(20) == 2;
            return reply && Arrays.equals(Arrays.copyOfRange(buf, 28, 32), target.getAddress())
                    ? Arrays.copyOfRange(buf, 22, 28)
                    : null;
        });
    }

    /** Writes {@code request} into the tap as the VM, and reads frames until the answer with {@code xid} comes back. */
    private static DhcpMessage exchange(int tap, MacAddress vm, DhcpMessage request, int xid) throws Exception {
        return writeAndAwait(
                tap,
                BootpFrames.clientFrame(vm, request),
                "no DHCP answer to xid " + Integer.toHexString(xid),
                (buf, n) -> {
                    var received = BootpFrames.parse(buf, 0, n);
                    if (received.isPresent()
                            && received.get().message().xid() == xid
                            && received.get().message().op() == DhcpMessage.BOOTREPLY) {
                        assertEquals(67, received.get().sourcePort());
                        assertEquals(68, received.get().destinationPort());
                        return received.get().message();
                    }
                    return null;
                });
    }

    /** What a frame read from the tap answers, or null for a frame that is not the answer. */
    private interface Answer<T> {
        T of(byte[] frame, int length);
    }

    /**
     * Writes {@code frame} into the tap as the VM (behind the virtio-net header), then reads frames
     * for 5 s until {@code answer} finds its answer in one; fails with {@code missing} otherwise.
     */
    private static <T> T writeAndAwait(int tap, byte[] frame, String missing, Answer<T> answer) throws Exception {
        byte[] withHeader = new byte[VNET_HDR + frame.length];
        System.arraycopy(frame, 0, withHeader, VNET_HDR, frame.length);
        LibC.write(tap, withHeader);
        byte[] buf = new byte[65536];
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            int n = LibC.read(tap, buf);
            if (n < VNET_HDR) {
                Thread.sleep(5);
                continue;
            }
            T found = answer.of(Arrays.copyOfRange(buf, VNET_HDR, n), n - VNET_HDR);
            if (found != null) {
                return found;
            }
        }
        throw new AssertionError(missing + " came back through the tap");
    }
}
