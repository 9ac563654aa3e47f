package dev.podnet.dataplane.internal.endpoint;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.attr.AttributeList;
import dev.podnet.netlink.route.Rtm;
import dev.podnet.netlink.route.TcMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the checker accepts as a wire, over filter lists as a dump gives them (the requests the add
 * sends have the same header and attributes; a dump adds, per priority, the classifier's own entry
 * and its hash table, which carry no selector). The kernel side is in {@code EndpointShapesTest}.
 */
class VmWireTest {
    private static final int ETH = 2;
    private static final int TAP = 3;

    /** The dump's bookkeeping entries of a {@code u32} classifier at {@code priority} on {@code index}. */
    private static TcMessage bookkeeping(int index, int priority) {
        TcMessage kind = TcMessage.redirectAll(index, priority, 0);
        return TcMessage.request(
                Rtm.RTM_NEWTFILTER,
                0,
                index,
                0,
                TcMessage.INGRESS_HANDLE,
                kind.info(),
                AttributeList.builder().string(TcMessage.TCA_KIND, "u32").build());
    }

    private static List<TcMessage> dumpOf(int index, List<TcMessage> filters) {
        List<TcMessage> out = new ArrayList<>();
        for (TcMessage f : filters) {
            out.add(bookkeeping(index, f.priority()));
            out.add(f);
        }
        return out;
    }

    @Test
    void whatTheAddSendsIsAWireBothWays() {
        List<TcMessage> sent = VmWire.requests(ETH, TAP).stream()
                .filter(m -> m.type() == Rtm.RTM_NEWTFILTER)
                .toList();
        List<TcMessage> eth =
                dumpOf(ETH, sent.stream().filter(f -> f.index() == ETH).toList());
        List<TcMessage> tap =
                dumpOf(TAP, sent.stream().filter(f -> f.index() == TAP).toList());
        assertTrue(VmWire.passes(eth, ETH, TAP));
        assertTrue(VmWire.passes(tap, TAP, ETH));
        assertTrue(VmWire.keepsDhcp(tap));
        assertFalse(VmWire.keepsDhcp(eth), "eth0 keeps nothing: what comes from the pod network goes to the VM");
    }

    @Test
    void aRedirectElsewhereOrASelectiveOneIsNoWire() {
        assertFalse(VmWire.passes(dumpOf(TAP, List.of(TcMessage.redirectAll(TAP, 2, 9))), TAP, ETH), "elsewhere");
        assertFalse(
                VmWire.passes(dumpOf(TAP, List.of(TcMessage.redirectAll(TAP, 3, ETH))), TAP, ETH),
                "at another priority");
        assertFalse(VmWire.passes(List.of(), TAP, ETH), "nothing");
    }

    @Test
    void aFilterTriedBeforeTheWireOtherThanTheDhcpOneBreaksIt() {
        List<TcMessage> tap =
                dumpOf(TAP, List.of(TcMessage.redirectAll(TAP, 1, 9), TcMessage.redirectAll(TAP, 2, ETH)));
        assertFalse(VmWire.passes(tap, TAP, ETH), "everything goes to device 9 before the wire sees it");
        assertFalse(VmWire.keepsDhcp(tap));
        assertFalse(
                VmWire.keepsDhcp(dumpOf(TAP, List.of(TcMessage.keepUdpPort(TAP, 1, 68)))),
                "another port is not the DHCP server's");
    }
}
