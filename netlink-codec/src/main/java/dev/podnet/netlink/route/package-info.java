/**
 * rtnetlink messages: links, addresses, routes, neighbours and namespace ids, their attributes by
 * name, and their iproute2 spelling.
 */
package dev.podnet.netlink.route;
