package dev.podnet.netlink.channel;

import dev.podnet.netlink.NetlinkMessage;

/** What a channel receives besides replies to its own requests. Called on the channel's event loop. */
public interface NetlinkListener {
    /** Ignores everything. */
    NetlinkListener NONE = new NetlinkListener() {
        @Override
        public void notification(NetlinkMessage message) {}

        @Override
        public void lost(Throwable cause) {}
    };

    /** A message that answers none of our requests: a multicast notification. */
    void notification(NetlinkMessage message);

    /**
     * Messages were lost: the receive queue overflowed ({@link NetlinkOverrunException}) or a
     * datagram was malformed or truncated. Requests in flight have already been failed.
     */
    void lost(Throwable cause);
}
