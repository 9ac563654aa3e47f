package dev.podnet.dataplane;

import dev.podnet.dataplane.ipam.Cidr;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * A published port: traffic to the host's {@code hostPort} (on {@code hostIp} only, when given; on
 * every local address otherwise) for {@code protocol} goes to the pod's {@code podPort} (CNI's
 * {@code portMappings} capability, libnetwork's published ports).
 *
 * @param protocol {@code tcp} or {@code udp}
 * @param hostIp   the one host address it applies to, or null for all
 * @param hostPort 1 to 65535
 * @param podPort  1 to 65535
 */
public record PortMapping(String protocol, InetAddress hostIp, int hostPort, int podPort) {
    public PortMapping {
        Objects.requireNonNull(protocol, "protocol");
        protocol = protocol.toLowerCase(Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new InvalidSpecException("port mapping: protocol must be tcp or udp, got '" + protocol + "'");
        }
        checkPort("host port", hostPort);
        checkPort("pod port", podPort);
    }

    private static void checkPort(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new InvalidSpecException("port mapping: " + what + " must be 1 to 65535, got " + port);
        }
    }

    /** The IP protocol number (6 for tcp, 17 for udp). */
    public int protocolNumber() {
        return protocol.equals("tcp") ? 6 : 17;
    }

    /** Whether it applies to one IPv6 host address. */
    public boolean ipv6HostIp() {
        return hostIp instanceof Inet6Address;
    }

    /**
     * {@code [HOSTIP:]HOSTPORT:PORT[/tcp|udp]} (docker's and podman's {@code --publish}; an IPv6 host
     * address in brackets, {@code [fd00::1]:8080:80}); tcp when no protocol is given.
     */
    public static PortMapping parse(String text) {
        String s = text.strip();
        String protocol = "tcp";
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            protocol = s.substring(slash + 1);
            s = s.substring(0, slash);
        }
        InetAddress hostIp = null;
        if (s.startsWith("[")) {
            int close = s.indexOf("]:");
            if (close < 0) {
                throw bad(text);
            }
            hostIp = address(s.substring(1, close), text);
            s = s.substring(close + 2);
        }
        String[] parts = s.split(":", -1);
        if (parts.length == 3 && hostIp == null) {
            hostIp = address(parts[0], text);
            parts = new String[] {parts[1], parts[2]};
        }
        if (parts.length != 2) {
            throw bad(text);
        }
        try {
            return new PortMapping(protocol, hostIp, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw bad(text);
        }
    }

    private static InetAddress address(String s, String text) {
        try {
            return Cidr.parseAddress(s, "port mapping host address");
        } catch (RuntimeException e) {
            throw new InvalidSpecException("port mapping '" + text + "': " + e.getMessage());
        }
    }

    private static InvalidSpecException bad(String text) {
        return new InvalidSpecException(
                "port mapping '" + text + "' is not [HOSTIP:]HOSTPORT:PORT[/tcp|udp] (e.g. 8080:80/tcp)");
    }

    /** The form {@link #parse} reads: {@code 8080:80/tcp}, {@code 198.18.0.1:8080:80/udp}, {@code [fd00::1]:53:53/udp}. */
    @Override
    public String toString() {
        String host = hostIp == null
                ? ""
                : hostIp instanceof Inet6Address ? "[" + Cidr.text(hostIp) + "]:" : Cidr.text(hostIp) + ":";
        return host + hostPort + ":" + podPort + "/" + protocol;
    }
}
