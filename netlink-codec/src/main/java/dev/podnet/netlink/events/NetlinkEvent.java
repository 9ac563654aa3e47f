package dev.podnet.netlink.events;

import dev.podnet.netlink.NetlinkMessage;
import java.util.List;

/** What an event subscription delivers. */
public sealed interface NetlinkEvent {
    /** A change the kernel reported (RTM_NEWLINK, RTM_DELADDR, ...). */
    record Notification(NetlinkMessage message) implements NetlinkEvent {}

    /**
     * Notifications were lost (the socket's receive queue overflowed, or the subscriber fell more
     * than the buffer behind). A {@link Resync} for every subscribed group follows.
     */
    record Overrun(String reason) implements NetlinkEvent {}

    /** The whole current state of {@code group}, read after an {@link Overrun}. */
    record Resync(RouteGroup group, List<NetlinkMessage> snapshot) implements NetlinkEvent {}
}
