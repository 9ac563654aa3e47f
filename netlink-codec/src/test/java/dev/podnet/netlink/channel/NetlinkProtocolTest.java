package dev.podnet.netlink.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.DoneMessage;
import dev.podnet.netlink.ErrorMessage;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RawMessage;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.RouteMessages;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The request/reply protocol without a kernel or a channel: messages in, requests completed. */
class NetlinkProtocolTest {
    private static final int PORT = 4242;

    private static ErrorMessage ack(int seq) {
        return new ErrorMessage(0, seq, PORT, 0, 16, seq, AttributeList.EMPTY, new byte[0]);
    }

    private static ErrorMessage error(int seq, int errno) {
        return new ErrorMessage(0, seq, PORT, -errno, 16, seq, AttributeList.EMPTY, new byte[0]);
    }

    private static RawMessage part(int seq, int port) {
        return new RawMessage(16, 2 /* NLM_F_MULTI */, seq, port, new byte[] {1, 2, 3, 4});
    }

    private static DoneMessage done(int seq) {
        return new DoneMessage(2, seq, PORT, 0, AttributeList.EMPTY, new byte[4]);
    }

    /** A single request whose outcome lands in {@code outcome}: the reply, "ack", or the error. */
    private static RequestCorrelator.Single single(AtomicReference<Object> outcome) {
        AtomicReference<RequestCorrelator.Single> p = new AtomicReference<>();
        Mono.<NetlinkMessage>create(
                        sink -> p.set(new RequestCorrelator.Single(sink, part(0, 0), RouteMessages.INSTANCE)))
                .subscribe(outcome::set, outcome::set, () -> outcome.compareAndSet(null, "ack"));
        return p.get();
    }

    private static RequestCorrelator.Dump dump(List<NetlinkMessage> got, AtomicReference<Object> end) {
        AtomicReference<RequestCorrelator.Dump> p = new AtomicReference<>();
        Flux.<NetlinkMessage>create(sink -> p.set(new RequestCorrelator.Dump(sink, "test dump")))
                .subscribe(got::add, end::set, () -> end.set("done"));
        return p.get();
    }

    @Test
    void repliesCompleteTheirRequestAndEverythingElseIsANotification() {
        NetlinkProtocol protocol = new NetlinkProtocol(8, PORT);
        AtomicReference<Object> outcome = new AtomicReference<>();
        int seq = protocol.register(single(outcome));
        assertFalse(protocol.deliver(part(seq, 999)), "another port's message is a notification");
        assertFalse(protocol.deliver(part(0, PORT)), "sequence 0 is a notification");
        assertFalse(protocol.deliver(part(seq + 1, PORT)), "no request has that sequence");
        assertTrue(protocol.deliver(part(seq, PORT)));
        assertEquals(null, outcome.get(), "a reply waits for its ack");
        assertTrue(protocol.deliver(ack(seq)));
        assertInstanceOf(RawMessage.class, outcome.get());
        assertEquals(0, protocol.inFlight());

        int failing = protocol.register(single(outcome));
        protocol.deliver(error(failing, 17));
        NetlinkException e = assertInstanceOf(NetlinkException.class, outcome.get());
        assertEquals("EEXIST", e.errnoName());
    }

    @Test
    void aDumpAssemblesItsPartsUntilDone() {
        NetlinkProtocol protocol = new NetlinkProtocol(8, PORT);
        List<NetlinkMessage> got = new ArrayList<>();
        AtomicReference<Object> end = new AtomicReference<>();
        RequestCorrelator.Dump d = dump(got, end);
        int[] seq = new int[1];
        protocol.dump(d, () -> seq[0] = protocol.register(d));
        for (int i = 0; i < 3; i++) {
            protocol.deliver(part(seq[0], PORT));
        }
        assertEquals(3, got.size());
        assertEquals(null, end.get());
        protocol.deliver(done(seq[0]));
        assertEquals("done", end.get());
        assertEquals(0, protocol.inFlight());
    }

