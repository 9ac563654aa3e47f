package dev.podnet.daemon;

import dev.podnet.api.Dataplane;
import dev.podnet.api.Endpoint;
import dev.podnet.api.Network;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * The daemon's Prometheus metrics (Micrometer): {@code podnet_cni_operations_total{command,outcome}},
 * the latency histogram {@code podnet_cni_operation_seconds{command,outcome}}, the operations in
 * flight {@code podnet_cni_inflight}, the endpoints per network {@code podnet_network_endpoints{network}}
 * (counted at each scrape) and the DEL spool's depth {@code podnet_cni_spool_depth}.
 */
final class DaemonMetrics {
    /** The content type of {@link PrometheusMeterRegistry#scrape()}: the text format 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Commands are tags: anything else is counted as "unknown", so that a caller cannot make new series. */
    private static final Set<String> COMMANDS = Set.of("ADD", "DEL", "CHECK", "STATUS", "GC", "VERSION");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger inflight = new AtomicInteger();
    private final MultiGauge endpoints;
    private final Dataplane dp;

    DaemonMetrics(Dataplane dp, DelSpool spool) {
        this.dp = dp;
        // strong references: a gauge holds its object weakly by default, and would read NaN once it is collected
        Gauge.builder("podnet.cni.inflight", inflight, AtomicInteger::get)
                .description("CNI operations in flight")
                .strongReference(true)
                .register(registry);
        Gauge.builder("podnet.cni.spool.depth", spool, DelSpool::depth)
                .description("DEL requests spooled by the shim and not yet replayed")
                .strongReference(true)
                .register(registry);
        endpoints = MultiGauge.builder("podnet.network.endpoints")
                .description("endpoints per network")
                .register(registry);
    }

    /** One operation, from its start: {@link Op#done} records it once, whatever signal comes first. */
    Op start(String command) {
        inflight.incrementAndGet();
        return new Op(COMMANDS.contains(command) ? command : "unknown", Timer.start(registry));
    }

    /** The metrics as Prometheus text, with the endpoints per network counted now. */
    Mono<String> scrape() {
        Mono<Map<String, Long>> counts = dp.networks()
                .list()
                .map(Network::name)
                .collectList()
                .zipWith(dp.endpoints().list().collect(Collectors.groupingBy(Endpoint::network, Collectors.counting())))
                .map(t -> {
                    // every network, those without endpoints too
                    Map<String, Long> all = new TreeMap<>();
                    t.getT1().forEach(n -> all.put(n, 0L));
                    all.putAll(t.getT2());
                    return all;
                });
        return counts.map(all -> {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            all.forEach((network, n) -> rows.add(MultiGauge.Row.of(Tags.of("network", network), n)));
            endpoints.register(rows, true);
            return registry.scrape();
        });
    }

    /** A started operation. */
    final class Op {
        private final String command;
        private final Timer.Sample sample;
        private final AtomicBoolean done = new AtomicBoolean();

        private Op(String command, Timer.Sample sample) {
            this.command = command;
            this.sample = sample;
        }

        /** Records the operation's outcome ("success", "error" or "cancelled") and latency, the first time only. */
        void done(String outcome) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            inflight.decrementAndGet();
            Counter.builder("podnet.cni.operations")
                    .description("CNI operations by command and outcome")
                    .tag("command", command)
                    .tag("outcome", outcome)
                    .register(registry)
                    .increment();
            sample.stop(Timer.builder("podnet.cni.operation")
                    .description("CNI operation latency")
                    .tag("command", command)
                    .tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .register(registry));
        }
    }
}
