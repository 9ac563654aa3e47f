/**
 * Network namespaces: named ones as {@code ip netns} makes them, and a thread that enters a
 * namespace to open sockets or make devices there and comes home.
 */
package dev.podnet.dataplane.netns;
