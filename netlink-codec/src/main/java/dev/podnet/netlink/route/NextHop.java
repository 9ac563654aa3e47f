package dev.podnet.netlink.route;

import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.attr.AttributeList;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One next hop of a multipath route: a {@code struct rtnexthop} (length, flags, hops = weight - 1,
 * ifindex) followed by its own {@code RTA_*} attributes (the gateway).
 */
public record NextHop(int flags, int weight, int index, InetAddress gateway) {
    private static final int RTNH_LENGTH = 8;

    public NextHop {
        if (weight < 1 || weight > 256) {
            throw new IllegalArgumentException("next-hop weight " + weight + " is outside 1..256");
        }
    }

    static List<NextHop> decodeAll(byte[] b) {
        List<NextHop> out = new ArrayList<>();
        int p = 0;
        while (b.length - p >= RTNH_LENGTH) {
            int len = (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
            if (len < RTNH_LENGTH || p + len > b.length) {
                throw new NetlinkDecodeException(
                        "rtnexthop at offset " + p + " claims length " + len + " of " + (b.length - p));
            }
            int flags = b[p + 2] & 0xff;
            int hops = b[p + 3] & 0xff;
            int index = (b[p + 4] & 0xff) | (b[p + 5] & 0xff) << 8 | (b[p + 6] & 0xff) << 16 | (b[p + 7] & 0xff) << 24;
            AttributeList attrs = AttributeList.wrap(b, p + RTNH_LENGTH, len - RTNH_LENGTH);
            out.add(new NextHop(flags, hops + 1, index, attrs.address(Rta.RTA_GATEWAY)));
            p += (len + 3) & ~3;
        }
        return out;
    }

    /** Encodes next hops as the value of {@code RTA_MULTIPATH}. */
    public static byte[] encodeAll(List<NextHop> hops) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (NextHop h : hops) {
            AttributeList attrs = h.gateway == null
                    ? AttributeList.EMPTY
                    : AttributeList.builder()
                            .address(Rta.RTA_GATEWAY, h.gateway)
                            .build();
            int len = RTNH_LENGTH + attrs.encodedLength();
            out.write(len & 0xff);
            out.write(len >>> 8);
            out.write(h.flags);
            out.write(h.weight - 1);
            out.write(h.index);
            out.write(h.index >>> 8);
            out.write(h.index >>> 16);
            out.write(h.index >>> 24);
            out.writeBytes(attrs.toByteArray());
        }
        return out.toByteArray();
    }
}
