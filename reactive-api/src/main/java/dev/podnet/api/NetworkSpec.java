package dev.podnet.api;

import dev.podnet.dataplane.ipam.AddressRange;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.Links;
import dev.podnet.dataplane.state.NetworkMode;
import dev.podnet.dataplane.state.NetworkRecord;

import java.net.InetAddress;
import java.util.Set;

/**
 * A network to create.
 *
 * @param name       the network's name (letters, digits, '-', '_', '.')
 * @param mode       {@link NetworkMode#BRIDGE} or {@link NetworkMode#PTP}
 * @param bridge     the bridge interface's name (bridge mode only)
 * @param subnet     the IPv4 subnet, e.g. {@code 198.18.0.0/16}
 * @param gateway    the bridge's address and the pods' default gateway; null for the subnet's first address
 * @param mtu        0 for the kernel's default (1500)
 * @param rangeStart first address handed out, or null
 * @param rangeEnd   last address handed out, or null
 * @param hairpin    bridge ports in hairpin mode (a pod can reach itself through a service address)
 * @param macFromIp  pod MACs derived from their IPv4 address ({@code 0a:58:a.b.c.d}) instead of random
 * @param uplink     an existing interface to enslave to the bridge (e.g. the node's NIC), or null
 * @param subnet6    an IPv6 subnet to make the network dual stack (bridge mode), or null
 * @param gateway6   its gateway; null for the subnet's first address
 * @param ipv6FromMac pods' IPv6 addresses derived from their MAC (prefix + MAC in the last 48 bits)
 *                   instead of IPAM; the IPv6 prefix must leave at least 48 host bits
 */
