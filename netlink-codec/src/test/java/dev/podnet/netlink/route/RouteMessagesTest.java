package dev.podnet.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RawMessage;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** rtnetlink's message factory: which class each type decodes to, and how a failed request is described. */
class RouteMessagesTest {
    private static final RouteMessages F = RouteMessages.INSTANCE;

    private static NetlinkMessage decode(int type, int bodyLength) {
        return F.decode(type, 0, 1, 0, Unpooled.wrappedBuffer(new byte[bodyLength]));
    }

    @Test
    void eachTypeDecodesToItsMessageFromABareFixedHeader() {
        for (int type : new int[] {Rtm.RTM_NEWLINK, Rtm.RTM_DELLINK, Rtm.RTM_GETLINK, Rtm.RTM_SETLINK}) {
            assertEquals(
                    type,
                    assertInstanceOf(LinkMessage.class, decode(type, LinkMessage.HEADER_LENGTH))
                            .type());
        }
        for (int type : new int[] {Rtm.RTM_NEWADDR, Rtm.RTM_DELADDR, Rtm.RTM_GETADDR}) {
            assertEquals(
                    type,
                    assertInstanceOf(AddressMessage.class, decode(type, AddressMessage.HEADER_LENGTH))
                            .type());
        }
        for (int type : new int[] {Rtm.RTM_NEWROUTE, Rtm.RTM_DELROUTE, Rtm.RTM_GETROUTE}) {
            assertEquals(
                    type,
                    assertInstanceOf(RouteMessage.class, decode(type, RouteMessage.HEADER_LENGTH))
                            .type());
        }
        for (int type : new int[] {Rtm.RTM_NEWNEIGH, Rtm.RTM_DELNEIGH, Rtm.RTM_GETNEIGH}) {
            assertEquals(
                    type,
                    assertInstanceOf(NeighbourMessage.class, decode(type, NeighbourMessage.HEADER_LENGTH))
                            .type());
        }
        for (int type : new int[] {Rtm.RTM_NEWNSID, Rtm.RTM_DELNSID, Rtm.RTM_GETNSID}) {
            assertEquals(
                    type,
                    assertInstanceOf(NsidMessage.class, decode(type, NsidMessage.HEADER_LENGTH))
                            .type());
        }
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

    @Test
    void describesARoute() throws Exception {
        assertEquals(
                "RTM_NEWROUTE default via 198.18.0.7 dev index 4",
                F.describe(RouteMessage.request(
                        Rtm.RTM_NEWROUTE,
                        0,
                        Rtm.AF_INET,
                        0,
                        Rta.RT_TABLE_MAIN,
                        Rta.RTPROT_STATIC,
                        Rta.RT_SCOPE_UNIVERSE,
                        Rta.RTN_UNICAST,
                        0,
                        AttributeList.builder()
                                .address(Rta.RTA_GATEWAY, InetAddress.getByName("198.18.0.7"))
                                .u32(Rta.RTA_OIF, 4)
                                .build())));
        assertEquals(
                "RTM_DELROUTE 198.19.0.0/24",
                F.describe(RouteMessage.request(
                        Rtm.RTM_DELROUTE,
                        0,
                        Rtm.AF_INET,
                        24,
                        Rta.RT_TABLE_MAIN,
                        Rta.RTPROT_STATIC,
                        Rta.RT_SCOPE_UNIVERSE,
                        Rta.RTN_UNICAST,
                        0,
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
