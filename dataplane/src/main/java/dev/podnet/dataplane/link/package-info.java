/** Link values as the API takes them: {@link dev.podnet.dataplane.link.MacAddress}. */
package dev.podnet.dataplane.link;
