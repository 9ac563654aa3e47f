package dev.podnet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CNI_ARGS: the keys podnet reads, IgnoreUnknown, and the errors for what it cannot read. */
class CniArgsTest {
    @Test
    void kubeletsArgumentsGiveThePod() {
        CniArgs a = CniArgs.parse("IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;"
                + "K8S_POD_INFRA_CONTAINER_ID=4f2a;K8S_POD_UID=0f1e-22");
        assertEquals("web-0", a.podName());
        assertEquals("default", a.podNamespace());
        assertEquals(List.of(), a.ips());
        assertNull(a.mac());
    }

    @Test
    void staticAddressesOfEitherFamilyAndAMac() {
        CniArgs a = CniArgs.parse("IP=198.18.0.7,fd00:18::7/64;MAC=02:00:00:00:00:07");
        assertEquals(List.of(Cidr.parseAddress("198.18.0.7", "ip"), Cidr.parseAddress("fd00:18::7", "ip")), a.ips());
        assertEquals(MacAddress.parse("02:00:00:00:00:07"), a.mac());
    }

    @Test
    void noArgumentsAndATrailingSemicolon() {
        assertSame(CniArgs.NONE, CniArgs.parse(null));
        assertSame(CniArgs.NONE, CniArgs.parse(" "));
        assertEquals("p", CniArgs.parse("K8S_POD_NAME=p;").podName());
    }

    @Test
    void anUnknownKeyIsCode2UnlessIgnored() {
        CniError e = assertThrows(CniError.class, () -> CniArgs.parse("K8S_POD_NAME=p;FOO=bar"));
        assertEquals(CniError.UNSUPPORTED_FIELD, e.code());
        assertTrue(e.msg().contains("unknown argument FOO=bar"), e.msg());
        assertEquals(
                "p", CniArgs.parse("FOO=bar;IgnoreUnknown=true;K8S_POD_NAME=p").podName());
        assertEquals(
                "p", CniArgs.parse("IgnoreUnknown=1;FOO=bar;K8S_POD_NAME=p").podName());
        assertEquals(
                CniError.UNSUPPORTED_FIELD,
                assertThrows(CniError.class, () -> CniArgs.parse("IgnoreUnknown=false;FOO=bar"))
                        .code());
    }

    @Test
    void whatCannotBeReadIsCode4NamingCniArgs() {
        assertCode4("K8S_POD_NAME", "'K8S_POD_NAME' is not KEY=VALUE");
        assertCode4("=x;K8S_POD_NAME=p", "'=x' is not KEY=VALUE");
        assertCode4("IgnoreUnknown=maybe", "IgnoreUnknown='maybe'");
        assertCode4("IP=198.18.0.300", "CNI_ARGS IP[0]: '198.18.0.300'");
        assertCode4("IP=198.18.0.7,198.18.0.8", "CNI_ARGS IP: two IPv4 addresses, 198.18.0.7 and 198.18.0.8");
        assertCode4("MAC=02:00", "CNI_ARGS: MAC: mac '02:00'");
    }

    private static void assertCode4(String raw, String fragment) {
        CniError e = assertThrows(CniError.class, () -> CniArgs.parse(raw), raw);
        assertEquals(CniError.INVALID_ENV, e.code(), e.toString());
        assertTrue(e.msg().contains(fragment), "expected '" + fragment + "' in: " + e.msg());
    }
}
