package dev.podnet.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The words iproute2 prints ({@code ip -j link / addr / route}), for every number it names. */
class IprouteNamesTest {
    @Test
    void linkFlagsInIproute2sOrder() {
        assertEquals(List.of(), IprouteNames.linkFlags(0));
        // UP | BROADCAST | RUNNING | MULTICAST | LOWER_UP: RUNNING itself is not printed
        assertEquals(List.of("BROADCAST", "MULTICAST", "UP", "LOWER_UP"), IprouteNames.linkFlags(0x11043));
        assertEquals(List.of("LOOPBACK", "UP", "LOWER_UP"), IprouteNames.linkFlags(0x10049));
        assertEquals(List.of(), IprouteNames.linkFlags(0x40));
        assertEquals(
                List.of("BROADCAST", "MULTICAST"),
                IprouteNames.linkFlags(0x1002),
                "down, without carrier: no NO-CARRIER");
    }

    @Test
    void upWithoutRunningIsNoCarrier() {
        assertEquals(List.of("NO-CARRIER", "BROADCAST", "MULTICAST", "UP"), IprouteNames.linkFlags(0x1003));
        assertEquals(List.of("NO-CARRIER", "UP"), IprouteNames.linkFlags(0x1));
    }

    @Test
    void everyFlagByName() {
        assertEquals(
                List.of(
                        "LOOPBACK",
                        "BROADCAST",
                        "POINTOPOINT",
                        "MULTICAST",
                        "NOARP",
                        "ALLMULTI",
                        "PROMISC",
                        "MASTER",
                        "SLAVE",
                        "DEBUG",
                        "DYNAMIC",
                        "AUTOMEDIA",
                        "PORTSEL",
                        "NOTRAILERS",
                        "UP",
                        "LOWER_UP",
                        "DORMANT",
                        "ECHO"),
                IprouteNames.linkFlags(0x7ffff));
        assertEquals(List.of("POINTOPOINT", "NOARP"), IprouteNames.linkFlags(0x90));
        assertEquals(List.of("PROMISC", "MASTER", "SLAVE"), IprouteNames.linkFlags(0xd00));
        assertEquals(List.of("DEBUG", "DYNAMIC", "AUTOMEDIA", "PORTSEL", "NOTRAILERS"), IprouteNames.linkFlags(0xe024));
        assertEquals(List.of("ALLMULTI", "DORMANT", "ECHO"), IprouteNames.linkFlags(0x60200));
    }

    @Test
    void unknownFlagBitsAreLeftInHex() {
        assertEquals(List.of("100000"), IprouteNames.linkFlags(0x100040));
        assertEquals(List.of("NO-CARRIER", "UP", "80000"), IprouteNames.linkFlags(0x80001));
        assertEquals(List.of("BROADCAST", "fff00000"), IprouteNames.linkFlags(0xfff00042));
    }

    @Test
    void operStates() {
        assertEquals("UNKNOWN", IprouteNames.operState(0));
        assertEquals("NOTPRESENT", IprouteNames.operState(1));
        assertEquals("DOWN", IprouteNames.operState(2));
        assertEquals("LOWERLAYERDOWN", IprouteNames.operState(3));
        assertEquals("TESTING", IprouteNames.operState(4));
        assertEquals("DORMANT", IprouteNames.operState(5));
        assertEquals("UP", IprouteNames.operState(6));
        assertEquals("7", IprouteNames.operState(7));
    }

    @Test
    void linkTypes() {
        assertEquals("ether", IprouteNames.linkType(1));
        assertEquals("loopback", IprouteNames.linkType(772));
        assertEquals("none", IprouteNames.linkType(65534));
        assertEquals("ipip", IprouteNames.linkType(768));
        assertEquals("sit", IprouteNames.linkType(776));
        assertEquals("gre", IprouteNames.linkType(778));
        assertEquals("ip6gre", IprouteNames.linkType(823));
        assertEquals("tunnel6", IprouteNames.linkType(769));
        assertEquals("[24]", IprouteNames.linkType(24));
    }

