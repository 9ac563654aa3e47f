/**
 * A DHCPv4 responder for VM endpoints, without I/O.
 *
 * <p>A VM endpoint (Virtlet-style) attaches a VM to a tap inside the pod's network namespace; the
 * pod's eth0 address, gateway, routes, MTU and DNS are taken off eth0 and handed to the VM by DHCP
 * instead. There is exactly one client per responder, whose MAC is known, so there is no pool:
 * {@link dev.podnet.dataplane.internal.dhcp.DhcpServer} answers that MAC with one fixed
 * {@link dev.podnet.dataplane.internal.dhcp.DhcpLease} and ignores everyone else.
 *
 * <p>{@link dev.podnet.dataplane.internal.dhcp.DhcpMessage} is the one codec (RFC 2131 message, RFC 2132
 * options, RFC 3396 long options); the server only decides. Moving the bytes (a socket or the tap)
 * belongs to the caller.
 */
package dev.podnet.dataplane.internal.dhcp;
