/**
 * The dataplane's API values: the errors it raises ({@link dev.podnet.dataplane.InvalidSpecException},
 * {@link dev.podnet.dataplane.EndpointOperationException}, {@link dev.podnet.dataplane.NetworkInUseException}),
 * the results it reports ({@link dev.podnet.dataplane.ReconcileReport}, {@link dev.podnet.dataplane.EndpointCheck}),
 * and the enums of its model. Everything under {@code dev.podnet.dataplane.internal} is not API.
 */
package dev.podnet.dataplane;
