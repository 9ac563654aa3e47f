package dev.podnet.netlink.channel;

import dev.podnet.netlink.NetlinkMessage;

/** A message on its way out: the sequence number the correlator gave it, the flags the request kind adds. */
record OutboundMessage(NetlinkMessage message, int sequence, int extraFlags) {}
