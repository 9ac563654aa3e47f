package dev.podnet.dataplane.internal.link;

import dev.podnet.dataplane.link.MacAddress;

/**
 * What a veth pair is created with.
 *
 * @param hostName           the end that stays here
 * @param masterIndex        bridge to enslave the host end to, 0 for none
 * @param mtu                both ends, 0 for the default
 * @param group              IFLA_GROUP of the host end, 0 for the default group
 * @param peerName           name of the end inside the other namespace
 * @param peerNetnsFd        an open descriptor of that namespace (IFLA_NET_NS_FD)
 * @param peerMac            the peer's MAC, or null for a kernel-chosen one
 * @param noIpv6LinkLocal    leave the peer down, for {@link Links#noIpv6LinkLocal} and {@link Links#up} to follow
 *                           in its namespace (the kernel refuses {@code IFLA_AF_SPEC} in a creating message);
 * @param hostUp             bring the host end up in the create (see {@link Links#newVethIntoNamespace})
 */
public record VethSpec(
        String hostName,
        int masterIndex,
        int mtu,
        int group,
        String peerName,
        int peerNetnsFd,
        MacAddress peerMac,
        boolean noIpv6LinkLocal,
        boolean hostUp) {}
