package dev.podnet.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The words iproute2 prints ({@code ip -j link / addr / route}), for every number it names. */
class IprouteNamesTest {
    private static final int IFF_RUNNING = 0x40;

    /** Every flag bit iproute2 names, in the order it prints them. */
    private static final List<Map.Entry<Integer, String>> FLAGS_IN_PRINT_ORDER = List.of(
            Map.entry(0x8, "LOOPBACK"),
            Map.entry(0x2, "BROADCAST"),
            Map.entry(0x10, "POINTOPOINT"),
            Map.entry(0x1000, "MULTICAST"),
            Map.entry(0x80, "NOARP"),
            Map.entry(0x200, "ALLMULTI"),
            Map.entry(0x100, "PROMISC"),
            Map.entry(0x400, "MASTER"),
            Map.entry(0x800, "SLAVE"),
            Map.entry(0x4, "DEBUG"),
            Map.entry(0x8000, "DYNAMIC"),
            Map.entry(0x4000, "AUTOMEDIA"),
            Map.entry(0x2000, "PORTSEL"),
            Map.entry(0x20, "NOTRAILERS"),
            Map.entry(0x1, "UP"),
            Map.entry(0x10000, "LOWER_UP"),
            Map.entry(0x20000, "DORMANT"),
            Map.entry(0x40000, "ECHO"));

