/**
 * Netlink messages and their wire form: the header, flags, acks and errors (errno name and
 * extended-ack text), the encoder and decoder, and the flyweight {@link
 * dev.podnet.netlink.RequestWriter} for hot paths.
 */
package dev.podnet.netlink;
