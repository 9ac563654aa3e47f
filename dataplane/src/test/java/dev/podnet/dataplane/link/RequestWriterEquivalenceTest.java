package dev.podnet.dataplane.link;

import dev.podnet.dataplane.ipam.Cidr;
import dev.podnet.netlink.NetlinkCodec;
import dev.podnet.netlink.NetlinkMessage;
import dev.podnet.netlink.RequestWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The requests of an add written straight into a buffer ({@link RequestWriter}) are byte for byte
 * those built as objects, whatever the options: the two must never drift apart.
 */
class RequestWriterEquivalenceTest {
    private static final MacAddress MAC = MacAddress.parse("02:42:c6:12:00:07");

    private static void same(NetlinkMessage object, Consumer<RequestWriter> written) {
        ByteBuf a = Unpooled.buffer();
        ByteBuf b = Unpooled.buffer();
        NetlinkCodec.encode(object, 0, 0, a);
        RequestWriter w = new RequestWriter().reset(b);
        written.accept(w);
        assertEquals(1, w.count());
        assertEquals(ByteBufUtil.hexDump(a), ByteBufUtil.hexDump(b), object.toString());
    }

    @Test
    void vethCreatesMatch() {
        for (VethSpec s : new VethSpec[]{
                new VethSpec("pn0123456789ab", 3, 0, 0, "eth0", 42, MAC, true, false),
                new VethSpec("pn0123456789ab", 3, 1400, 7, "eth1", 42, MAC, true, true),
                new VethSpec("p", 0, 9000, 0, "net0123456789a", 5, null, false, true),
                new VethSpec("ab", 0, 0, 0, "eth0", 1, null, true, false)}) {
            same(Links.newVethIntoNamespace(s), w -> Links.writeVethIntoNamespace(w, s));
        }
    }

    @Test
    void setLinksMatch() {
        for (String alias : new String[]{"podnet:pods:c0ffee01/eth0", "a", "abc", "abcd", "pödnet:ü/eth0"}) {
            same(Links.setAliasWithoutLinkLocal("pn0123", alias), w -> Links.writeSetAliasWithoutLinkLocal(w, "pn0123", alias));
            same(Links.noIpv6LinkLocal(7, alias), w -> Links.writeNoIpv6LinkLocal(w, 7, alias));
        }
        same(Links.noIpv6LinkLocal(7), w -> Links.writeNoIpv6LinkLocal(w, 7, null));
        same(Links.up(12), w -> Links.writeUp(w, 12));
    }

    @Test
    void addressesAndRoutesMatch() {
        for (String a : new String[]{"198.18.0.7/16", "198.18.255.254/16", "198.19.0.2/24", "198.19.0.2/31", "198.19.0.2/32",
                "198.18.0.1/0", "fd00:18::7/64", "fe80::1/64"}) {
            Cidr c = Cidr.parse(a);
            same(Addresses.add(3, c), w -> Addresses.writeAdd(w, 3, c));
        }
        for (String g : new String[]{"198.18.0.1", "fd00:18::1"}) {
            var gw = Cidr.parseAddress(g, "gateway");
            same(Routes.defaultVia(gw, 9), w -> Routes.writeDefaultVia(w, gw, 9));
        }
    }

    @Test
    void objectsAppendedToAWrittenBatchKeepTheirPlace() {
        ByteBuf a = Unpooled.buffer();
        NetlinkCodec.encode(Links.up(1), 0, 0, a);
        NetlinkCodec.encode(Links.hairpinOn("pn0"), 0, 0, a);
        NetlinkCodec.encode(Links.up(2), 0, 0, a);
        ByteBuf b = Unpooled.buffer();
        RequestWriter w = new RequestWriter().reset(b);
        Links.writeUp(w, 1);
        w.message(Links.hairpinOn("pn0"));
        Links.writeUp(w, 2);
        assertEquals(3, w.count());
        assertEquals(ByteBufUtil.hexDump(a), ByteBufUtil.hexDump(b));
    }
}
