/**
 * Endpoint shapes (bridge, point-to-point, VM) as lists of steps with undo, the records that
 * describe endpoints, and the tags podnet leaves on host links to rebuild them.
 */
package dev.podnet.dataplane.internal.endpoint;
