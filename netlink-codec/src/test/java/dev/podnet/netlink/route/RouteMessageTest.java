package dev.podnet.netlink.route;

import static dev.podnet.netlink.Hex.bodyOf;
import static dev.podnet.netlink.Hex.bytes;
import static dev.podnet.netlink.Hex.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.Vectors;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code struct rtmsg} and the {@code RTA_*} accessors, over bytes written by hand and a captured dump. */
class RouteMessageTest {
    private static RouteMessage decode(int type, String body) {
        NetlinkMessage m = RouteMessages.INSTANCE.decode(type, 0x2, 3, 0, Unpooled.wrappedBuffer(bytes(body)));
        return assertInstanceOf(RouteMessage.class, m);
    }

    private static final String BODY = hex(
            "02 18 08 10 64 04 00 01 04 00 02 81", // AF_INET /24 from /8, tos 0x10, table 100, static, universe,
            // unicast, flags
            "08 00 0f 00 e8 03 00 00", // RTA_TABLE 1000
            "08 00 01 00 c6 13 00 00", // RTA_DST 198.19.0.0
            "08 00 05 00 c6 12 00 07", // RTA_GATEWAY 198.18.0.7
            "08 00 04 00 03 00 00 00", // RTA_OIF 3
            "08 00 06 00 f0 ff ff ff", // RTA_PRIORITY 4294967280
            "08 00 07 00 c6 12 00 01", // RTA_PREFSRC 198.18.0.1
            "14 00 08 00 08 00 02 00 78 05 00 00 08 00 08 00 50 05 00 00"); // RTA_METRICS { RTAX_MTU 1400, RTAX_ADVMSS
    // 1360 }

    @Test
    void theFixedHeaderAndEveryAccessor() {
        RouteMessage r = decode(Rtm.RTM_NEWROUTE, BODY);
        assertEquals(Rtm.AF_INET, r.family());
        assertEquals(24, r.dstLength());
        assertEquals(8, r.srcLength());
        assertEquals(0x10, r.tos());
        assertEquals(100, r.table());
        assertEquals(Rta.RTPROT_STATIC, r.protocol());
        assertEquals(Rta.RT_SCOPE_UNIVERSE, r.scope());
        assertEquals(Rta.RTN_UNICAST, r.routeType());
        assertEquals(0x81020004, r.routeFlags());
        assertEquals(1000, r.effectiveTable(), "RTA_TABLE over rtm_table");
        assertEquals("198.19.0.0", r.destination().getHostAddress());
        assertEquals("198.18.0.7", r.gateway().getHostAddress());
        assertEquals(3, r.outputInterface());
        assertEquals(4294967280L, r.priority(), "unsigned");
        assertEquals("198.18.0.1", r.preferredSource().getHostAddress());
        assertEquals(1400, r.mtu());
        assertEquals(1360, r.advmss());
        assertEquals(List.of(), r.nextHops());
        assertEquals(80, r.bodyLength());
        assertEquals(
                "RTM_NEWROUTE[seq=3, dst=/198.19.0.0/24, gw=/198.18.0.7, table=1000, attrs=[RTA_TABLE(4B), RTA_DST(4B),"
                        + " RTA_GATEWAY(4B), RTA_OIF(4B), RTA_PRIORITY(4B), RTA_PREFSRC(4B), RTA_METRICS(16B)]]",
                r.toString());
    }

    @Test
    void aDefaultRouteWithoutAttributes() {
        RouteMessage r = decode(Rtm.RTM_DELROUTE, hex("02 00 00 00 fe 02 00 01 00 00 00 00"));
        assertEquals(254, r.effectiveTable(), "rtm_table when there is no RTA_TABLE");
        assertNull(r.destination());
        assertNull(r.gateway());
        assertEquals(0, r.outputInterface());
        assertEquals(-1, r.priority());
        assertNull(r.preferredSource());
        assertEquals(0, r.mtu());
        assertEquals(0, r.advmss());
        assertEquals(List.of(), r.nextHops());
        assertEquals("RTM_DELROUTE[seq=3, dst=null/0, gw=null, table=254, attrs=[]]", r.toString());
    }

    @Test
    void aPriorityOfZeroIsNotAbsent() {
        assertEquals(
                0,
                decode(Rtm.RTM_NEWROUTE, hex("02 00 00 00 fe 02 00 01 00 00 00 00", "08 00 06 00 00 00 00 00"))
                        .priority());
    }

    @Test
    void aRequestEncodesItsHeaderAndAttributes() {
        AttributeList attrs = AttributeList.builder().u32(Rta.RTA_OIF, 3).build();
        RouteMessage r = RouteMessage.request(
                Rtm.RTM_NEWROUTE,
                0x400,
                Rtm.AF_INET,
                24,
                100,
                Rta.RTPROT_STATIC,
                Rta.RT_SCOPE_LINK,
                Rta.RTN_UNICAST,
                Rta.RTNH_F_ONLINK,
                attrs);
        assertEquals(
                new RouteMessage(
                        Rtm.RTM_NEWROUTE,
                        0x400,
                        0,
                        0,
                        Rtm.AF_INET,
                        24,
                        0,
                        0,
                        100,
                        Rta.RTPROT_STATIC,
                        Rta.RT_SCOPE_LINK,
                        Rta.RTN_UNICAST,
                        Rta.RTNH_F_ONLINK,
                        attrs),
                r);
        assertEquals(
                hex("02 18 08 10 64 04 00 01 04 00 02 81", "08 00 04 00 03 00 00 00"),
                bodyOf(new RouteMessage(
                        Rtm.RTM_NEWROUTE, 0, 0, 0, Rtm.AF_INET, 24, 8, 0x10, 100, 4, 0, 1, 0x81020004, attrs)));
    }

    @Test
    void aCapturedRouteWithMetricsFieldByField() {
        RouteMessage r = Vectors.routeTo("rich-route-dump", "198.20.0.0");
        assertEquals(3, r.sequence());
        assertEquals(Rtm.AF_INET, r.family());
        assertEquals(24, r.dstLength());
        assertEquals(0, r.srcLength());
        assertEquals(Rta.RT_TABLE_MAIN, r.table());
        assertEquals(Rta.RTPROT_BOOT, r.protocol());
        assertEquals(Rta.RT_SCOPE_UNIVERSE, r.scope());
        assertEquals(Rta.RTN_UNICAST, r.routeType());
        assertEquals(0, r.routeFlags());
        assertEquals(254, r.effectiveTable());
        assertEquals("198.18.0.7", r.gateway().getHostAddress());
        assertEquals(2, r.outputInterface());
        assertEquals(77, r.priority());
        assertEquals(1400, r.mtu());
        assertEquals(1360, r.advmss());
        assertNull(r.preferredSource());
        assertEquals(
                "RTM_NEWROUTE[seq=3, dst=/198.20.0.0/24, gw=/198.18.0.7, table=254, attrs=[RTA_TABLE(4B), RTA_DST(4B),"
                        + " RTA_PRIORITY(4B), RTA_METRICS(16B), RTA_GATEWAY(4B), RTA_OIF(4B)]]",
                r.toString());
    }
}
