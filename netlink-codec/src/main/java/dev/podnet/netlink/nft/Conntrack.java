package dev.podnet.netlink.nft;

import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.attr.AttributeList;

/**
 * The little of conntrack ({@code NFNL_SUBSYS_CTNETLINK}, over the same {@code NETLINK_NETFILTER}
 * socket) that published ports need: deleting the UDP flows to a port. A UDP datagram that reached a
 * host port before it was published leaves a conntrack entry without translation; until it expires
 * (30 s and more) the flow's later datagrams follow it and never reach the pod. The CNI portmap
 * plugin deletes those entries after it maps a UDP port; so does podnet.
 */
public final class Conntrack {
    /** {@code NFNL_SUBSYS_CTNETLINK}. */
    public static final int SUBSYS_CTNETLINK = 1;

    /** {@code IPCTNL_MSG_CT_GET} and {@code IPCTNL_MSG_CT_DELETE}. */
    public static final int MSG_GET = SUBSYS_CTNETLINK << 8 | 1;

    public static final int MSG_DELETE = SUBSYS_CTNETLINK << 8 | 2;

    /** {@code CTA_TUPLE_ORIG}; in a tuple {@code CTA_TUPLE_PROTO}; in that {@code CTA_PROTO_NUM}, {@code CTA_PROTO_DST_PORT}. */
    static final int CTA_TUPLE_ORIG = 1;

    static final int CTA_TUPLE_PROTO = 2;
    static final int CTA_PROTO_NUM = 1;
    static final int CTA_PROTO_DST_PORT = 3;

    private static final int UDP = 17;

    private Conntrack() {}

    /**
     * Deletes the UDP flows of {@code family} ({@link Nft.Family#IPV4} or {@link Nft.Family#IPV6})
     * whose original destination port is {@code port}: one dump of the family's table, one delete a
     * flow (a flow gone meanwhile is no error). Returns how many were deleted.
     */
    public static int deleteUdpTo(NftSocket socket, int family, int port) {
        int deleted = 0;
        for (NftMessage m : socket.dump(MSG_GET, family, w -> {})) {
            AttributeList orig = m.attributes().nested(CTA_TUPLE_ORIG);
            AttributeList proto = orig == null ? null : orig.nested(CTA_TUPLE_PROTO);
            if (proto == null || proto.u8(CTA_PROTO_NUM, -1) != UDP) {
                continue;
            }
            byte[] dport = proto.bytes(CTA_PROTO_DST_PORT);
            if (dport == null || dport.length != 2 || ((dport[0] & 0xff) << 8 | (dport[1] & 0xff)) != port) {
                continue;
            }
            byte[] tuple = orig.toByteArray();
            try {
                socket.execute(
                        MSG_DELETE,
                        family,
                        "delete the conntrack entry of a UDP flow to port " + port,
                        w -> w.nest(CTA_TUPLE_ORIG)
                                .all(AttributeList.wrap(tuple, 0, tuple.length))
                                .endNest());
                deleted++;
            } catch (NetlinkException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
        }
        return deleted;
    }
}