public record NetworkSpec(String name, NetworkMode mode, String bridge, String subnet, String gateway, int mtu,
                          String rangeStart, String rangeEnd, boolean hairpin, boolean macFromIp, String uplink,
                          String subnet6, String gateway6, boolean ipv6FromMac) {

    /** A bridge network over {@code subnet}, gateway at its first address, default MTU. */
    public static NetworkSpec bridge(String name, String bridge, String subnet) {
        return new NetworkSpec(name, NetworkMode.BRIDGE, bridge, subnet, null, 0, null, null, false, false, null, null, null, false);
    }

    /** A point-to-point network over {@code subnet} (CNI ptp), gateway at its first address. */
    public static NetworkSpec ptp(String name, String subnet) {
        return new NetworkSpec(name, NetworkMode.PTP, "", subnet, null, 0, null, null, false, false, null, null, null, false);
    }

    public NetworkSpec withGateway(String g) {
        return new NetworkSpec(name, mode, bridge, subnet, g, mtu, rangeStart, rangeEnd, hairpin, macFromIp, uplink, subnet6, gateway6, ipv6FromMac);
    }

    public NetworkSpec withMtu(int m) {
        return new NetworkSpec(name, mode, bridge, subnet, gateway, m, rangeStart, rangeEnd, hairpin, macFromIp, uplink, subnet6, gateway6, ipv6FromMac);
    }

    public NetworkSpec withRange(String start, String end) {
        return new NetworkSpec(name, mode, bridge, subnet, gateway, mtu, start, end, hairpin, macFromIp, uplink, subnet6, gateway6, ipv6FromMac);
    }

    public NetworkSpec withHairpin(boolean on) {
        return new NetworkSpec(name, mode, bridge, subnet, gateway, mtu, rangeStart, rangeEnd, on, macFromIp, uplink, subnet6, gateway6, ipv6FromMac);
    }

    public NetworkSpec withMacFromIp(boolean on) {
        return new NetworkSpec(name, mode, bridge, subnet, gateway, mtu, rangeStart, rangeEnd, hairpin, on, uplink, subnet6, gateway6, ipv6FromMac);
    }

    /** Makes the network dual stack with {@code ipv6Subnet} (e.g. {@code fd00:18::/64}), gateway at its first address. */
    public NetworkSpec withIpv6(String ipv6Subnet) {
        return new NetworkSpec(name, mode, bridge, subnet, gateway, mtu, rangeStart, rangeEnd, hairpin, macFromIp, uplink,
                ipv6Subnet, gateway6, ipv6FromMac);
    }

    /**
     * Makes the network dual stack with addresses derived from each pod's MAC: {@code ipv6Prefix}
     * (at most a /80) followed by the MAC, as libnetwork's bridge driver does without an IPv6 range.
     */
    public NetworkSpec withIpv6FromMac(String ipv6Prefix) {
        return new NetworkSpec(name, mode, bridge, subnet, gateway, mtu, rangeStart, rangeEnd, hairpin, macFromIp, uplink,
                ipv6Prefix, gateway6, true);
    }

    public NetworkSpec withIpv6Gateway(String g) {
        return new NetworkSpec(name, mode, bridge, subnet, gateway, mtu, rangeStart, rangeEnd, hairpin, macFromIp, uplink,
                subnet6, g, ipv6FromMac);
    }

    public NetworkSpec withUplink(String ifName) {
        return new NetworkSpec(name, mode, bridge, subnet, gateway, mtu, rangeStart, rangeEnd, hairpin, macFromIp, ifName, subnet6, gateway6, ipv6FromMac);
    }

    /** Checks every field; the exception names the first one that is wrong. */
    NetworkRecord validate() {
        try {
            if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
                throw new InvalidSpecException("network name '" + name + "' must be 1-63 letters, digits, '_', '.', '-'");
            }
            if (mode == null) {
                throw new InvalidSpecException("network " + name + ": mode must be given (bridge or ptp)");
            }
            if (mode == NetworkMode.BRIDGE) {
                Links.validateName("bridge", bridge);
                if (uplink != null && !uplink.isEmpty()) {
                    Links.validateName("uplink", uplink);
                }
            } else if (bridge != null && !bridge.isEmpty()) {
                throw new InvalidSpecException("network " + name + ": a ptp network has no bridge, got bridge '" + bridge + "'");
            } else if (hairpin || (uplink != null && !uplink.isEmpty())) {
                throw new InvalidSpecException("network " + name + ": hairpin and uplink are bridge options, not ptp ones");
            }
            Links.validateMtu("network mtu", mtu);
            Cidr s = Cidr.parse(subnet);
            InetAddress gw = gateway == null ? AddressRangeDefaults.firstHost(s) : Cidr.parseAddress(gateway, "gateway");
            InetAddress start = rangeStart == null || rangeStart.isEmpty() ? null : Cidr.parseAddress(rangeStart, "rangeStart");
            InetAddress end = rangeEnd == null || rangeEnd.isEmpty() ? null : Cidr.parseAddress(rangeEnd, "rangeEnd");
            new AddressRange(s, start, end, gw, Set.of());
            if (!s.isIpv4()) {
                throw new InvalidSpecException("network " + name + ": subnet " + s + " must be IPv4; give IPv6 with withIpv6 / --subnet6");
            }
            String v6 = "";
            String gw6 = "";
            if (subnet6 != null && !subnet6.isEmpty()) {
                if (mode != NetworkMode.BRIDGE) {
                    throw new InvalidSpecException("network " + name + ": IPv6 is supported on bridge networks so far, not ptp");
                }
                Cidr s6 = Cidr.parse(subnet6);
                if (s6.isIpv4()) {
                    throw new InvalidSpecException("network " + name + ": subnet6 " + s6 + " is not IPv6");
                }
                if (ipv6FromMac && s6.prefixLength() > 80) {
                    throw new InvalidSpecException("network " + name + ": cannot derive IPv6 addresses from MACs in " + s6
                            + ": at least 48 host bits are needed (a /80 or shorter prefix)");
                }
                InetAddress g6 = gateway6 == null ? AddressRangeDefaults.firstHost(s6) : Cidr.parseAddress(gateway6, "gateway6");
                new AddressRange(s6, null, null, g6, Set.of());
                v6 = s6.toString();
                gw6 = g6.getHostAddress();
            }
            return new NetworkRecord(name, mode, mode == NetworkMode.BRIDGE ? bridge : "", s.toString(), gw.getHostAddress(), mtu,
                    start == null ? "" : start.getHostAddress(), end == null ? "" : end.getHostAddress(), hairpin, macFromIp,
                    uplink, v6, gw6, ipv6FromMac && !v6.isEmpty());
        } catch (InvalidSpecException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("network " + name + ": " + e.getMessage());
        }
    }

    /** Default gateway: the subnet's first host address. */
    static final class AddressRangeDefaults {
        private AddressRangeDefaults() {
        }

        static InetAddress firstHost(Cidr subnet) {
            byte[] b = subnet.network().address().getAddress();
            b[b.length - 1] |= 1;
            try {
                return InetAddress.getByAddress(b);
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }
}
