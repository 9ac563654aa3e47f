/** Addresses as the API takes them: {@link dev.podnet.dataplane.ipam.Cidr}, and the IPAM's errors. */
package dev.podnet.dataplane.ipam;
