package dev.podnet.dataplane.link;

import dev.podnet.dataplane.ipam.Cidr;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;

/** A 48-bit Ethernet address. */
public record MacAddress(byte[] bytes) {
    private static final Random RANDOM = new SecureRandom();

    public MacAddress {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + bytes.length);
        }
        bytes = bytes.clone();
    }

    /** A random locally administered unicast address (the U/L bit set, the I/G bit clear). */
    public static MacAddress randomLocal() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        b[0] = (byte) ((b[0] & 0xfc) | 0x02);
        return new MacAddress(b);
    }

    /**
     * A locally administered unicast MAC derived from {@code seed} (SHA-256): the same seed always
     * gives the same MAC.
     */
    public static MacAddress derived(String seed) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byte[] b = java.util.Arrays.copyOf(d, 6);
            b[0] = (byte) ((b[0] & 0xfc) | 0x02);
            return new MacAddress(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is always present", e);
        }
    }

    /**
     * The MAC CNI derives from an IPv4 address ({@code SetHWAddrByIP}): {@code 0a:58} followed by the
     * address's four bytes. Locally administered, unicast, and the same for the same address every time.
     */
    public static MacAddress fromIpv4(java.net.InetAddress ipv4) {
        byte[] a = ipv4.getAddress();
        if (a.length != 4) {
            throw new IllegalArgumentException(
                    "a MAC can be derived from an IPv4 address only, got " + Cidr.text(ipv4));
        }
        return new MacAddress(new byte[] {0x0a, 0x58, a[0], a[1], a[2], a[3]});
    }

    /**
     * The IPv6 address libnetwork derives from a MAC: {@code subnet6}'s prefix with this MAC in the last
     * 48 bits, with {@code subnet6}'s prefix length.
     *
     * @throws IllegalArgumentException when the prefix is longer than /80 (fewer than 48 host bits)
     */
    public dev.podnet.dataplane.ipam.Cidr ipv6In(dev.podnet.dataplane.ipam.Cidr subnet6) {
        byte[] a = subnet6.network().address().getAddress();
        if (a.length != 16 || subnet6.prefixLength() > 80) {
            throw new IllegalArgumentException("cannot derive an IPv6 address from a MAC in " + subnet6
                    + ": an IPv6 prefix of /80 or shorter is needed");
        }
        System.arraycopy(bytes, 0, a, 10, 6);
        try {
            return new dev.podnet.dataplane.ipam.Cidr(java.net.InetAddress.getByAddress(a), subnet6.prefixLength());
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff}; the error names the input. */
    public static MacAddress parse(String text) {
        String[] parts = text.split("[:-]");
        if (parts.length != 6) {
            throw new IllegalArgumentException("mac '" + text + "' is not six hex bytes separated by ':'");
        }
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].length() != 2) {
                throw new IllegalArgumentException(
                        "mac '" + text + "' has a byte that is not two hex digits: '" + parts[i] + "'");
            }
            try {
                b[i] = (byte) Integer.parseInt(parts[i], 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("mac '" + text + "' has a byte that is not hex: '" + parts[i] + "'");
            }
        }
        return new MacAddress(b);
    }

    public boolean isMulticast() {
        return (bytes[0] & 0x01) != 0;
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && java.util.Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }
}
