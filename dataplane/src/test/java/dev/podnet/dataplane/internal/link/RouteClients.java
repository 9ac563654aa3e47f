package dev.podnet.dataplane.internal.link;

import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.testing.Sandbox;
import dev.podnet.testing.TestLoops;
import java.nio.file.Path;
import java.time.Duration;

/** Route-netlink clients on a test's namespaces, as the link kernel tests use them. */
final class RouteClients {
    /** How long a link test waits for the kernel. */
    static final Duration T = Duration.ofSeconds(10);

    private RouteClients() {}

    /** A client on a route-netlink socket opened inside {@code netns}, on the shared test loop; the caller closes it. */
    static NetlinkClient openIn(Path netns) throws Exception {
        return NetlinkClient.open(TestLoops.GROUP, Sandbox.insideNamespace(netns, NetlinkSocket::openRoute))
                .block(T);
    }

    /** {@link #openIn} the sandbox itself. */
    static NetlinkClient openIn(Sandbox sandbox) throws Exception {
        return openIn(sandbox.path());
    }

    /** The index of the link named {@code name}, as the kernel answers for it. */
    static int indexOf(NetlinkClient rtnl, String name) {
        return ((LinkMessage) rtnl.request(Links.getByName(name)).block(T)).index();
    }
}
