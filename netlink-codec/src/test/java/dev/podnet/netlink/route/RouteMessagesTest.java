package dev.podnet.netlink.route;

import static dev.podnet.netlink.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RawMessage;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** rtnetlink's message factory: which class each type decodes to, and how a failed request is described. */
class RouteMessagesTest {
    private static final RouteMessages F = RouteMessages.INSTANCE;

    private static NetlinkMessage decode(int type, int bodyLength) {
        return F.decode(type, 0, 1, 0, Unpooled.wrappedBuffer(new byte[bodyLength]));
    }

    static Stream<Arguments> messageClasses() {
        return Stream.of(
                arguments(
                        LinkMessage.class,
                        LinkMessage.HEADER_LENGTH,
                        List.of(Rtm.RTM_NEWLINK, Rtm.RTM_DELLINK, Rtm.RTM_GETLINK, Rtm.RTM_SETLINK)),
                arguments(
                        AddressMessage.class,
                        AddressMessage.HEADER_LENGTH,
                        List.of(Rtm.RTM_NEWADDR, Rtm.RTM_DELADDR, Rtm.RTM_GETADDR)),
                arguments(
                        RouteMessage.class,
                        RouteMessage.HEADER_LENGTH,
                        List.of(Rtm.RTM_NEWROUTE, Rtm.RTM_DELROUTE, Rtm.RTM_GETROUTE)),
                arguments(
                        NeighbourMessage.class,
                        NeighbourMessage.HEADER_LENGTH,
                        List.of(Rtm.RTM_NEWNEIGH, Rtm.RTM_DELNEIGH, Rtm.RTM_GETNEIGH)),
                arguments(
                        NsidMessage.class,
                        NsidMessage.HEADER_LENGTH,
                        List.of(Rtm.RTM_NEWNSID, Rtm.RTM_DELNSID, Rtm.RTM_GETNSID)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messageClasses")
    void eachTypeDecodesToItsMessageFromABareFixedHeader(
            Class<? extends NetlinkMessage> messageClass, int headerLength, List<Integer> types) {
        for (int type : types) {
            assertEquals(
                    type,
                    assertInstanceOf(messageClass, decode(type, headerLength)).type());
        }
    }

    static Stream<Arguments> bodiesShorterThanTheirFixedHeader() {
        return Stream.of(
                arguments(
                        Rtm.RTM_NEWLINK,
                        "00 00 01 00 07 00 00 00 02 10 00 00 00 00 00",
                        "RTM_NEWLINK body of 15 bytes, ifinfomsg needs 16"),
                arguments(Rtm.RTM_DELADDR, "02 18 00 00 02 00 00", "RTM_DELADDR body of 7 bytes, ifaddrmsg needs 8"),
                arguments(
                        Rtm.RTM_GETROUTE,
                        "02 00 00 00 fe 02 00 01 00 00 00",
                        "RTM_GETROUTE body of 11 bytes, rtmsg needs 12"),
                arguments(
                        Rtm.RTM_NEWNEIGH,
                        "00 00 00 00 00 00 00 00 00 00 00",
                        "RTM_NEWNEIGH body of 11 bytes, ndmsg needs 12"),
                arguments(Rtm.RTM_NEWNSID, "00 00 00", "RTM_NEWNSID body of 3 bytes, rtgenmsg needs 4"));
    }

    @ParameterizedTest
    @MethodSource("bodiesShorterThanTheirFixedHeader")
    void aBodyShorterThanItsFixedHeaderIsRefused(int type, String body, String error) {
        NetlinkDecodeException e = assertThrows(
                NetlinkDecodeException.class, () -> F.decode(type, 0, 0, 0, Unpooled.wrappedBuffer(bytes(body))));
        assertEquals(error, e.getMessage());
    }

    @Test
    void otherTypesAreNotRtnetlinksToDecode() {
        for (int type : new int[] {15, 23, 27, 31, 87, 91, 100}) {
            assertNull(decode(type, 16), "type " + type);
        }
    }

    @Test
    void typeNames() {
        assertEquals("RTM_NEWLINK", F.typeName(Rtm.RTM_NEWLINK));
        assertEquals("NLMSG_ERROR", F.typeName(2));
        assertEquals("type 1000", F.typeName(1000));
    }

    @Test
    void describesALinkByNameIndexAndKind() {
        AttributeList veth = AttributeList.builder()
                .string(Ifla.IFLA_IFNAME, "v0")
                .nested(Ifla.IFLA_LINKINFO, li -> li.string(Ifla.IFLA_INFO_KIND, "veth"))
                .build();
        assertEquals("RTM_NEWLINK v0 (veth)", F.describe(LinkMessage.request(Rtm.RTM_NEWLINK, 0, 0, 0, 0, veth)));
        assertEquals(
                "RTM_SETLINK br0",
                F.describe(LinkMessage.request(
                        Rtm.RTM_SETLINK,
                        0,
                        9,
                        0,
                        0,
                        AttributeList.builder().string(Ifla.IFLA_IFNAME, "br0").build())),
                "the name, not the index");
        assertEquals(
                "RTM_DELLINK index 7",
                F.describe(LinkMessage.request(Rtm.RTM_DELLINK, 0, 7, 0, 0, AttributeList.EMPTY)));
        assertEquals("RTM_GETLINK", F.describe(LinkMessage.request(Rtm.RTM_GETLINK, 0, 0, 0, 0, AttributeList.EMPTY)));
        assertEquals(
                "RTM_NEWLINK (bridge)",
                F.describe(LinkMessage.request(
                        Rtm.RTM_NEWLINK,
                        0,
                        0,
                        0,
                        0,
                        AttributeList.builder()
                                .nested(Ifla.IFLA_LINKINFO, li -> li.string(Ifla.IFLA_INFO_KIND, "bridge"))
                                .build())));
    }

    @Test
    void describesAnAddress() throws Exception {
        assertEquals(
                "RTM_NEWADDR 198.18.0.1/16 on index 3",
                F.describe(AddressMessage.request(
                        Rtm.RTM_NEWADDR,
                        0,
                        Rtm.AF_INET,
                        16,
                        0,
                        0,
                        3,
                        AttributeList.builder()
                                .address(Ifa.IFA_LOCAL, InetAddress.getByName("198.18.0.1"))
                                .build())));
        assertEquals(
                "RTM_DELADDR ?/24 on index 2",
                F.describe(AddressMessage.request(Rtm.RTM_DELADDR, 0, Rtm.AF_INET, 24, 0, 0, 2, AttributeList.EMPTY)));
    }

    /** An IPv4 unicast route request of {@code iproute2}'s defaults: main table, static, universe scope. */
    private static RouteMessage staticRoute(int type, int dstLength, AttributeList attributes) {
        return RouteMessage.request(
                type,
                0,
                Rtm.AF_INET,
                dstLength,
                Rta.RT_TABLE_MAIN,
                Rta.RTPROT_STATIC,
                Rta.RT_SCOPE_UNIVERSE,
                Rta.RTN_UNICAST,
                0,
                attributes);
    }

    @Test
    void describesARoute() throws Exception {
        assertEquals(
                "RTM_NEWROUTE default via 198.18.0.7 dev index 4",
                F.describe(staticRoute(
                        Rtm.RTM_NEWROUTE,
                        0,
                        AttributeList.builder()
                                .address(Rta.RTA_GATEWAY, InetAddress.getByName("198.18.0.7"))
                                .u32(Rta.RTA_OIF, 4)
                                .build())));
        assertEquals(
                "RTM_DELROUTE 198.19.0.0/24",
                F.describe(staticRoute(
                        Rtm.RTM_DELROUTE,
                        24,
                        AttributeList.builder()
                                .address(Rta.RTA_DST, InetAddress.getByName("198.19.0.0"))
                                .build())));
    }

    @Test
    void describesANeighbour() throws Exception {
        assertEquals(
                "RTM_NEWNEIGH 198.18.0.50 on index 2",
                F.describe(NeighbourMessage.request(
                        Rtm.RTM_NEWNEIGH,
                        0,
                        Rtm.AF_INET,
                        2,
                        Nda.NUD_PERMANENT,
                        AttributeList.builder()
                                .address(Nda.NDA_DST, InetAddress.getByName("198.18.0.50"))
                                .build())));
        assertEquals(
                "RTM_DELNEIGH ? on index 5",
                F.describe(NeighbourMessage.request(Rtm.RTM_DELNEIGH, 0, Rtm.AF_INET, 5, 0, AttributeList.EMPTY)));
    }

    @Test
    void describesOtherMessagesByTypeAlone() {
        assertEquals("RTM_GETNSID", F.describe(NsidMessage.getByFd(3)));
        assertEquals("type 99", F.describe(new RawMessage(99, 0, 0, 0, new byte[0])));
    }
}
