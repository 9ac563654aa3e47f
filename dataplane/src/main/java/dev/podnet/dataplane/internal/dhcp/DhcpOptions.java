package dev.podnet.dataplane.internal.dhcp;

/**
 * The DHCP option codes this package reads or writes. Names follow the RFC option titles (as ISC's
 * {@code DHO_} constants do, without the prefix); any other code is carried as raw bytes.
 */
public final class DhcpOptions {
    /** Pad: one zero byte with no length (RFC 2132 3.1). */
    public static final int PAD = 0;
    /** Subnet Mask, 4 bytes (RFC 2132 3.3). */
    public static final int SUBNET_MASK = 1;
    /** Router: gateway addresses, 4 bytes each (RFC 2132 3.5). */
    public static final int ROUTERS = 3;
    /** Domain Name Server: addresses, 4 bytes each (RFC 2132 3.8). */
    public static final int DOMAIN_NAME_SERVERS = 6;
    /** Host Name, ASCII (RFC 2132 3.14). */
    public static final int HOST_NAME = 12;
    /** Domain Name, ASCII (RFC 2132 3.17). */
    public static final int DOMAIN_NAME = 15;
    /** Interface MTU, 2 bytes, at least 68 (RFC 2132 5.1). */
    public static final int INTERFACE_MTU = 26;
    /** Requested IP Address, 4 bytes (RFC 2132 9.1). */
    public static final int DHCP_REQUESTED_ADDRESS = 50;
    /** IP Address Lease Time, 4 bytes of seconds (RFC 2132 9.2). */
    public static final int DHCP_LEASE_TIME = 51;
    /** Option Overload: options continue in sname/file (RFC 2132 9.3); not followed here. */
    public static final int DHCP_OPTION_OVERLOAD = 52;
    /** DHCP Message Type, 1 byte, see {@link DhcpMessageType} (RFC 2132 9.6). */
    public static final int DHCP_MESSAGE_TYPE = 53;
    /** Server Identifier, 4 bytes (RFC 2132 9.7). */
    public static final int DHCP_SERVER_IDENTIFIER = 54;
    /** Parameter Request List: the option codes a client wants, in its order (RFC 2132 9.8). */
    public static final int DHCP_PARAMETER_REQUEST_LIST = 55;
    /** Message: ASCII text, e.g. why a DHCPNAK (RFC 2132 9.9). */
    public static final int DHCP_MESSAGE = 56;
    /** Renewal (T1) Time Value, 4 bytes of seconds (RFC 2132 9.11). */
    public static final int DHCP_RENEWAL_TIME = 58;
    /** Rebinding (T2) Time Value, 4 bytes of seconds (RFC 2132 9.12). */
    public static final int DHCP_REBINDING_TIME = 59;
    /** Client-identifier (RFC 2132 9.14); echoed in replies (RFC 6842). */
    public static final int DHCP_CLIENT_IDENTIFIER = 61;
    /** Domain Search: DNS-encoded names (RFC 3397). */
    public static final int DOMAIN_SEARCH = 119;
    /** Classless Static Route (RFC 3442). */
    public static final int CLASSLESS_STATIC_ROUTE = 121;
    /** End: one 0xff byte, the last option (RFC 2132 3.2). */
    public static final int END = 255;

    private DhcpOptions() {}
}
