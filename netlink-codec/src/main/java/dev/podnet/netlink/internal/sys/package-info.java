/**
 * The few system calls Netty does not offer, through the Foreign Function and Memory API, with
 * errno captured and named.
 */
package dev.podnet.netlink.internal.sys;
