/**
 * Netlink attributes: a list read straight from the kernel's bytes (unknown attributes kept as
 * they are) and a builder.
 */
package dev.podnet.netlink.attr;
