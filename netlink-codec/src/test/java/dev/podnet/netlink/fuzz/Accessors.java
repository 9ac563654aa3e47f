package dev.podnet.netlink.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.podnet.netlink.DoneMessage;
import dev.podnet.netlink.ErrorMessage;
import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RawMessage;
import dev.podnet.netlink.attr.AttributeFormatException;
import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.AddressMessage;
import dev.podnet.netlink.route.Ifa;
import dev.podnet.netlink.route.Ifla;
import dev.podnet.netlink.route.IprouteNames;
import dev.podnet.netlink.route.LinkKinds;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.netlink.route.Nda;
import dev.podnet.netlink.route.NeighbourMessage;
import dev.podnet.netlink.route.NextHop;
import dev.podnet.netlink.route.NsidMessage;
import dev.podnet.netlink.route.RouteMessage;
import dev.podnet.netlink.route.RouteMessages;
import dev.podnet.netlink.route.Rta;
import dev.podnet.netlink.route.RtnlNames;
import dev.podnet.netlink.route.TcMessage;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Calls every typed accessor of a decoded message, so that what is parsed lazily (nested
 * attributes, next hops, statistics, kind data, extended acks) is parsed under the fuzzer too.
 * An accessor may answer, or fail with the codec's own format error for bytes that do not parse;
 * any other exception is a finding and propagates.
 */
final class Accessors {
    /** How deep {@link #attributes} follows attributes read as nested ones. */
    private static final int MAX_NESTING = 8;

    private Accessors() {}

