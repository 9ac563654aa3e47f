package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.internal.netns.NetnsThread;
import dev.podnet.dataplane.internal.state.StateStore;
import dev.podnet.netlink.channel.NetlinkClient;
import io.netty.channel.IoEventLoopGroup;
import reactor.core.scheduler.Scheduler;

/**
 * What endpoint steps work with on the host side.
 *
 * @param rtnl   the rtnetlink client of the host namespace (where bridges and host veth ends live)
 * @param loops  the epoll event loops that drive every netlink channel
 * @param netns  the thread that opens sockets inside pod namespaces
 * @param store  persisted state
 * @param state  where IPAM and the store are touched. The dataplane runs that work inline, on the
 *               thread that gets to it ({@code Schedulers.immediate()}): Chronicle Map and the
 *               allocator are thread-safe and take microseconds (memory-mapped writes, no I/O),
 *               while a hop to a thread of its own cost a wake-up of a few hundred microseconds
 *               per step on this class of machine
 * @param dhcp   the DHCP responders of VM endpoints
 * @param rtnlThread the thread of {@code rtnl}'s channel, which also configures the pods (see {@link
 *               dev.podnet.dataplane.internal.netns.RtnlExecutor})
 * @param nat    podnet's nf_tables table in the host namespace (masquerade, published ports)
 * @param hostNs the host namespace itself (for its sysctls, written from {@code rtnlThread} inside it)
 */
public record HostContext(
        NetlinkClient rtnl,
        IoEventLoopGroup loops,
        NetnsThread netns,
        StateStore store,
        Scheduler state,
        dev.podnet.dataplane.internal.dhcp.DhcpResponders dhcp,
        dev.podnet.dataplane.internal.netns.RtnlExecutor rtnlThread,
        dev.podnet.dataplane.internal.nat.NatTable nat,
        dev.podnet.dataplane.netns.NetNs hostNs) {}
