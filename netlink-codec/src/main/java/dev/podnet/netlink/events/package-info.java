/**
 * rtnetlink multicast notifications as a stream, with overruns reported and each subscribed group
 * resynced after them.
 */
package dev.podnet.netlink.events;
