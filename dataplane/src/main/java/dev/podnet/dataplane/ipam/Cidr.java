package dev.podnet.dataplane.ipam;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address with a prefix length, e.g. {@code 198.18.0.7/16}: an interface address or, with the
 * host bits zero, a subnet.
 */
public record Cidr(InetAddress address, int prefixLength) {
    public Cidr {
        int max = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0.." + max);
        }
    }

    /** Parses {@code a.b.c.d/n} or {@code x::y/n}; the error names the input and what is wrong. */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("CIDR must not be empty");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("CIDR '" + text + "' has no '/prefix'");
        }
        InetAddress addr = parseAddress(text.substring(0, slash), "CIDR '" + text + "'");
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("CIDR '" + text + "' has a prefix length that is not a number");
        }
        int max = addr.getAddress().length * 8;
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException(
                    "CIDR '" + text + "' has prefix length " + prefix + ", outside 0.." + max);
        }
        return new Cidr(addr, prefix);
    }

    /**
     * Parses a literal IPv4 or IPv6 address without ever resolving a name.
     *
     * @param what names the value in the error, e.g. {@code gateway}
     */
    public static InetAddress parseAddress(String text, String what) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException(what + ": address must not be empty");
        }
        boolean v4 = text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
        boolean v6 = text.indexOf(':') >= 0
                && text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        if (v4) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException(what + ": '" + text + "' is not an IPv4 address (four numbers)");
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3 || Integer.parseInt(parts[i]) > 255) {
                    throw new IllegalArgumentException(
                            what + ": '" + text + "' is not an IPv4 address (bad part '" + parts[i] + "')");
                }
                b[i] = (byte) Integer.parseInt(parts[i]);
            }
            return byAddress(b);
        }
        if (v6) {
            try {
                // only hex, ':' and '.' reach here, so no name lookup can happen
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(what + ": '" + text + "' is not an IPv6 address");
            }
        }
        throw new IllegalArgumentException(what + ": '" + text + "' is not an IP address");
    }

    /** The address of these 4 or 16 bytes (no lookup). */
    public static InetAddress byAddress(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code AF_INET} (2) or {@code AF_INET6} (10). */
    public int family() {
        return address instanceof Inet4Address ? 2 : 10;
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** The subnet: host bits cleared. */
    public Cidr network() {
        return new Cidr(byAddress(mask(address.getAddress(), prefixLength, false)), prefixLength);
    }

    /** The last address of the subnet (IPv4's broadcast). */
    public InetAddress broadcast() {
        return byAddress(mask(address.getAddress(), prefixLength, true));
    }

    /** True when {@code a} lies inside this subnet. */
    public boolean contains(InetAddress a) {
        if (a.getAddress().length != address.getAddress().length) {
            return false;
        }
        return Arrays.equals(
                mask(a.getAddress(), prefixLength, false), mask(address.getAddress(), prefixLength, false));
    }

    /** The number of addresses in the subnet. */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(address.getAddress().length * 8 - prefixLength);
    }

    /** The same address with another prefix length. */
    public Cidr withPrefix(int prefix) {
        return new Cidr(address, prefix);
    }

    private static byte[] mask(byte[] b, int prefix, boolean fillHost) {
        byte[] out = b.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
            int hostMask = 0xff >>> bitsHere;
            out[i] = (byte) (fillHost ? (out[i] | hostMask) : (out[i] & ~hostMask));
        }
        return out;
    }

    /** An address as text, IPv6 in its RFC 5952 form ({@code fd00::1}, not {@code fd00:0:0:0:0:0:0:1}). */
    public static String text(InetAddress a) {
        return dev.podnet.netlink.route.IprouteNames.address(a);
    }

    /** {@code a.b.c.d/n}, or IPv6 as iproute2 writes it ({@code fd00:18::2/64}). */
    @Override
    public String toString() {
        return dev.podnet.netlink.route.IprouteNames.address(address) + "/" + prefixLength;
    }
}
