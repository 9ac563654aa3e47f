package dev.podnet.dataplane.internal.endpoint;

import dev.podnet.dataplane.internal.dhcp.DhcpResponder;
import dev.podnet.netlink.route.TcMessage;
import java.util.Arrays;
import java.util.List;

/**
 * The wire between a VM endpoint's sandbox interface and its tap, made of traffic control: an
 * ingress qdisc on each, a match-all redirect from each to the other, and on the tap, tried first,
 * a filter that keeps the VM's DHCP requests for the responder bound there. What the add step
 * sends ({@link #requests}) and what the checker reads back ({@link #passes}, {@link #keepsDhcp})
 * are defined here together, so the two cannot drift apart.
 */
public final class VmWire {
    /** The DHCP filter's priority: lower numbers are tried first. */
    static final int KEEP_PRIORITY = 1;

    /** The redirects' priority. */
    static final int WIRE_PRIORITY = 2;

    private VmWire() {}

    /** The requests that wire interface {@code eth} and tap {@code tap} (device indexes in the sandbox). */
    static List<TcMessage> requests(int eth, int tap) {
        return List.of(
                TcMessage.ingressQdisc(eth),
                TcMessage.ingressQdisc(tap),
                TcMessage.redirectAll(eth, WIRE_PRIORITY, tap),
                TcMessage.keepUdpPort(tap, KEEP_PRIORITY, DhcpResponder.SERVER_PORT),
                TcMessage.redirectAll(tap, WIRE_PRIORITY, eth));
    }

    /**
     * Whether device {@code from}'s ingress {@code filters} (a dump of them) pass every frame to
     * {@code to}: a match-all at the wire's priority redirecting there, and no filter tried before it
     * but the DHCP one.
     */
    public static boolean passes(List<TcMessage> filters, int from, int to) {
        byte[] all = TcMessage.redirectAll(from, WIRE_PRIORITY, to).selector();
        boolean wired = false;
        for (TcMessage f : filters) {
            if (f.priority() == WIRE_PRIORITY) {
                wired |= f.redirectTarget() == to && Arrays.equals(f.selector(), all);
            } else if (f.priority() < WIRE_PRIORITY && !isKeep(f) && !isU32Bookkeeping(f)) {
                return false; // something else decides first
            }
        }
        return wired;
    }

    /** Whether the tap's ingress {@code filters} keep the VM's DHCP requests out of the wire. */
    public static boolean keepsDhcp(List<TcMessage> filters) {
        return filters.stream().anyMatch(VmWire::isKeep);
    }

    /** The entries a {@code u32} dump lists besides its keyed nodes: the classifier itself and its hash table. */
    private static boolean isU32Bookkeeping(TcMessage f) {
        return "u32".equals(f.kind()) && f.selector() == null;
    }

    private static boolean isKeep(TcMessage f) {
        TcMessage keep = TcMessage.keepUdpPort(f.index(), KEEP_PRIORITY, DhcpResponder.SERVER_PORT);
        return f.priority() == KEEP_PRIORITY
                && f.protocol() == keep.protocol()
                && f.redirectTarget() == 0
                && Arrays.equals(f.selector(), keep.selector());
    }
}
