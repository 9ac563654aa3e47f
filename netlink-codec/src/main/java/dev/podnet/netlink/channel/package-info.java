/**
 * Netlink sockets on Netty's epoll event loop: the channel, the request/reply protocol (sequence
 * numbers, pending requests, dumps) and the client API, plus a synchronous socket for short-lived
 * work inside a namespace.
 */
package dev.podnet.netlink.channel;
