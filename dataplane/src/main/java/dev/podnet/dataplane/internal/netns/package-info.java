/**
 * Not API: named namespaces made as {@code ip netns} makes them, the thread that enters a namespace
 * to open sockets there and comes home, and the rtnetlink thread ({@code RtnlExecutor}).
 */
package dev.podnet.dataplane.internal.netns;
