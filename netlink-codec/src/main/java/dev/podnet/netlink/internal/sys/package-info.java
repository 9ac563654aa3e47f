/**
 * Not API: the few system calls Netty does not offer, through the Foreign Function and Memory API,
 * with errno captured and named (the names are {@link dev.podnet.netlink.Errno}'s, which is API).
 */
package dev.podnet.netlink.internal.sys;
