package dev.podnet.dataplane.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {
    @ParameterizedTest
    @CsvSource({
        "198.18.7.9/16, 198.18.0.0/16, 198.18.255.255",
        "198.19.0.1/31, 198.19.0.0/31, 198.19.0.1",
        "fd00::1:2/64, fd00::/64, fd00:0:0:0:ffff:ffff:ffff:ffff"
    })
    void networkAndBroadcast(String in, String network, String broadcast) {
        Cidr c = Cidr.parse(in);
        assertEquals(network, c.network().toString());
        assertEquals(broadcast, c.broadcast().getHostAddress());
        assertTrue(c.contains(c.address()));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "198.18.0.0|has no '/prefix'",
                "198.18.0.0/33|outside 0..32",
                "198.18.0/16|not an IPv4 address",
                "198.18.0.256/16|bad part '256'",
                "198.18.0.0/x|not a number",
                "example.com/24|not an IP address",
                "fd00::zz/64|not an IP address"
            })
    void badInputSaysWhy(String in, String says) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(in));
        assertTrue(e.getMessage().contains(says), e.getMessage());
        assertTrue(e.getMessage().contains(in.split("/")[0]), e.getMessage());
    }
}
