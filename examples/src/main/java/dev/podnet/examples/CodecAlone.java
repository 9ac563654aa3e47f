package dev.podnet.examples;

import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.Rtm;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.time.Duration;

/**
 * The codec and channel on their own, without the dataplane: dump this namespace's links over
 * rtnetlink, as {@code ip -br link} lists them. Reads only.
 */
public final class CodecAlone {
    private CodecAlone() {}

    public static void main(String[] args) throws Exception {
        IoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            NetlinkClient rtnl =
                    NetlinkClient.open(group, NetlinkSocket.openRoute()).block(Duration.ofSeconds(10));
            LinkMessage dumpAll = LinkMessage.request(Rtm.RTM_GETLINK, AttributeList.EMPTY);
            rtnl.dump(dumpAll)
                    .cast(LinkMessage.class)
                    .doOnNext(
                            l -> System.out.printf("%-16s %-6s mtu %d%n", l.name(), l.isUp() ? "UP" : "DOWN", l.mtu()))
                    .blockLast(Duration.ofSeconds(10));
            rtnl.close().block(Duration.ofSeconds(10));
        } finally {
            group.shutdownGracefully().sync();
        }
    }
}
