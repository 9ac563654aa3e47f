package dev.podnet.examples;

import dev.podnet.api.CniResult;
import dev.podnet.api.Dataplane;
import dev.podnet.api.DataplaneOptions;
import dev.podnet.api.Endpoint;
import dev.podnet.api.EndpointSpec;
import dev.podnet.api.NetworkSpec;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.events.NetlinkEvent;
import dev.podnet.netlink.events.RouteGroup;
import dev.podnet.netlink.route.LinkMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import reactor.core.Disposable;

/**
 * Embedding the dataplane: open it on a host namespace, create a network, plug a pod in and out,
 * and watch the host's links change meanwhile.
 *
 * <p>Run it only with namespaces of your own, e.g. {@code ip netns add demo-host; ip netns add demo-pod},
 * then {@code EmbedDataplane demo-host demo-pod}; it refuses to run without them, so nothing lands in
 * the root namespace.
 */
public final class EmbedDataplane {
    private static final Duration T = Duration.ofSeconds(30);

    private EmbedDataplane() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2
                || !Files.exists(NetNs.named(args[0]).path())
                || !Files.exists(NetNs.named(args[1]).path())) {
            System.err.println("usage: EmbedDataplane HOST_NETNS POD_NETNS (both made with ip netns add)");
            System.exit(2);
        }
        NetNs host = NetNs.named(args[0]);
        NetNs pod = NetNs.named(args[1]);
        Path state = Files.createTempDirectory("podnet-example-");

        Dataplane dp =
                Dataplane.open(DataplaneOptions.of(state).hostNetns(host)).block(T);
        // the host's link changes, as the kernel reports them
        Disposable watching = dp.events(EnumSet.of(RouteGroup.LINK)).subscribe(EmbedDataplane::print);
        try {
            dp.networks()
                    .create(NetworkSpec.bridge("pods", "exbr0", "198.18.0.0/24").withIpv6("fd00:18::/64"))
                    .block(T);
            Endpoint ep = dp.endpoints()
                    .add(EndpointSpec.of("pods", "example-1", pod).withPod("web-0", "default"))
                    .block(T);
            System.out.println("plugged in: " + ep.address() + " and " + ep.address6() + " via " + ep.gateway());
            System.out.println("CNI result: "
                    + CniResult.json(ep, dp.networks().get("pods").block(T)));
            dp.endpoints().remove("example-1", "eth0").block(T);
            dp.networks().delete("pods", false).block(T);
        } finally {
            watching.dispose();
            dp.close();
            try (var files = Files.walk(state)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void print(NetlinkEvent e) {
        switch (e) {
            case NetlinkEvent.Notification n
            when n.message() instanceof LinkMessage l ->
                System.out.println("link event: " + l.name() + (l.isUp() ? " up" : " down"));
            case NetlinkEvent.Notification n -> {
                // addresses and routes: not subscribed here
            }
            case NetlinkEvent.Overrun o -> System.out.println("events lost (" + o.reason() + "): a resync follows");
            case NetlinkEvent.Resync r ->
                System.out.println("resync: " + r.snapshot().size() + " links now");
        }
    }
}