    static Stream<Arguments> linkFlags() {
        return Stream.of(
                Arguments.of(0, List.of(), "none"),
                Arguments.of(
                        0x11043,
                        List.of("BROADCAST", "MULTICAST", "UP", "LOWER_UP"),
                        "UP | BROADCAST | RUNNING | MULTICAST | LOWER_UP: RUNNING itself is not printed"),
                Arguments.of(0x10049, List.of("LOOPBACK", "UP", "LOWER_UP"), "loopback, up"),
                Arguments.of(0x40, List.of(), "RUNNING alone"),
                Arguments.of(0x1002, List.of("BROADCAST", "MULTICAST"), "down, without carrier: no NO-CARRIER"),
                Arguments.of(0x1003, List.of("NO-CARRIER", "BROADCAST", "MULTICAST", "UP"), "up without running"),
                Arguments.of(0x1, List.of("NO-CARRIER", "UP"), "UP alone"),
                Arguments.of(0x90, List.of("POINTOPOINT", "NOARP"), "some flags"),
                Arguments.of(0xd00, List.of("PROMISC", "MASTER", "SLAVE"), "some flags"),
                Arguments.of(0xe024, List.of("DEBUG", "DYNAMIC", "AUTOMEDIA", "PORTSEL", "NOTRAILERS"), "some flags"),
                Arguments.of(0x60200, List.of("ALLMULTI", "DORMANT", "ECHO"), "some flags"),
                Arguments.of(0x100040, List.of("100000"), "an unknown bit is left in hex"),
                Arguments.of(0x80001, List.of("NO-CARRIER", "UP", "80000"), "an unknown bit is left in hex"),
                Arguments.of(0xfff00042, List.of("BROADCAST", "fff00000"), "unknown bits are left in hex"));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource
    void linkFlags(int flags, List<String> expected, String why) {
        assertEquals(expected, IprouteNames.linkFlags(flags), why);
    }

    @Test
    void everyFlagByNameInIproute2sOrder() {
        int all = IFF_RUNNING;
        List<String> names = new ArrayList<>();
        for (Map.Entry<Integer, String> flag : FLAGS_IN_PRINT_ORDER) {
            assertEquals(List.of(flag.getValue()), IprouteNames.linkFlags(flag.getKey() | IFF_RUNNING));
            all |= flag.getKey();
            names.add(flag.getValue());
        }
        assertEquals(0x7ffff, all, "every bit up to ECHO");
        assertEquals(names, IprouteNames.linkFlags(all));
    }

    @ParameterizedTest
    @CsvSource({
        "0, UNKNOWN",
        "1, NOTPRESENT",
        "2, DOWN",
        "3, LOWERLAYERDOWN",
        "4, TESTING",
        "5, DORMANT",
        "6, UP",
        "7, 7",
    })
    void operStates(int state, String name) {
        assertEquals(name, IprouteNames.operState(state));
    }

    @ParameterizedTest
    @CsvSource({
        "1, ether",
        "772, loopback",
        "65534, none",
        "768, ipip",
        "776, sit",
        "778, gre",
        "823, ip6gre",
        "769, tunnel6",
        "24, [24]",
    })
    void linkTypes(int type, String name) {
        assertEquals(name, IprouteNames.linkType(type));
    }

    @ParameterizedTest
    @CsvSource({"0, global", "200, site", "253, link", "254, host", "255, nowhere", "100, 100"})
    void scopes(int scope, String name) {
        assertEquals(name, IprouteNames.scope(scope));
    }

    @ParameterizedTest
    @CsvSource({
        "0, unspec",
        "1, redirect",
        "2, kernel",
        "3, boot",
        "4, static",
        "5, 5",
        "8, gated",
        "9, ra",
        "10, mrt",
        "11, zebra",
        "12, bird",
        "13, dnrouted",
        "14, xorp",
        "15, ntk",
        "16, dhcp",
        "17, mrouted",
        "18, keepalived",
        "42, babel",
        "99, openr",
        "186, bgp",
        "187, isis",
        "188, ospf",
        "189, rip",
        "192, eigrp",
        "255, 255",
    })
    void protocols(int protocol, String name) {
        assertEquals(name, IprouteNames.protocol(protocol));
    }

    @ParameterizedTest
    @CsvSource({
        "0, none",
        "1, unicast",
        "2, local",
        "3, broadcast",
        "4, anycast",
        "5, multicast",
        "6, blackhole",
        "7, unreachable",
        "8, prohibit",
        "9, throw",
        "10, nat",
        "11, xresolve",
        "12, 12",
    })
    void routeTypes(int type, String name) {
        assertEquals(name, IprouteNames.routeType(type));
    }

    @ParameterizedTest
    @CsvSource({"253, default", "254, main", "255, local", "0, 0", "100, 100"})
    void tables(int table, String name) {
        assertEquals(name, IprouteNames.table(table));
    }

    @Test
    void families() {
        assertEquals("inet", IprouteNames.family(Rtm.AF_INET));
        assertEquals("inet6", IprouteNames.family(Rtm.AF_INET6));
        assertEquals("bridge", IprouteNames.family(Rtm.AF_BRIDGE));
        assertEquals("link", IprouteNames.family(17));
        assertEquals("0", IprouteNames.family(Rtm.AF_UNSPEC));
    }

    @ParameterizedTest(name = "{0} is written {1}")
    @CsvSource({
        "198.18.0.1, 198.18.0.1, ",
        "255.0.128.7, 255.0.128.7, ",
        "::, ::, ",
        "1:0:0:0:0:0:0:0, 1::, ",
        "FD00::ABCD, fd00::abcd, ",
        "ffff:8000:0:0:0:0:0:1, ffff:8000::1, ",
        "1:0:2:3:4:5:6:7, 1:0:2:3:4:5:6:7, one zero group stays",
        "1:0:0:2:0:0:3:4, 1::2:0:0:3:4, the first of equal runs",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3, the longest run",
        "fe80::209a:2fff:fea4:e240, fe80::209a:2fff:fea4:e240, ",
        "::1, ::1, ",
        "fd00:0:0:0:0:0:0:9, fd00::9, ",
        "fd00:1:0:0:1:0:0:1, fd00:1::1:0:0:1, ",
        "fe80::, fe80::, ",
        "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8, ",
        "1:0:2:0:0:0:0:3, 1:0:2::3, ",
    })
    void addressesAsIproute2WritesThem(String literal, String expected, String why) throws Exception {
        assertEquals(expected, IprouteNames.address(InetAddress.getByName(literal)), why);
    }
}
