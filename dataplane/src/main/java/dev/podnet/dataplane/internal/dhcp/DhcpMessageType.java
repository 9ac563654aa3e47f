package dev.podnet.dataplane.internal.dhcp;

import java.util.Optional;

/** The values of option 53, DHCP Message Type (RFC 2132 9.6), with their RFC names. */
public enum DhcpMessageType {
    /** Client broadcast to locate servers. */
    DHCPDISCOVER(1),
    /** Server to client in answer to a DHCPDISCOVER, offering parameters. */
    DHCPOFFER(2),
    /** Client asking for the offered parameters, or confirming or extending a lease. */
    DHCPREQUEST(3),
    /** Client telling the server the address is already in use. */
    DHCPDECLINE(4),
    /** Server to client with the parameters, committing the address. */
    DHCPACK(5),
    /** Server to client refusing the client's notion of its address. */
    DHCPNAK(6),
    /** Client giving up its address. */
    DHCPRELEASE(7),
    /** Client with an address of its own asking only for local configuration. */
    DHCPINFORM(8);

    private static final DhcpMessageType[] BY_CODE = values();

    private final int code;

    DhcpMessageType(int code) {
        this.code = code;
    }

    /** The value carried in option 53. */
    public int code() {
        return code;
    }

    /** The type for an option 53 value, or empty for a value RFC 2132 does not define. */
    public static Optional<DhcpMessageType> of(int code) {
        // declared in code order, 1..8
        return code >= 1 && code <= BY_CODE.length ? Optional.of(BY_CODE[code - 1]) : Optional.empty();
    }
}
