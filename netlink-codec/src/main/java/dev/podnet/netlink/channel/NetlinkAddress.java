package dev.podnet.netlink.channel;

import java.net.SocketAddress;

/** A netlink endpoint: port id (0 is the kernel) and multicast groups. */
record NetlinkAddress(int portId, int groups) {
    /** As a {@link SocketAddress}, for Netty's channel API. */
    public SocketAddress asSocketAddress() {
        return new Socket(this);
    }

    static final class Socket extends SocketAddress {
        private static final long serialVersionUID = 1L;
        private final NetlinkAddress address;

        Socket(NetlinkAddress address) {
            this.address = address;
        }

        @Override
        public String toString() {
            return "netlink:" + address.portId();
        }
    }
}
