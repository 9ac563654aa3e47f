package dev.podnet.stress;

import dev.podnet.api.Dataplane;
import dev.podnet.api.DataplaneOptions;
import dev.podnet.api.Endpoint;
import dev.podnet.api.EndpointSpec;
import dev.podnet.api.NetworkSpec;
import dev.podnet.daemon.CniRequest;
import dev.podnet.daemon.Daemon;
import dev.podnet.daemon.DaemonClient;
import dev.podnet.dataplane.PortMapping;
import dev.podnet.dataplane.netns.NetNs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * How the burst's timed code plugs pods in and out: through the library's API ({@link #library}), or
 * through a daemon's CNI route on its unix socket, as the shim calls it but without an exec per call
 * ({@link #daemon}: {@code churn --via-daemon}, pooled keep-alive connections, as many in flight as
 * {@code --concurrency}). Either way {@link #dp} is the dataplane that serves the pods, for the
 * untimed verification and leak checks.
 */
abstract sealed class PodDriver implements AutoCloseable {
    static final String NETWORK = "churn";
    static final String BRIDGE = "pnbr0";
    static final String SUBNET6 = "fd00:18::/64";
    private static final Duration T = Duration.ofMinutes(5);

    /** The dataplane that serves the pods. */
    abstract Dataplane dp();

    /**
     * Plugs pod namespace {@code netns} in as {@code containerId}/eth0, publishing {@code hostPort} to
     * its port 80 (0: none); the endpoint, or empty when the way in does not return one.
     */
    abstract Mono<Endpoint> add(String containerId, String netns, String podName, int hostPort);

    /** Unplugs {@code containerId}/eth0. */
    abstract Mono<?> remove(String containerId);

    /** What the report calls this way in. */
    abstract String name();

    @Override
    public abstract void close();

    /** The library's API on a dataplane opened here, the network created through it. */
    static PodDriver library(ChurnOptions o, String sandbox, Path stateDir) {
        Dataplane dp = Dataplane.open(DataplaneOptions.of(stateDir)
                        .hostNetns(NetNs.named(sandbox))
                        .maxConcurrent(o.concurrency())
                        .maxEndpoints(Math.max(1024, o.pods() * 2)))
                .block(T);
        try {
            dp.networks()
                    .create(
                            o.ptp()
                                    ? NetworkSpec.ptp(NETWORK, "198.19.0.0/16")
                                            .withGateway(o.gateway())
                                            .withLinkLocalGateway(o.linkLocalGateway())
                                            .withIpv6(o.ipv6() ? SUBNET6 : null)
                                            .withIpMasq(o.publish())
                                    : NetworkSpec.bridge(NETWORK, BRIDGE, "198.18.0.0/16")
                                            .withGateway(o.gateway())
                                            .withIpv6(o.ipv6() ? SUBNET6 : null)
                                            .withIpMasq(o.publish()))
                    .block(T);
        } catch (RuntimeException e) {
            dp.close();
            throw e;
        }
        return new Library(dp, o.vm());
    }

    /**
     * A daemon started in this process on the sandbox (socket {@code <stateDir>/daemon.sock}), called
     * through {@link DaemonClient} with {@code concurrency} connections; the network is the one the
     * first ADD's configuration makes (the same settings as {@link #library}'s).
     */
    static PodDriver daemon(ChurnOptions o, String sandbox, Path stateDir, PrintStream log) throws IOException {
        java.nio.file.Files.createDirectories(stateDir);
        Daemon.Running running = new Daemon(
                        Daemon.Options.defaults()
                                .withSocket(stateDir.resolve("daemon.sock"))
                                .withStateDir(stateDir)
                                .withHostNetns(sandbox),
                        log)
                .start();
        try {
            return new ViaDaemon(running, new DaemonClient(running.socket(), o.concurrency()), config(o));
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
    }

    /** The network configuration every CNI call carries: the settings {@link #library} creates. */
    static String config(ChurnOptions o) {
        String subnet = o.ptp() ? "198.19.0.0/16" : "198.18.0.0/16";
        String v4 = "[{\"subnet\":\"" + subnet + "\",\"gateway\":\"" + o.gateway() + "\"}]";
        String ranges = o.ipv6() ? "[" + v4 + ",[{\"subnet\":\"" + SUBNET6 + "\"}]]" : "[" + v4 + "]";
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"" + NETWORK + "\",\"type\":\"podnet\""
                + (o.ptp() ? ",\"mode\":\"ptp\"" : ",\"bridge\":\"" + BRIDGE + "\"")
                + (o.linkLocalGateway() ? ",\"linkLocalGateway\":true" : "")
                + (o.publish() ? ",\"ipMasq\":true" : "")
                + ",\"ipam\":{\"ranges\":" + ranges + "}}";
    }

    private static final class Library extends PodDriver {
        private final Dataplane dp;
        private final boolean vm;

        Library(Dataplane dp, boolean vm) {
            this.dp = dp;
            this.vm = vm;
        }

        @Override
        Dataplane dp() {
            return dp;
        }

        @Override
        Mono<Endpoint> add(String containerId, String netns, String podName, int hostPort) {
            EndpointSpec spec = EndpointSpec.of(NETWORK, containerId, NetNs.named(netns))
                    .withPod(podName, "churn")
                    .withVm(vm);
            return dp.endpoints()
                    .add(hostPort == 0 ? spec : spec.withPortMapping(new PortMapping("tcp", null, hostPort, 80)));
        }

        @Override
        Mono<?> remove(String containerId) {
            return dp.endpoints().remove(containerId, "eth0");
        }

        @Override
        String name() {
            return "library";
        }

        @Override
        public void close() {
            dp.close();
        }
    }

    private static final class ViaDaemon extends PodDriver {
        private final Daemon.Running daemon;
        private final DaemonClient client;
        private final byte[] config;

        ViaDaemon(Daemon.Running daemon, DaemonClient client, String config) {
            this.daemon = daemon;
            this.client = client;
            this.config = config.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        Dataplane dp() {
            return daemon.dataplane();
        }

        @Override
        Mono<Endpoint> add(String containerId, String netns, String podName, int hostPort) {
            return call(new CniRequest(
                            "ADD",
                            containerId,
                            "/run/netns/" + netns,
                            "eth0",
                            "IgnoreUnknown=1;K8S_POD_NAMESPACE=churn;K8S_POD_NAME=" + podName,
                            null,
                            hostPort == 0 ? config : withPort(hostPort)))
                    .then(Mono.empty());
        }

        /** The configuration with the portMappings capability's runtimeConfig, as a runtime writes it. */
        private byte[] withPort(int hostPort) {
            String c = new String(config, StandardCharsets.UTF_8);
            return (c.substring(0, c.length() - 1) + ",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":" + hostPort
                            + ",\"containerPort\":80,\"protocol\":\"tcp\"}]}}")
                    .getBytes(StandardCharsets.UTF_8);
        }

        @Override
        Mono<?> remove(String containerId) {
            return call(new CniRequest("DEL", containerId, null, "eth0", null, null, config));
        }

        /** The call, failed with the daemon's CNI error unless it answered 200. */
        private Mono<DaemonClient.Reply> call(CniRequest r) {
            return client.cni(r)
                    .flatMap(reply -> reply.status() == 200
                            ? Mono.just(reply)
                            : Mono.error(new IllegalStateException(
                                    r.command() + " " + r.containerId() + ": " + reply.status() + " " + reply.body())));
        }

        @Override
        String name() {
            return "daemon";
        }

        @Override
        public void close() {
            try {
                client.close();
            } finally {
                daemon.close();
            }
        }
    }
}
