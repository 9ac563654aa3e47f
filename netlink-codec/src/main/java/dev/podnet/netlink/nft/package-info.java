/**
 * nf_tables over {@code NETLINK_NETFILTER}: transactions written straight into a buffer
 * ({@link dev.podnet.netlink.nft.NftBatch}), a synchronous socket that commits them whole and reads
 * dumps ({@link dev.podnet.netlink.nft.NftSocket}), the decoded messages
 * ({@link dev.podnet.netlink.nft.NftMessage}) and the protocol's numbers ({@link dev.podnet.netlink.nft.Nft}).
 */
package dev.podnet.netlink.nft;
