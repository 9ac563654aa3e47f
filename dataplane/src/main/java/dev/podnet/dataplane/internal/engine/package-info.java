/**
 * Not API: the dataplane's engine. {@code Engine} owns the threads, channels and state; the network
 * lifecycle, the endpoint operations (through the one {@code OperationGate}), the reconciler, the
 * checker and the updater run on it. The Reactor API in {@code dev.podnet.api} is its only client.
 */
package dev.podnet.dataplane.internal.engine;
