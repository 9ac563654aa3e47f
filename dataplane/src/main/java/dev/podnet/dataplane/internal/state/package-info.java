/**
 * podnet's state: networks in a durable file, endpoints and IPAM in Chronicle Maps, one owner per
 * directory, bound to one host namespace, recovered after an unclean stop.
 */
package dev.podnet.dataplane.internal.state;
