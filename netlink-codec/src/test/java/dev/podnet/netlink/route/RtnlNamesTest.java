package dev.podnet.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.Netlink;
import org.junit.jupiter.api.Test;

class RtnlNamesTest {
    @Test
    void messagesAreNamedAsTheKernelsHeadersSpellThem() {
        assertEquals("RTM_NEWLINK", RtnlNames.message(Rtm.RTM_NEWLINK));
        assertEquals("RTM_GETNSID", RtnlNames.message(Rtm.RTM_GETNSID));
        assertEquals("RTM_NEWQDISC", RtnlNames.message(Rtm.RTM_NEWQDISC));
        assertEquals("RTM_GETTFILTER", RtnlNames.message(Rtm.RTM_GETTFILTER));
        assertEquals("NLMSG_DONE", RtnlNames.message(Netlink.NLMSG_DONE));
        assertEquals("NLMSG_ERROR", RtnlNames.message(Netlink.NLMSG_ERROR));
        assertEquals("type 1000", RtnlNames.message(1000));
    }

    @Test
    void attributesOfEachFamilyAreNamedAndOthersAreNot() {
        assertEquals("IFLA_MTU", RtnlNames.linkAttribute(Ifla.IFLA_MTU));
        // named because it is a constant, though no hand-kept list had it
        assertEquals("IFLA_TARGET_NETNSID", RtnlNames.linkAttribute(Ifla.IFLA_TARGET_NETNSID));
        assertEquals("IFA_LOCAL", RtnlNames.addressAttribute(Ifa.IFA_LOCAL));
        assertEquals("RTA_GATEWAY", RtnlNames.routeAttribute(Rta.RTA_GATEWAY));
        assertEquals("NDA_LLADDR", RtnlNames.neighbourAttribute(Nda.NDA_LLADDR));
        // nested attributes and flags that share a prefix are other families: not taken for these
        assertEquals("IFLA_ADDRESS", RtnlNames.linkAttribute(Ifla.IFLA_INFO_KIND));
        assertNull(RtnlNames.linkAttribute(200));
        assertNull(RtnlNames.addressAttribute(Ifa.IFA_F_PERMANENT));
    }

    @Test
    void aPrefixThatTakesInTwoFamiliesIsRefused() {
        // IFA_F_NODAD (a flag) and IFA_LOCAL (an attribute) are both 2
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ConstantNames.of(Ifa.class, "IFA_"));
        assertTrue(e.getMessage().contains("IFA_LOCAL") && e.getMessage().contains("IFA_F_NODAD"), e.getMessage());
    }

    @Test
    void aMessageDescribesItsAttributesByName() {
        LinkMessage l = LinkMessage.request(
                Rtm.RTM_NEWLINK,
                dev.podnet.netlink.attr.AttributeList.builder()
                        .string(Ifla.IFLA_IFNAME, "eth0")
                        .u32(Ifla.IFLA_MTU, 1500)
                        .build());
        assertTrue(l.toString().startsWith("RTM_NEWLINK["), l.toString());
        assertTrue(l.toString().contains("IFLA_IFNAME") && l.toString().contains("IFLA_MTU"), l.toString());
    }
}
