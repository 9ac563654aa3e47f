/**
 * Network namespaces as the API names them: {@link dev.podnet.dataplane.netns.NetNs}, by name (as
 * {@code ip netns} pins them) or by path.
 */
package dev.podnet.dataplane.netns;
