/**
 * Not API: IPAM with CNI host-local's semantics: subnets and ranges, one address per container and
 * interface, round-robin, static requests, release; reservations kept in a store the caller provides.
 */
package dev.podnet.dataplane.internal.ipam;
