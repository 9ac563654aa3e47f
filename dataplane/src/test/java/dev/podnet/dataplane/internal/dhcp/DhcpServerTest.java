package dev.podnet.dataplane.internal.dhcp;

import static dev.podnet.dataplane.internal.dhcp.DhcpMessageTest.ip;
import static dev.podnet.dataplane.internal.dhcp.DhcpMessageType.DHCPACK;
import static dev.podnet.dataplane.internal.dhcp.DhcpMessageType.DHCPDECLINE;
import static dev.podnet.dataplane.internal.dhcp.DhcpMessageType.DHCPDISCOVER;
import static dev.podnet.dataplane.internal.dhcp.DhcpMessageType.DHCPINFORM;
import static dev.podnet.dataplane.internal.dhcp.DhcpMessageType.DHCPNAK;
import static dev.podnet.dataplane.internal.dhcp.DhcpMessageType.DHCPOFFER;
import static dev.podnet.dataplane.internal.dhcp.DhcpMessageType.DHCPRELEASE;
import static dev.podnet.dataplane.internal.dhcp.DhcpMessageType.DHCPREQUEST;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.link.MacAddress;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DhcpServerTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final MacAddress VM_MAC = MacAddress.parse("52:54:00:12:34:56");
    private static final MacAddress OTHER_MAC = MacAddress.parse("52:54:00:65:43:21");
    private static final Inet4Address ANY = ip("0.0.0.0");
    private static final Inet4Address ADDRESS = ip("198.18.0.10");
    private static final Inet4Address GATEWAY = ip("198.18.0.1");
    private static final Inet4Address SERVER = GATEWAY;
    private static final int XID = 0x1234abcd;
    private static final DhcpLease LEASE = lease(List.of(
            new DhcpLease.Route(ip("198.18.0.0"), 15, GATEWAY),
            new DhcpLease.Route(ip("10.96.0.0"), 12, ip("198.18.0.254"))));

    private final DhcpServer server = new DhcpServer(LEASE);

    @Test
    void discoverGetsAnOfferOfTheLease() {
        DhcpMessage discover = BootpFrames.clientMessage(VM_MAC, XID, DHCPDISCOVER)
                .flags(DhcpMessage.BROADCAST_FLAG)
                .option(DhcpOptions.DHCP_PARAMETER_REQUEST_LIST, BootpFrames.PARAMETER_REQUEST_LIST)
                .build();

        DhcpMessage offer = server.answer(discover).orElseThrow();

        assertEquals(DhcpMessage.BOOTREPLY, offer.op());
        assertEquals(XID, offer.xid());
        assertEquals(DhcpMessage.HTYPE_ETHERNET, offer.htype());
        assertEquals(6, offer.hlen());
        assertEquals(DhcpMessage.BROADCAST_FLAG, offer.flags());
        assertArrayEquals(discover.chaddr(), offer.chaddr());
        assertEquals(ADDRESS, offer.yiaddr());
        assertEquals(ANY, offer.ciaddr());
        assertEquals(ANY, offer.siaddr());
        assertEquals(ANY, offer.giaddr());
        assertEquals(Optional.of(DHCPOFFER), offer.messageType());
        assertEquals(Optional.of(SERVER), offer.serverId());
        assertEquals(
                List.of(53, 54, 51, 58, 59, 1, 3, 6, 15, 26, 119, 121),
                List.copyOf(offer.options().keySet()));
        assertLeaseTimes(offer);
        assertConfiguration(offer);
        assertTrue(offer.encodedLength() <= DhcpServer.MAX_MESSAGE_LENGTH);
        assertEquals(offer, DhcpMessage.parse(offer.encode()));
    }

    @Test
    void optionsFollowTheParameterRequestListThenTheRest() {
        DhcpMessage discover = BootpFrames.clientMessage(VM_MAC, XID, DHCPDISCOVER)
                .option(DhcpOptions.DHCP_PARAMETER_REQUEST_LIST, new byte[] {121, 3, 42, 1})
                .build();

        DhcpMessage offer = server.answer(discover).orElseThrow();

        // 42 (NTP) is not configured, so it is not sent; 6, 15, 26 and 119 are, unasked
        assertEquals(
                List.of(53, 54, 51, 58, 59, 121, 3, 1, 6, 15, 26, 119),
                List.copyOf(offer.options().keySet()));
    }

    @Test
    void selectingRequestForTheOfferGetsAnAck() {
        DhcpMessage ack =
                server.answer(BootpFrames.request(VM_MAC, XID, ADDRESS, SERVER)).orElseThrow();

        assertEquals(Optional.of(DHCPACK), ack.messageType());
        assertEquals(XID, ack.xid());
        assertEquals(ADDRESS, ack.yiaddr());
        assertEquals(ANY, ack.ciaddr());
        assertEquals(Optional.of(SERVER), ack.serverId());
        assertLeaseTimes(ack);
        assertConfiguration(ack);
    }

    @Test
    void requestForAnotherAddressIsNaked() {
        DhcpMessage nak = server.answer(BootpFrames.request(VM_MAC, XID, ip("198.18.0.99"), SERVER))
                .orElseThrow();

        assertEquals(Optional.of(DHCPNAK), nak.messageType());
        assertEquals(XID, nak.xid());
        assertEquals(ANY, nak.yiaddr());
        assertEquals(ANY, nak.ciaddr());
        assertEquals(Optional.of(SERVER), nak.serverId());
        assertEquals(List.of(53, 54, 56), List.copyOf(nak.options().keySet()));
        String text = new String(nak.option(DhcpOptions.DHCP_MESSAGE).orElseThrow(), US_ASCII);
        assertTrue(text.contains("198.18.0.99"), text);
    }

    @Test
    void requestSelectingAnotherServerIsIgnored() {
        assertEquals(Optional.empty(), server.answer(BootpFrames.request(VM_MAC, XID, ADDRESS, ip("198.18.0.77"))));
    }

    @Test
    void initRebootRequestIsCheckedByTheRequestedAddress() {
        DhcpMessageBuilder reboot = BootpFrames.clientMessage(VM_MAC, XID, DHCPREQUEST);

        DhcpMessage ack = server.answer(reboot.option(DhcpOptions.DHCP_REQUESTED_ADDRESS, ADDRESS.getAddress())
                        .build())
                .orElseThrow();
        DhcpMessage nak = server.answer(reboot.option(
                                DhcpOptions.DHCP_REQUESTED_ADDRESS,
                                ip("10.0.0.5").getAddress())
                        .build())
                .orElseThrow();

        assertEquals(Optional.of(DHCPACK), ack.messageType());
        assertEquals(ADDRESS, ack.yiaddr());
        assertEquals(Optional.of(DHCPNAK), nak.messageType());
    }

    @Test
    void renewingRequestIsCheckedByCiaddr() {
        DhcpMessage renew = BootpFrames.clientMessage(VM_MAC, XID, DHCPREQUEST)
                .ciaddr(ADDRESS)
                .build();
        DhcpMessage stale = BootpFrames.clientMessage(VM_MAC, XID, DHCPREQUEST)
                .ciaddr(ip("198.18.0.11"))
                .build();
        DhcpMessage empty = BootpFrames.clientMessage(VM_MAC, XID, DHCPREQUEST).build();

        DhcpMessage ack = server.answer(renew).orElseThrow();
        assertEquals(Optional.of(DHCPACK), ack.messageType());
        assertEquals(ADDRESS, ack.ciaddr());
        assertEquals(ADDRESS, ack.yiaddr());
        assertLeaseTimes(ack);
        assertEquals(Optional.of(DHCPNAK), server.answer(stale).orElseThrow().messageType());
        assertEquals(Optional.of(DHCPNAK), server.answer(empty).orElseThrow().messageType());
    }

    @Test
    void anotherMacIsIgnored() {
        assertEquals(Optional.empty(), server.answer(BootpFrames.discover(OTHER_MAC, XID)));
        assertEquals(Optional.empty(), server.answer(BootpFrames.request(OTHER_MAC, XID, ADDRESS, SERVER)));
    }

    @Test
    void whatIsNotAnEthernetDhcpRequestIsIgnored() {
        DhcpMessage offerFromElsewhere =
                BootpFrames.clientMessage(VM_MAC, XID, DHCPOFFER).build();
        DhcpMessage reply = BootpFrames.clientMessage(VM_MAC, XID, DHCPDISCOVER)
                .op(DhcpMessage.BOOTREPLY)
                .build();
        DhcpMessage notEthernet =
                BootpFrames.clientMessage(VM_MAC, XID, DHCPDISCOVER).htype(6).build();
        DhcpMessage longHardwareAddress =
                BootpFrames.clientMessage(VM_MAC, XID, DHCPDISCOVER).hlen(8).build();
        DhcpMessage plainBootp = DhcpMessage.builder()
                .op(DhcpMessage.BOOTREQUEST)
                .xid(XID)
                .chaddr(VM_MAC.bytes())
                .build();

        for (DhcpMessage m : List.of(offerFromElsewhere, reply, notEthernet, longHardwareAddress, plainBootp)) {
            assertEquals(Optional.empty(), server.answer(m), m.toString());
        }
    }

    @Test
    void informGetsConfigurationWithoutAddressOrLeaseTime() {
        DhcpMessage inform = BootpFrames.clientMessage(VM_MAC, XID, DHCPINFORM)
                .ciaddr(ADDRESS)
                .build();

        DhcpMessage ack = server.answer(inform).orElseThrow();

        assertEquals(Optional.of(DHCPACK), ack.messageType());
        assertEquals(ANY, ack.yiaddr());
        assertEquals(ADDRESS, ack.ciaddr());
        assertFalse(ack.options().containsKey(DhcpOptions.DHCP_LEASE_TIME));
        assertFalse(ack.options().containsKey(DhcpOptions.DHCP_RENEWAL_TIME));
        assertFalse(ack.options().containsKey(DhcpOptions.DHCP_REBINDING_TIME));
        assertConfiguration(ack);
    }

    @Test
    void releaseAndDeclineGetNoAnswer() {
        DhcpMessage release = BootpFrames.clientMessage(VM_MAC, XID, DHCPRELEASE)
                .ciaddr(ADDRESS)
                .option(DhcpOptions.DHCP_SERVER_IDENTIFIER, SERVER.getAddress())
                .build();
        DhcpMessage decline = BootpFrames.clientMessage(VM_MAC, XID, DHCPDECLINE)
                .option(DhcpOptions.DHCP_REQUESTED_ADDRESS, ADDRESS.getAddress())
                .option(DhcpOptions.DHCP_SERVER_IDENTIFIER, SERVER.getAddress())
                .build();

        assertEquals(Optional.empty(), server.answer(release));
        assertEquals(Optional.empty(), server.answer(decline));
    }

    @Test
    void aRelayedNakHasTheBroadcastBit() {
        DhcpMessage relayed = BootpFrames.clientMessage(VM_MAC, XID, DHCPREQUEST)
                .giaddr(ip("10.9.9.1"))
                .option(DhcpOptions.DHCP_REQUESTED_ADDRESS, ip("10.9.9.50").getAddress())
                .build();

        DhcpMessage nak = server.answer(relayed).orElseThrow();

        assertEquals(Optional.of(DHCPNAK), nak.messageType());
        assertEquals(ip("10.9.9.1"), nak.giaddr());
        assertEquals(DhcpMessage.BROADCAST_FLAG, nak.flags() & DhcpMessage.BROADCAST_FLAG);
    }

    @Test
    void theClientIdentifierIsEchoed() {
        byte[] clientId = HEX.parseHex("01525400123456");
        DhcpMessage discover = BootpFrames.clientMessage(VM_MAC, XID, DHCPDISCOVER)
                .option(DhcpOptions.DHCP_CLIENT_IDENTIFIER, clientId)
                .build();

        DhcpMessage offer = server.answer(discover).orElseThrow();

        assertArrayEquals(
                clientId, offer.option(DhcpOptions.DHCP_CLIENT_IDENTIFIER).orElseThrow());
    }

    @Test
    void withoutRoutesOption3AloneCarriesTheGateway() {
        DhcpMessage offer = new DhcpServer(lease(List.of()))
                .answer(BootpFrames.discover(VM_MAC, XID))
                .orElseThrow();

        assertOption("c6120001", offer, DhcpOptions.ROUTERS);
        assertFalse(offer.options().containsKey(DhcpOptions.CLASSLESS_STATIC_ROUTE));
    }

    @Test
    void aDefaultRouteAmongTheRoutesIsNotAddedTwice() {
        DhcpLease lease = lease(List.of(
                new DhcpLease.Route(ip("169.254.169.254"), 32, ANY), DhcpLease.Route.defaultVia(ip("198.18.0.254"))));

        DhcpMessage offer =
                new DhcpServer(lease).answer(BootpFrames.discover(VM_MAC, XID)).orElseThrow();

        assertOption(
                "20" + "a9fea9fe" + "00000000" // 169.254.169.254/32 on-link: all 4 octets
                        + "00" + "c61200fe",
                offer,
                DhcpOptions.CLASSLESS_STATIC_ROUTE);
    }

    @Test
    void aLeaseWhoseReplyCannotFitIsRefused() {
        List<DhcpLease.Route> routes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            routes.add(new DhcpLease.Route(ip("10.0." + i + ".1"), 32, GATEWAY));
        }

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new DhcpServer(lease(routes)));
        assertTrue(e.getMessage().contains("1472"), e.getMessage());
    }

    @Test
    void leaseValidationNamesTheField() {
        assertInvalid(
                "prefixLength",
                () -> new DhcpLease(VM_MAC, ADDRESS, 33, GATEWAY, 0, null, null, null, null, 60, SERVER));
        assertInvalid(
                "leaseSeconds",
                () -> new DhcpLease(VM_MAC, ADDRESS, 24, GATEWAY, 0, null, null, null, null, 0, SERVER));
        assertInvalid("mtu", () -> new DhcpLease(VM_MAC, ADDRESS, 24, GATEWAY, 67, null, null, null, null, 60, SERVER));
        assertInvalid(
                "search",
                () -> new DhcpLease(VM_MAC, ADDRESS, 24, GATEWAY, 0, null, null, null, List.of("a..b"), 60, SERVER));
        assertInvalid(
                "domain",
                () -> new DhcpLease(VM_MAC, ADDRESS, 24, GATEWAY, 0, null, null, "pod.ex\u00e4mple", null, 60, SERVER));
        assertInvalid("destination", () -> new DhcpLease.Route(ip("198.18.0.1"), 15, GATEWAY));
        assertInvalid("6 bytes", () -> new MacAddress(new byte[5]));
        NullPointerException npe = assertThrows(
                NullPointerException.class,
                () -> new DhcpLease(null, ADDRESS, 24, GATEWAY, 0, null, null, null, null, 60, SERVER));
        assertEquals("clientMac", npe.getMessage());
    }

    private static void assertInvalid(String says, org.junit.jupiter.api.function.Executable make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }

    private static void assertLeaseTimes(DhcpMessage m) {
        assertOption("00000e10", m, DhcpOptions.DHCP_LEASE_TIME); // 3600 s
        assertOption("00000708", m, DhcpOptions.DHCP_RENEWAL_TIME); // T1: 1800 s
        assertOption("00000c4e", m, DhcpOptions.DHCP_REBINDING_TIME); // T2: 3150 s
    }

    private static void assertConfiguration(DhcpMessage m) {
        assertOption("ffffff00", m, DhcpOptions.SUBNET_MASK);
        assertOption("c6120001", m, DhcpOptions.ROUTERS);
        assertOption("c6120002" + "09090909", m, DhcpOptions.DOMAIN_NAME_SERVERS);
        assertOption(ascii("pod.example"), m, DhcpOptions.DOMAIN_NAME);
        assertOption("0578", m, DhcpOptions.INTERFACE_MTU); // 1400
        assertOption(
                "07" + ascii("default") + "03" + ascii("svc") + "07" + ascii("cluster") + "05" + ascii("local") + "00"
                        + "03" + ascii("svc") + "07" + ascii("cluster") + "05" + ascii("local") + "00",
                m,
                DhcpOptions.DOMAIN_SEARCH);
        // RFC 3442: prefix length, the significant octets of the destination, the router
        assertOption(
                "0f" + "c612" + "c6120001" // 198.18.0.0/15 via 198.18.0.1
                        + "0c" + "0a60" + "c61200fe" // 10.96.0.0/12 via 198.18.0.254
                        + "00" + "c6120001", // 0.0.0.0/0 via the gateway, since 121 makes clients ignore 3
                m,
                DhcpOptions.CLASSLESS_STATIC_ROUTE);
    }

    private static void assertOption(String expectedHex, DhcpMessage m, int code) {
        assertEquals(
                expectedHex,
                HEX.formatHex(m.option(code).orElseThrow(() -> new AssertionError("no option " + code + " in " + m))));
    }

    private static String ascii(String s) {
        return HEX.formatHex(s.getBytes(US_ASCII));
    }

    private static DhcpLease lease(List<DhcpLease.Route> routes) {
        return new DhcpLease(
                VM_MAC,
                ADDRESS,
                24,
                GATEWAY,
                1400,
                routes,
                List.of(ip("198.18.0.2"), ip("9.9.9.9")),
                "pod.example",
                List.of("default.svc.cluster.local", "svc.cluster.local"),
                3600,
                SERVER);
    }
}
