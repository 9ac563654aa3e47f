package dev.podnet.netlink.channel;

import dev.podnet.netlink.MessageFactory;
import dev.podnet.netlink.route.RouteMessages;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of a {@link NetlinkClient}.
 *
 * @param factory        decodes the protocol's messages (rtnetlink by default)
 * @param maxInFlight    requests awaiting replies on one channel before new ones are refused
 * @param requestTimeout how long a request or dump waits for the kernel
 * @param dumpRetries    how often an interrupted dump ({@code NLM_F_DUMP_INTR}) is restarted
 */
public record NetlinkClientOptions(MessageFactory factory, int maxInFlight, Duration requestTimeout, int dumpRetries) {
    public static final NetlinkClientOptions DEFAULTS =
            new NetlinkClientOptions(RouteMessages.INSTANCE, 8192, Duration.ofSeconds(30), 5);

    public NetlinkClientOptions {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
        }
        if (dumpRetries < 0) {
            throw new IllegalArgumentException("dumpRetries must not be negative, got " + dumpRetries);
        }
    }

    public NetlinkClientOptions maxInFlight(int n) {
        return new NetlinkClientOptions(factory, n, requestTimeout, dumpRetries);
    }

    public NetlinkClientOptions requestTimeout(Duration d) {
        return new NetlinkClientOptions(factory, maxInFlight, d, dumpRetries);
    }

    public NetlinkClientOptions dumpRetries(int n) {
        return new NetlinkClientOptions(factory, maxInFlight, requestTimeout, n);
    }
}
