/**
 * Not API: the dataplane's rtnetlink requests: veths (peer straight into a namespace), bridges, taps,
 * addresses, routes, link groups, and the group delete that coalesces removes.
 */
package dev.podnet.dataplane.internal.link;
