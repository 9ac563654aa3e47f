package dev.podnet.bench;

import dev.podnet.dataplane.internal.link.Addresses;
import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.internal.link.Routes;
import dev.podnet.dataplane.internal.link.VethSpec;
import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.dataplane.link.MacAddress;
import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RequestWriter;
import dev.podnet.netlink.route.RouteMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The netlink messages of one bridge-shape pod add: the veth create and the host end's alias with
 * address-generation off on the host socket; address-generation off, up, address and default
 * route on the pod socket; the host end's up on the host socket (seven messages).
 * Measures writing them as the add does ({@link RequestWriter}: straight into the datagram
 * buffer), building them as message objects and encoding those (the general API), and decoding
 * the bytes back.
 */
public class PodMessagesCodecBenchmark extends CodecBenchmarkSettings {
    private final MacAddress mac = MacAddress.parse("02:11:22:33:44:55");
    private final Cidr address = Cidr.parse("198.18.3.7/16");
    private InetAddress gateway;
    private ByteBuf out;
    private ByteBuf encoded;

    @Setup(Level.Trial)
    public void setup() {
        gateway = Cidr.parseAddress("198.18.0.1", "gateway");
        out = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
        encoded = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
        int seq = 1;
        for (NetlinkMessage m : messages(7)) {
            NetlinkCodec.encode(m, seq++, 0, encoded);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        out.release();
        encoded.release();
    }

    private List<NetlinkMessage> messages(int podIndex) {
        return List.of(
                Links.newVethIntoNamespace(new VethSpec("pn0123456789ab", 3, 0, 0, "eth0", 42, mac, true, false)),
                Links.setAliasWithoutLinkLocal("pn0123456789ab", "podnet:pods:0123456789abcdef/eth0"),
                Links.noIpv6LinkLocal(podIndex),
                Links.up(podIndex),
                Addresses.add(podIndex, address),
                Routes.defaultVia(gateway, podIndex),
                Links.up(podIndex + 1000));
    }

    private final RequestWriter writer = new RequestWriter();

    /** Write the seven requests into one datagram buffer, as an add does. */
    @Benchmark
    public int writePodMessages() {
        out.clear();
        RequestWriter w = writer.reset(out);
        int pod = 2;
        Links.writeVethIntoNamespace(w, new VethSpec("pn0123456789ab", 3, 0, 0, "eth0", 42, mac, true, false));
        Links.writeSetAliasWithoutLinkLocal(w, "pn0123456789ab", "podnet:pods:0123456789abcdef/eth0");
        Links.writeNoIpv6LinkLocal(w, pod, null);
        Links.writeUp(w, pod);
        Addresses.writeAdd(w, pod, address);
        Routes.writeDefaultVia(w, gateway, pod);
        Links.writeUp(w, pod + 1000);
        return out.readableBytes() + w.count();
    }

    /** Build the seven requests as message objects and encode them into one datagram buffer. */
    @Benchmark
    public int buildAndEncodePodMessages() {
        out.clear();
        int seq = 1;
        for (NetlinkMessage m : messages(2)) {
            NetlinkCodec.encode(m, seq++, 0, out);
        }
        return out.readableBytes();
    }

    /** Decode the seven messages' bytes back into messages. */
    @Benchmark
    public void decodePodMessages(Blackhole bh) {
        List<NetlinkMessage> decoded = new ArrayList<>(8);
        NetlinkCodec.decode(encoded.duplicate(), RouteMessages.INSTANCE, decoded);
        bh.consume(decoded);
    }
}