    /**
     * True when {@code e} and every cause under it are format errors the codec raises on purpose
     * ({@link NetlinkDecodeException}, {@link AttributeFormatException}): an index out of bounds
     * wrapped in a decode exception is a bug hidden, not malformed bytes.
     */
    static boolean thrownOnPurpose(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (!(c instanceof NetlinkDecodeException || c instanceof AttributeFormatException)) {
                return false;
            }
        }
        return true;
    }

    /** Calls every accessor of {@code m}; fails for a message type it has no list for. */
    static void touchAll(NetlinkMessage m) {
        header(m);
        switch (m) {
            case LinkMessage l -> link(l);
            case AddressMessage a -> address(a);
            case RouteMessage r -> route(r);
            case NeighbourMessage n -> neighbour(n);
            case NsidMessage n -> nsid(n);
            case TcMessage t -> {
                call(t::family);
                call(t::index);
                call(t::handle);
                call(t::parent);
                call(t::info);
                call(t::kind);
                call(t::priority);
                call(t::protocol);
                call(t::redirectTarget);
                call(t::attributes);
                call(t::toString);
            }
            case ErrorMessage e -> error(e);
            case DoneMessage d -> done(d);
            case RawMessage r -> call(r::body);
            case dev.podnet.netlink.nft.NftMessage n -> {
                call(n::family);
                call(n::resourceId);
                call(n::attributes);
                call(n::toString);
            }
            default ->
                fail("Accessors.touchAll has no accessors listed for "
                        + m.getClass().getName()
                        + ": add them, or the fuzzer never parses what that message parses lazily");
        }
    }

    private static void header(NetlinkMessage m) {
        call(m::type);
        call(m::flags);
        call(m::sequence);
        call(m::portId);
        call(m::bodyLength);
        call(m::encodedLength);
        call(m::hashCode);
        call(m::toString);
        call(() -> RouteMessages.INSTANCE.typeName(m.type()));
        call(() -> RouteMessages.INSTANCE.describe(m));
        call(() -> RtnlNames.message(m.type()));
    }

    private static void link(LinkMessage l) {
        attributes(l.attributes());
        call(() -> IprouteNames.family(l.family()));
        call(() -> IprouteNames.linkType(l.deviceType()));
        call(() -> IprouteNames.linkFlags(l.deviceFlags()));
        call(l::index);
        call(l::change);
        call(l::isUp);
        call(l::name);
        call(l::mtu);
        call(l::master);
        call(l::kind);
        call(l::hardwareAddress);
        call(l::alias);
        call(l::broadcastAddress);
        call(() -> IprouteNames.operState(l.operState()));
        call(l::group);
        call(l::txQueueLength);
        call(l::link);
        call(l::linkNetnsId);
        call(l::stats);
        call(l::portKind);
        call(l::bridgePort);
        AttributeList data = answer(l::kindData);
        if (data != null) {
            attributes(data);
            call(() -> List.of(
                    LinkKinds.Bridge.Info.of(data),
                    LinkKinds.BridgePort.Info.of(data),
                    LinkKinds.Vxlan.Info.of(data),
                    LinkKinds.Tun.Info.of(data),
                    LinkKinds.Vlan.Info.of(data),
                    LinkKinds.Macvlan.modeName(data.u32(LinkKinds.Macvlan.IFLA_MACVLAN_MODE, 0))));
        }
        call(() -> LinkKinds.BridgePort.Info.of(l.attributes().nested(Ifla.IFLA_PROTINFO)));
    }

    private static void address(AddressMessage a) {
        attributes(a.attributes());
        call(() -> IprouteNames.family(a.family()));
        call(a::prefixLength);
        call(a::addressFlags);
        call(() -> IprouteNames.scope(a.scope()));
        call(a::index);
        call(() -> printed(a.address()));
        call(a::allFlags);
        call(a::label);
        call(() -> printed(a.broadcast()));
        call(() -> printed(a.attributes().address(Ifa.IFA_ANYCAST)));
        call(a::lifetimes);
    }

    private static void route(RouteMessage r) {
        attributes(r.attributes());
        call(() -> IprouteNames.family(r.family()));
        call(r::dstLength);
        call(r::srcLength);
        call(r::tos);
        call(() -> IprouteNames.table(r.table()));
        call(() -> IprouteNames.protocol(r.protocol()));
        call(() -> IprouteNames.scope(r.scope()));
        call(() -> IprouteNames.routeType(r.routeType()));
        call(r::routeFlags);
        call(() -> IprouteNames.table(r.effectiveTable()));
        call(() -> printed(r.destination()));
        call(() -> printed(r.gateway()));
        call(r::outputInterface);
        call(r::priority);
        call(() -> printed(r.preferredSource()));
        call(r::mtu);
        call(r::advmss);
        call(() -> r.attributes().nested(Rta.RTA_METRICS).u32(Rta.RTAX_HOPLIMIT, 0));
        call(() -> {
            List<String> hops = new ArrayList<>();
            for (NextHop h : r.nextHops()) {
                hops.add(h + " " + h.flags() + " " + h.weight() + " " + h.index() + " " + printed(h.gateway()));
            }
            return hops;
        });
    }

    private static void neighbour(NeighbourMessage n) {
        attributes(n.attributes());
        call(() -> IprouteNames.family(n.family()));
        call(n::index);
        call(() -> Nda.stateName(n.state()));
        call(n::neighbourFlags);
        call(n::neighbourType);
        call(() -> printed(n.destination()));
        call(n::linkLayerAddress);
    }

    private static void nsid(NsidMessage n) {
        attributes(n.attributes());
        call(n::family);
        call(n::nsid);
    }

    private static void error(ErrorMessage e) {
        attributes(e.extAck());
        call(e::error);
        call(e::isAck);
        call(e::errno);
        call(e::requestType);
        call(e::requestSequence);
        call(e::extAckMessage);
        call(e::extAckOffset);
        call(e::body);
        // what the channel makes of every failure it correlates
        call(() -> NetlinkException.of(e, "request").getMessage());
    }

    private static void done(DoneMessage d) {
        attributes(d.extAck());
        call(d::error);
        call(d::body);
        // what a dump makes of a DONE that reports a failure
        call(() -> new NetlinkException(-d.error(), d.extAck().string(Netlink.NLMSGERR_ATTR_MSG), -1, "dump")
                .getMessage());
    }

    /** Every accessor of an attribute list, on every type it holds, and nested lists below it. */
    private static void attributes(AttributeList list) {
        attributes(list, 0);
    }

    private static void attributes(AttributeList list, int depth) {
        call(list::size);
        call(list::isEmpty);
        call(list::toString);
        call(() -> list.toString(RtnlNames::linkAttribute));
        // a list is its bytes: a copy of them is an equal list
        AttributeList copy = AttributeList.wrap(list.toByteArray(), 0, list.encodedLength());
        assertEquals(list, copy, "an attribute list and a copy of its bytes");
        assertEquals(list.hashCode(), copy.hashCode(), "hash of an attribute list and of a copy of its bytes");
        Set<Integer> types = new LinkedHashSet<>();
        for (int raw : list.types()) {
            types.add(raw & AttributeList.NLA_TYPE_MASK);
        }
        for (int type : types) {
            call(() -> list.has(type));
            call(() -> list.bytes(type));
            call(() -> list.u8(type, -1));
            call(() -> list.u16(type, -1));
            call(() -> list.u32(type, -1));
            call(() -> list.u64(type, -1L));
            call(() -> list.string(type));
            call(() -> printed(list.address(type)));
            if (depth < MAX_NESTING) {
                // any attribute may be read as a nested list: most are not one, and fail on purpose
                AttributeList inner = answer(() -> list.nested(type));
                if (inner != null) {
                    attributes(inner, depth + 1);
                }
            }
        }
    }

    /** An address as {@code ip} prints it, or null. */
    private static String printed(InetAddress a) {
        return a == null ? null : IprouteNames.address(a) + " " + a.getHostAddress();
    }

    /** Calls one accessor and renders what it returns (see {@link #answer}). */
    private static void call(Supplier<?> accessor) {
        String.valueOf(answer(accessor));
    }

    /**
     * What {@code accessor} returns, or null when it fails with the codec's own format error (an
     * answer, for bytes that do not parse). That error hiding another exception fails; any other
     * exception propagates as itself.
     */
    private static <T> T answer(Supplier<T> accessor) {
        try {
            return accessor.get();
        } catch (NetlinkDecodeException | AttributeFormatException e) {
            if (!thrownOnPurpose(e)) {
                fail("an accessor hid a bug in a decode error: " + e, e);
            }
            return null;
        }
    }
}