    @Test
    void scopes() {
        assertEquals("global", IprouteNames.scope(0));
        assertEquals("site", IprouteNames.scope(200));
        assertEquals("link", IprouteNames.scope(253));
        assertEquals("host", IprouteNames.scope(254));
        assertEquals("nowhere", IprouteNames.scope(255));
        assertEquals("100", IprouteNames.scope(100));
    }

    @Test
    void protocols() {
        String[] expected = {"unspec", "redirect", "kernel", "boot", "static"};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], IprouteNames.protocol(i));
        }
        assertEquals("5", IprouteNames.protocol(5));
        assertEquals("gated", IprouteNames.protocol(8));
        assertEquals("ra", IprouteNames.protocol(9));
        assertEquals("mrt", IprouteNames.protocol(10));
        assertEquals("zebra", IprouteNames.protocol(11));
        assertEquals("bird", IprouteNames.protocol(12));
        assertEquals("dnrouted", IprouteNames.protocol(13));
        assertEquals("xorp", IprouteNames.protocol(14));
        assertEquals("ntk", IprouteNames.protocol(15));
        assertEquals("dhcp", IprouteNames.protocol(16));
        assertEquals("mrouted", IprouteNames.protocol(17));
        assertEquals("keepalived", IprouteNames.protocol(18));
        assertEquals("babel", IprouteNames.protocol(42));
        assertEquals("openr", IprouteNames.protocol(99));
        assertEquals("bgp", IprouteNames.protocol(186));
        assertEquals("isis", IprouteNames.protocol(187));
        assertEquals("ospf", IprouteNames.protocol(188));
        assertEquals("rip", IprouteNames.protocol(189));
        assertEquals("eigrp", IprouteNames.protocol(192));
        assertEquals("255", IprouteNames.protocol(255));
    }

    @Test
    void routeTypes() {
        String[] expected = {
            "none",
            "unicast",
            "local",
            "broadcast",
            "anycast",
            "multicast",
            "blackhole",
            "unreachable",
            "prohibit",
            "throw",
            "nat",
            "xresolve"
        };
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], IprouteNames.routeType(i));
        }
        assertEquals("12", IprouteNames.routeType(12));
    }

    @Test
    void tables() {
        assertEquals("default", IprouteNames.table(253));
        assertEquals("main", IprouteNames.table(254));
        assertEquals("local", IprouteNames.table(255));
        assertEquals("0", IprouteNames.table(0));
        assertEquals("100", IprouteNames.table(100));
    }

    @Test
    void families() {
        assertEquals("inet", IprouteNames.family(Rtm.AF_INET));
        assertEquals("inet6", IprouteNames.family(Rtm.AF_INET6));
        assertEquals("bridge", IprouteNames.family(Rtm.AF_BRIDGE));
        assertEquals("link", IprouteNames.family(17));
        assertEquals("0", IprouteNames.family(Rtm.AF_UNSPEC));
    }

    @Test
    void addressesAsIproute2WritesThem() throws Exception {
        assertEquals("198.18.0.1", IprouteNames.address(InetAddress.getByName("198.18.0.1")));
        assertEquals("255.0.128.7", IprouteNames.address(InetAddress.getByName("255.0.128.7")));
        assertEquals("::", IprouteNames.address(InetAddress.getByName("::")));
        assertEquals("1::", IprouteNames.address(InetAddress.getByName("1:0:0:0:0:0:0:0")));
        assertEquals("fd00::abcd", IprouteNames.address(InetAddress.getByName("FD00::ABCD")));
        assertEquals("ffff:8000::1", IprouteNames.address(InetAddress.getByName("ffff:8000:0:0:0:0:0:1")));
        assertEquals(
                "1:0:2:3:4:5:6:7",
                IprouteNames.address(InetAddress.getByName("1:0:2:3:4:5:6:7")),
                "one zero group stays");
        assertEquals(
                "1::2:0:0:3:4",
                IprouteNames.address(InetAddress.getByName("1:0:0:2:0:0:3:4")),
                "the first of equal runs");
        assertEquals("1:0:0:2::3", IprouteNames.address(InetAddress.getByName("1:0:0:2:0:0:0:3")), "the longest run");
        assertEquals(
                "fe80::209a:2fff:fea4:e240", IprouteNames.address(InetAddress.getByName("fe80::209a:2fff:fea4:e240")));
    }
}
