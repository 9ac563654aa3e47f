package dev.podnet.testing;

import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.channel.NetlinkClientOptions;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.netlink.events.RouteEventSource;
import dev.podnet.netlink.events.RouteGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * The kernel's clients a {@link KernelTest} opens on {@link TestLoops#GROUP} ({@link NetlinkClient}s
 * and {@link RouteEventSource}s): inject it as a parameter, next to the {@link Sandbox} it opens
 * sockets in. {@link SandboxExtension} closes them after the test whatever its outcome, before it
 * deletes the sandbox and checks for leaks.
 */
public final class KernelClients {
    private static final Duration T = Duration.ofSeconds(10);

    private final Sandbox sandbox;
    private final List<Supplier<Mono<Void>>> closes = new ArrayList<>();

    KernelClients(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    /** A client of a fresh route socket in the sandbox, with the default options. */
    public NetlinkClient open() throws Exception {
        return open(NetlinkClientOptions.DEFAULTS);
    }

    /** A client of a fresh route socket in the sandbox. */
    public NetlinkClient open(NetlinkClientOptions options) throws Exception {
        return open(sandbox.inside(NetlinkSocket::openRoute), options);
    }

    /** A client of {@code socket}, which it owns from then on. */
    public NetlinkClient open(NetlinkSocket socket, NetlinkClientOptions options) {
        NetlinkClient client =
                NetlinkClient.open(TestLoops.GROUP, socket, options).block(T);
        closes.add(client::close);
        return client;
    }

    /** The events of {@code groups} on a fresh route socket in the sandbox. */
    public RouteEventSource events(Set<RouteGroup> groups, int buffer) throws Exception {
        return events(sandbox.inside(NetlinkSocket::openRoute), groups, buffer);
    }

    /** The events of {@code groups} on {@code socket}, which the source owns from then on. */
    public RouteEventSource events(NetlinkSocket socket, Set<RouteGroup> groups, int buffer) {
        RouteEventSource source =
                RouteEventSource.open(TestLoops.GROUP, socket, groups, buffer).block(T);
        closes.add(source::close);
        return source;
    }

    /** Closes everything opened, the last first; closing what the test closed already is harmless. */
    void close() {
        RuntimeException first = null;
        for (int i = closes.size() - 1; i >= 0; i--) {
            try {
                closes.get(i).get().block(T);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        closes.clear();
        if (first != null) {
            throw first;
        }
    }
}
