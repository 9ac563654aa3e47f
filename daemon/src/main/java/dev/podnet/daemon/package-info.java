/**
 * The node daemon: CNI 1.1 served over HTTP on a unix socket to the C shim that runtimes exec as the
 * {@code podnet} plugin, on top of the public {@code dev.podnet.api} facade only.
 */
package dev.podnet.daemon;
