package dev.podnet.netlink.route;

import dev.podnet.netlink.MessageFactory;
import dev.podnet.netlink.NetlinkDecodeException;
import dev.podnet.netlink.NetlinkMessage;
import io.netty.buffer.ByteBuf;

/** The {@link MessageFactory} of rtnetlink: links, addresses, routes, neighbours, namespace ids, traffic control. */
public final class RouteMessages implements MessageFactory {
    public static final RouteMessages INSTANCE = new RouteMessages();

    private RouteMessages() {}

    @Override
    public NetlinkMessage decode(int type, int flags, int sequence, int portId, ByteBuf body) {
        return switch (type) {
            case Rtm.RTM_NEWLINK, Rtm.RTM_DELLINK, Rtm.RTM_GETLINK, Rtm.RTM_SETLINK ->
                LinkMessage.decode(type, flags, sequence, portId, body);
            case Rtm.RTM_NEWADDR, Rtm.RTM_DELADDR, Rtm.RTM_GETADDR ->
                AddressMessage.decode(type, flags, sequence, portId, body);
            case Rtm.RTM_NEWROUTE, Rtm.RTM_DELROUTE, Rtm.RTM_GETROUTE ->
                RouteMessage.decode(type, flags, sequence, portId, body);
            case Rtm.RTM_NEWNEIGH, Rtm.RTM_DELNEIGH, Rtm.RTM_GETNEIGH ->
                NeighbourMessage.decode(type, flags, sequence, portId, body);
            case Rtm.RTM_NEWNSID, Rtm.RTM_DELNSID, Rtm.RTM_GETNSID ->
                NsidMessage.decode(type, flags, sequence, portId, body);
            case Rtm.RTM_NEWQDISC,
                    Rtm.RTM_DELQDISC,
                    Rtm.RTM_GETQDISC,
                    Rtm.RTM_NEWTFILTER,
                    Rtm.RTM_DELTFILTER,
                    Rtm.RTM_GETTFILTER -> TcMessage.decode(type, flags, sequence, portId, body);
            default -> null;
        };
    }

    /** Fails unless {@code body} holds at least the {@code length}-byte fixed header ({@code struct}) of {@code type}. */
    static void requireFixedHeader(int type, ByteBuf body, int length, String struct) {
        if (body.readableBytes() < length) {
            throw new NetlinkDecodeException(RtnlNames.message(type) + " body of " + body.readableBytes() + " bytes, "
                    + struct + " needs " + length);
        }
    }

    @Override
    public String typeName(int type) {
        return RtnlNames.message(type);
    }

    @Override
    public String describe(NetlinkMessage request) {
        StringBuilder b = new StringBuilder(RtnlNames.message(request.type()));
        switch (request) {
            case LinkMessage l -> {
                String name = l.name();
                if (name != null) {
                    b.append(' ').append(name);
                } else if (l.index() != 0) {
                    b.append(" index ").append(l.index());
                }
                String kind = l.kind();
                if (kind != null) {
                    b.append(" (").append(kind).append(')');
                }
            }
            case AddressMessage a ->
                b.append(' ')
                        .append(a.address() == null ? "?" : a.address().getHostAddress())
                        .append('/')
                        .append(a.prefixLength())
                        .append(" on index ")
                        .append(a.index());
            case RouteMessage r -> {
                b.append(' ')
                        .append(
                                r.destination() == null
                                        ? "default"
                                        : r.destination().getHostAddress() + "/" + r.dstLength());
                if (r.gateway() != null) {
                    b.append(" via ").append(r.gateway().getHostAddress());
                }
                if (r.outputInterface() != 0) {
                    b.append(" dev index ").append(r.outputInterface());
                }
            }
            case NeighbourMessage n ->
                b.append(' ')
                        .append(n.destination() == null ? "?" : n.destination().getHostAddress())
                        .append(" on index ")
                        .append(n.index());
            case TcMessage t -> {
                String kind = t.kind();
                if (kind != null) {
                    b.append(' ').append(kind);
                }
                b.append(" on index ").append(t.index());
            }
            default -> {}
        }
        return b.toString();
    }
}
