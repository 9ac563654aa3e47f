package dev.podnet.bench;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.Ifa;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.RouteMessages;
import dev.podnet.netlink.route.Rta;
import dev.podnet.netlink.route.Rtm;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Encode and decode of single link, address and route messages shaped like the kernel's, and the
 * decode of a 1000-link dump (as a node with 1000 pods answers RTM_GETLINK).
 */
public class MessageCodecBenchmark extends CodecBenchmarkSettings {
    private LinkMessage link;
    private AddressMessage address;
    private RouteMessage route;
    private ByteBuf out;
    private ByteBuf linkBytes;
    private ByteBuf addressBytes;
    private ByteBuf routeBytes;
    private ByteBuf dump1000;

    /** A veth host end as the kernel reports it: name, MTU, master, addresses, operstate, link info, stats. */
    static LinkMessage kernelLikeLink(int index) {
        AttributeList a = AttributeList.builder()
                .string(Ifla.IFLA_IFNAME, "pn" + String.format("%012x", index))
                .u32(Ifla.IFLA_TXQLEN, 1000)
                .u8(Ifla.IFLA_OPERSTATE, 6)
                .u8(Ifla.IFLA_LINKMODE, 0)
                .u32(Ifla.IFLA_MTU, 1500)
                .u32(Ifla.IFLA_GROUP, 0)
                .u32(Ifla.IFLA_MASTER, 3)
                .string(Ifla.IFLA_QDISC, "noqueue")
                .string(Ifla.IFLA_IFALIAS, "podnet:churn" + index + "/eth0")
                .bytes(Ifla.IFLA_ADDRESS, new byte[] {2, 0, 0, 0, (byte) (index >> 8), (byte) index})
                .bytes(Ifla.IFLA_BROADCAST, new byte[] {-1, -1, -1, -1, -1, -1})
                .u32(Ifla.IFLA_LINK, 2)
                .u32(Ifla.IFLA_LINK_NETNSID, index)
                .bytes(Ifla.IFLA_STATS64, new byte[200])
                .nested(
                        Ifla.IFLA_LINKINFO,
                        li -> li.string(Ifla.IFLA_INFO_KIND, "veth").string(Ifla.IFLA_INFO_SLAVE_KIND, "bridge"))
                .build();
        return new LinkMessage(
                Rtm.RTM_NEWLINK,
                Netlink.NLM_F_MULTI,
                1,
                4242,
                0,
                Ifla.ARPHRD_ETHER,
                index,
                Ifla.IFF_UP | Ifla.IFF_BROADCAST | Ifla.IFF_MULTICAST | Ifla.IFF_LOWER_UP,
                0,
                a);
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        link = kernelLikeLink(7);
        InetAddress a = InetAddress.getByName("198.18.3.7");
        address = new AddressMessage(
                Rtm.RTM_NEWADDR,
                0,
                1,
                4242,
                Rtm.AF_INET,
                16,
                0x80,
                0,
                7,
                AttributeList.builder()
                        .address(Ifa.IFA_ADDRESS, a)
                        .address(Ifa.IFA_LOCAL, a)
                        .address(Ifa.IFA_BROADCAST, InetAddress.getByName("198.18.255.255"))
                        .string(Ifa.IFA_LABEL, "eth0")
                        .u32(Ifa.IFA_FLAGS, 0x80)
                        .bytes(Ifa.IFA_CACHEINFO, new byte[16])
                        .build());
        route = new RouteMessage(
                Rtm.RTM_NEWROUTE,
                0,
                1,
                4242,
                Rtm.AF_INET,
                0,
                0,
                0,
                254,
                3,
                0,
                1,
                0,
                AttributeList.builder()
                        .u32(Rta.RTA_TABLE, 254)
                        .address(Rta.RTA_GATEWAY, InetAddress.getByName("198.18.0.1"))
                        .u32(Rta.RTA_OIF, 2)
                        .build());
        out = PooledByteBufAllocator.DEFAULT.directBuffer(1 << 20);
        linkBytes = encoded(List.of(link));
        addressBytes = encoded(List.of(address));
        routeBytes = encoded(List.of(route));
        List<NetlinkMessage> links = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            links.add(kernelLikeLink(i + 10));
        }
        dump1000 = encoded(links);
    }

    private static ByteBuf encoded(List<NetlinkMessage> messages) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(1 << 20);
        for (NetlinkMessage m : messages) {
            NetlinkCodec.encode(m, m.sequence(), m.portId(), b);
        }
        return b;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (ByteBuf b : new ByteBuf[] {out, linkBytes, addressBytes, routeBytes, dump1000}) {
            b.release();
        }
    }

    private int encode(NetlinkMessage m) {
        out.clear();
        NetlinkCodec.encode(m, 1, 0, out);
        return out.readableBytes();
    }

    private static List<NetlinkMessage> decode(ByteBuf bytes) {
        List<NetlinkMessage> list = new ArrayList<>(1);
        NetlinkCodec.decode(bytes.duplicate(), RouteMessages.INSTANCE, list);
        return list;
    }

    @Benchmark
    public int encodeLink() {
        return encode(link);
    }

    @Benchmark
    public int encodeAddress() {
        return encode(address);
    }

    @Benchmark
    public int encodeRoute() {
        return encode(route);
    }

    @Benchmark
    public void decodeLink(Blackhole bh) {
        bh.consume(decode(linkBytes));
    }

    @Benchmark
    public void decodeAddress(Blackhole bh) {
        bh.consume(decode(addressBytes));
    }

    @Benchmark
    public void decodeRoute(Blackhole bh) {
        bh.consume(decode(routeBytes));
    }

    /** 1000 links in one buffer (the kernel would send them in several datagrams: the cost is per message). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void decodeDumpOf1000Links(Blackhole bh) {
        List<NetlinkMessage> list = new ArrayList<>(1000);
        NetlinkCodec.decode(dump1000.duplicate(), RouteMessages.INSTANCE, list);
        bh.consume(list);
    }
}
