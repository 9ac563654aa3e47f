/**
 * podnet's API: the {@link dev.podnet.api.Dataplane} facade, network and endpoint specs, results
 * (CNI), checks and reconciliation, as Reactor flows that undo every completed step on failure or
 * cancellation.
 */
package dev.podnet.api;
