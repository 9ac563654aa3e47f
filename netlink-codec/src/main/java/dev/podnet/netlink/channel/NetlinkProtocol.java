package dev.podnet.netlink.channel;

import dev.podnet.netlink.DoneMessage;
import dev.podnet.netlink.ErrorMessage;
import dev.podnet.netlink.NetlinkMessage;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.SequencedSet;

/**
 * The request/reply protocol of one netlink socket, without I/O (netlink-proto's split): sequence
 * numbers, the requests awaiting replies and the bound on them, which received message answers
 * which request, requests given up on (timed out or cancelled: their slots are free at once, their
 * late replies dropped), and one dump at a time (the kernel runs one per socket and refuses a second
 * with {@code EBUSY}: further dumps wait their turn here). The channel handler
 * ({@link RequestCorrelator}) moves the bytes; this class is driven from its event loop and is tested
 * without a kernel.
 */
final class NetlinkProtocol {
    /** Requests given up on whose replies may still come: remembered up to this many, oldest first forgotten. */
    static final int MAX_ABANDONED = 4096;

    private final IntObjectMap<RequestCorrelator.Pending> pending = new IntObjectHashMap<>();
    private final SequencedSet<Integer> abandoned = new LinkedHashSet<>();
    private final Queue<WaitingDump> waitingDumps = new ArrayDeque<>();
    private final int maxPending;
    private final int portId;
    private RequestCorrelator.Pending activeDump;
    private int nextSequence = 1;

    /**
     * @param maxPending requests that may await replies at once
     * @param portId     the socket's port id: replies carry it
     */
    NetlinkProtocol(int maxPending, int portId) {
        this.maxPending = maxPending;
        this.portId = portId;
    }

    /** Requests awaiting replies. */
    int inFlight() {
        return pending.size();
    }

    /** True when {@code count} more requests fit under the bound. */
    boolean hasRoomFor(int count) {
        return pending.size() + count <= maxPending;
    }

    /** Registers a request of {@code p}: its sequence number, never 0 and never one in use. */
    int register(RequestCorrelator.Pending p) {
        int seq;
        do {
            seq = nextSequence++;
            if (nextSequence == 0) {
                nextSequence = 1;
            }
        } while (pending.containsKey(seq) || abandoned.contains(seq));
        pending.put(seq, p);
        p.sequences.add(seq);
        return seq;
    }

    /**
     * Delivers {@code m}: to the request it answers (forgotten once that request is done with), or
     * dropped as the late reply of a request given up on.
     *
     * @return false when {@code m} answers no request: a notification
     */
    boolean deliver(NetlinkMessage m) {
        if (m.sequence() == 0 || m.portId() != portId) {
            return false; // a notification carries the port and sequence of whoever caused it
        }
        RequestCorrelator.Pending p = pending.get(m.sequence());
        if (p == null) {
            if (abandoned.contains(m.sequence())) {
                if (m instanceof ErrorMessage || m instanceof DoneMessage) {
                    abandoned.remove(m.sequence()); // its last word
                }
                return true;
            }
            return false;
        }
        if (p.onMessage(m)) {
            pending.remove(m.sequence());
            p.sequences.remove((Integer) m.sequence());
            if (p.sequences.isEmpty()) {
                finished(p);
            }
        }
        return true;
    }

    /**
     * Gives up on {@code p} (timed out, cancelled, or its write failed): its slots are free at once,
     * and replies that still come for it are dropped.
     *
     * @param expectReplies whether the kernel may still answer (false when the request never left)
     */
    void forget(RequestCorrelator.Pending p, boolean expectReplies) {
        for (int seq : p.sequences) {
            if (pending.remove(seq) != null && expectReplies) {
                abandoned.add(seq);
                if (abandoned.size() > MAX_ABANDONED) {
                    abandoned.removeFirst();
                }
            }
        }
        p.sequences.clear();
        waitingDumps.removeIf(w -> w.p == p); // given up before its turn came
        finished(p);
    }

    /** Every request awaiting replies, forgotten (the channel closed or lost replies): the caller fails them. */
    List<RequestCorrelator.Pending> clear() {
        List<RequestCorrelator.Pending> all = new ArrayList<>();
        for (RequestCorrelator.Pending p : pending.values()) {
            if (!all.contains(p)) {
                all.add(p);
            }
            p.sequences.clear();
        }
        pending.clear();
        abandoned.clear();
        activeDump = null;
        waitingDumps.clear();
        return all;
    }

    /**
     * Runs {@code start} (which registers and sends dump {@code p}) now if no dump is running on the
     * socket, else when the ones before it are done.
     */
    void dump(RequestCorrelator.Pending p, Runnable start) {
        if (activeDump == null) {
            activeDump = p;
            start.run();
        } else {
            waitingDumps.add(new WaitingDump(p, start));
        }
    }

    /** Dumps waiting for the one running. */
    int waitingDumps() {
        return waitingDumps.size();
    }

    private void finished(RequestCorrelator.Pending p) {
        if (p == activeDump) {
            activeDump = null;
            WaitingDump next = waitingDumps.poll();
            if (next != null) {
                activeDump = next.p;
                next.start.run();
            }
        }
    }

    private record WaitingDump(RequestCorrelator.Pending p, Runnable start) {}
}
