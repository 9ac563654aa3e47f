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
 * @param readBuffer     bytes read per datagram (a larger one is reported as lost, never cut)
 */
public record NetlinkClientOptions(
        MessageFactory factory, int maxInFlight, Duration requestTimeout, int dumpRetries, int readBuffer) {
    public static final NetlinkClientOptions DEFAULTS = new NetlinkClientOptions(
            RouteMessages.INSTANCE, 8192, Duration.ofSeconds(30), 5, NetlinkChannel.READ_BUFFER);

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
        if (readBuffer < 1024) {
            throw new IllegalArgumentException("readBuffer must be at least 1024 bytes, got " + readBuffer);
        }
    }

    public NetlinkClientOptions maxInFlight(int n) {
        return new NetlinkClientOptions(factory, n, requestTimeout, dumpRetries, readBuffer);
    }

    public NetlinkClientOptions requestTimeout(Duration d) {
        return new NetlinkClientOptions(factory, maxInFlight, d, dumpRetries, readBuffer);
    }

    public NetlinkClientOptions dumpRetries(int n) {
        return new NetlinkClientOptions(factory, maxInFlight, requestTimeout, n, readBuffer);
    }

    public NetlinkClientOptions readBuffer(int bytes) {
        return new NetlinkClientOptions(factory, maxInFlight, requestTimeout, dumpRetries, bytes);
    }
}