    @Test
    void sequenceNumbersSkipZeroAndThoseInUse() {
        NetlinkProtocol protocol = new NetlinkProtocol(8, PORT);
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seen.add(protocol.register(single(new AtomicReference<>())));
        }
        assertEquals(5, seen.stream().distinct().count());
        assertFalse(seen.contains(0));
    }

    @Test
    void aRequestGivenUpOnFreesItsSlotAtOnceAndItsLateRepliesAreDropped() {
        NetlinkProtocol protocol = new NetlinkProtocol(2, PORT);
        AtomicReference<Object> outcome = new AtomicReference<>();
        List<Integer> given = new ArrayList<>();
        // many time-outs in a row never exhaust the bound of 2
        for (int i = 0; i < 100; i++) {
            assertTrue(protocol.hasRoomFor(1), "round " + i);
            RequestCorrelator.Single p = single(outcome);
            given.add(protocol.register(p));
            protocol.forget(p, true);
            assertEquals(0, protocol.inFlight());
        }
        assertTrue(protocol.deliver(part(given.get(7), PORT)), "a late reply is ours, dropped, not a notification");
        assertTrue(protocol.deliver(ack(given.get(7))), "and so is its ack");
        assertFalse(protocol.deliver(ack(given.get(7))), "after its last word the sequence is forgotten");
        assertEquals(null, outcome.get(), "nothing was completed by the late replies");
        RequestCorrelator.Single next = single(outcome);
        int seq = protocol.register(next);
        assertFalse(given.subList(8, 100).contains(seq), "a sequence whose reply may still come is not reused");
    }

    @Test
    void oneDumpAtATimeTheOthersWaitTheirTurn() {
        NetlinkProtocol protocol = new NetlinkProtocol(8, PORT);
        List<String> started = new ArrayList<>();
        List<NetlinkMessage> ignored = new ArrayList<>();
        RequestCorrelator.Dump first = dump(ignored, new AtomicReference<>());
        RequestCorrelator.Dump second = dump(ignored, new AtomicReference<>());
        RequestCorrelator.Dump third = dump(ignored, new AtomicReference<>());
        int[] seqs = new int[3];
        protocol.dump(first, () -> {
            started.add("first");
            seqs[0] = protocol.register(first);
        });
        protocol.dump(second, () -> {
            started.add("second");
            seqs[1] = protocol.register(second);
        });
        protocol.dump(third, () -> {
            started.add("third");
            seqs[2] = protocol.register(third);
        });
        assertEquals(List.of("first"), started);
        assertEquals(2, protocol.waitingDumps());
        protocol.forget(second, true); // given up on while waiting: never sent
        protocol.deliver(done(seqs[0]));
        assertEquals(List.of("first", "third"), started, "the next waiting dump starts when the running one ends");
        assertNotEquals(0, seqs[2]);
        protocol.deliver(error(seqs[2], 22));
        assertEquals(0, protocol.waitingDumps());
        assertEquals(0, protocol.inFlight());
    }

    @Test
    void clearingHandsBackEveryPendingRequestOnce() {
        NetlinkProtocol protocol = new NetlinkProtocol(8, PORT);
        RequestCorrelator.Single a = single(new AtomicReference<>());
        protocol.register(a);
        AtomicReference<RequestCorrelator.Batch> b = new AtomicReference<>();
        Mono.<List<NetlinkMessage>>create(
                        sink -> b.set(new RequestCorrelator.Batch(sink, 2, i -> part(0, 0), RouteMessages.INSTANCE)))
                .subscribe(x -> {}, x -> {});
        protocol.register(b.get());
        protocol.register(b.get());
        assertEquals(3, protocol.inFlight());
        assertEquals(List.of(a, b.get()).size(), protocol.clear().size());
        assertEquals(0, protocol.inFlight());
    }

    @Test
    void theBoundCountsWhatAwaitsReplies() {
        NetlinkProtocol protocol = new NetlinkProtocol(2, PORT);
        assertTrue(protocol.hasRoomFor(2));
        assertFalse(protocol.hasRoomFor(3));
        RequestCorrelator.Single a = single(new AtomicReference<>());
        protocol.register(a);
        assertTrue(protocol.hasRoomFor(1));
        assertFalse(protocol.hasRoomFor(2));
        protocol.register(single(new AtomicReference<>()));
        assertFalse(protocol.hasRoomFor(1));
        protocol.forget(a, true);
        assertTrue(protocol.hasRoomFor(1));
    }

    @Test
    void forgettingTheRunningDumpStartsTheNextAndClearingForgetsEverything() {
        NetlinkProtocol protocol = new NetlinkProtocol(8, PORT);
        List<String> started = new ArrayList<>();
        RequestCorrelator.Dump first = dump(new ArrayList<>(), new AtomicReference<>());
        RequestCorrelator.Dump second = dump(new ArrayList<>(), new AtomicReference<>());
        RequestCorrelator.Dump third = dump(new ArrayList<>(), new AtomicReference<>());
        int[] seq = new int[1];
        protocol.dump(first, () -> {
            started.add("first");
            seq[0] = protocol.register(first);
        });
        protocol.dump(second, () -> started.add("second"));
        protocol.forget(first, true); // timed out while running
        assertEquals(List.of("first", "second"), started);
        assertTrue(protocol.deliver(part(seq[0], PORT)), "the forgotten dump's late part is dropped");
        protocol.dump(third, () -> started.add("third"));
        assertEquals(1, protocol.waitingDumps());
        protocol.clear();
        assertEquals(0, protocol.waitingDumps());
        assertFalse(protocol.deliver(part(seq[0], PORT)), "after clear nothing is remembered: a notification");
        RequestCorrelator.Dump fourth = dump(new ArrayList<>(), new AtomicReference<>());
        protocol.dump(fourth, () -> started.add("fourth"));
        assertEquals(
                List.of("first", "second", "fourth"),
                started,
                "clear ends the running dump too: the next starts at once");
    }
}
