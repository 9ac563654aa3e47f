package dev.podnet.netlink.route;

import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.attr.AttributeList;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Traffic control: {@code RTM_NEWQDISC / RTM_DELQDISC / RTM_GETQDISC} and
 * {@code RTM_NEWTFILTER / RTM_DELTFILTER / RTM_GETTFILTER}, a {@code struct tcmsg} followed by
 * {@code TCA_*} attributes ({@code linux/rtnetlink.h}, {@code linux/pkt_sched.h},
 * {@code linux/pkt_cls.h}, {@code linux/tc_act/tc_mirred.h}).
 *
 * <p>What podnet asks of it is one thing: to join two devices of a namespace as a wire, every frame
 * that arrives on one leaving by the other ({@link #ingressQdisc}, {@link #redirectAll}), as Kata
 * Containers joins a pod's interface and its VM's tap. The kernel here has {@code u32} and
 * {@code mirred} but neither {@code matchall} nor {@code flower}, so the match-all is a {@code u32}
 * selector with one key that masks every bit away (what {@code tc filter ... u32 match u8 0 0}
 * sends).
 *
 * @param family  {@code tcm_family} (0)
 * @param index   {@code tcm_ifindex}: the device
 * @param handle  {@code tcm_handle}: the qdisc's or filter's handle
 * @param parent  {@code tcm_parent}: the qdisc a filter hangs from, or where a qdisc attaches
 * @param info    {@code tcm_info}: for a filter, its priority (high 16 bits) and protocol (low 16,
 *                network byte order)
 */
public record TcMessage(
        int type,
        int flags,
        int sequence,
        int portId,
        int family,
        int index,
        int handle,
        int parent,
        int info,
        AttributeList attributes)
        implements RtnetlinkMessage {
    /** Size of {@code struct tcmsg}. */
    public static final int HEADER_LENGTH = 20;

    public static final int TCA_KIND = 1;
    public static final int TCA_OPTIONS = 2;
    /** {@code TC_H_INGRESS}: where an ingress qdisc attaches. */
    public static final int TC_H_INGRESS = 0xFFFFFFF1;
    /** The ingress qdisc's handle ({@code ffff:}), the parent of its filters. */
    public static final int INGRESS_HANDLE = 0xFFFF0000;
    /** {@code ETH_P_ALL}: a filter for every protocol. */
    public static final int ETH_P_ALL = 0x0003;
    /** {@code ETH_P_IP}. */
    public static final int ETH_P_IP = 0x0800;

    /** {@code TCA_U32_SEL}: the selector ({@code struct tc_u32_sel} and its keys). */
    public static final int TCA_U32_SEL = 5;
    /** {@code TCA_U32_ACT}: the actions run on a match. */
    public static final int TCA_U32_ACT = 7;
    /** {@code TC_U32_TERMINAL}: a match ends the classification. */
    public static final int TC_U32_TERMINAL = 1;
    /** {@code TCA_ACT_KIND} inside an action. */
    public static final int TCA_ACT_KIND = 1;
    /** {@code TCA_ACT_OPTIONS} inside an action. */
    public static final int TCA_ACT_OPTIONS = 2;
    /** {@code TCA_MIRRED_PARMS}: a {@code struct tc_mirred}. */
    public static final int TCA_MIRRED_PARMS = 2;
    /** {@code TCA_EGRESS_REDIR}: send the frame out of the target device, as it is. */
    public static final int TCA_EGRESS_REDIR = 1;
    /** {@code TC_ACT_OK}: the frame goes on its way (into the device's own stack). */
    public static final int TC_ACT_OK = 0;
    /** {@code TC_ACT_STOLEN}: the action consumed the frame. */
    public static final int TC_ACT_STOLEN = 4;

    /** Size of {@code struct tc_mirred}: {@code tc_gen} (five 32-bit fields), eaction, ifindex. */
    private static final int TC_MIRRED_LENGTH = 28;
    /** Size of {@code struct tc_u32_sel} without its keys. */
    private static final int TC_U32_SEL_LENGTH = 16;
    /** Size of a {@code struct tc_u32_key}. */
    private static final int TC_U32_KEY_LENGTH = 16;

    /** An ingress qdisc on device {@code index} (fails with {@code EEXIST} when it has one). */
    public static TcMessage ingressQdisc(int index) {
        return ingress(Rtm.RTM_NEWQDISC, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, index);
    }

    /** Deletes device {@code index}'s ingress qdisc, and its filters with it. */
    public static TcMessage deleteIngressQdisc(int index) {
        return ingress(Rtm.RTM_DELQDISC, 0, index);
    }

    private static TcMessage ingress(int type, int flags, int index) {
        return request(
                type,
                flags,
                index,
                INGRESS_HANDLE,
                TC_H_INGRESS,
                0,
                AttributeList.builder().string(TCA_KIND, "ingress").build());
    }

    /** A request to send: sequence and port id are assigned by the channel. */
    public static TcMessage request(
            int type, int flags, int index, int handle, int parent, int info, AttributeList attributes) {
        return new TcMessage(type, flags, 0, 0, Rtm.AF_UNSPEC, index, handle, parent, info, attributes);
    }

    /**
     * A filter on device {@code index}'s ingress qdisc, at {@code priority}, that sends every frame
     * arriving there out of device {@code target} ({@code u32} match-all, {@code mirred} egress
     * redirect, the frame stolen from {@code index}'s own stack).
     */
    public static TcMessage redirectAll(int index, int priority, int target) {
        return filter(
                index,
                priority,
                ETH_P_ALL,
                new int[0][],
                a -> a.nested(
                        TCA_U32_ACT,
                        acts -> acts.nested(
                                1,
                                act -> act.string(TCA_ACT_KIND, "mirred")
                                        .nested(TCA_ACT_OPTIONS, o -> o.bytes(TCA_MIRRED_PARMS, mirred(target))))));
    }

    /**
     * A filter on device {@code index}'s ingress qdisc, at {@code priority}, that lets the
     * unfragmented IPv4 datagrams with a 20-byte header to UDP port {@code port} go on into
     * {@code index}'s own stack: a match with no action is {@code TC_ACT_OK}, and filters with a
     * lower priority number run first, so a redirect at a higher number never sees them.
     */
    public static TcMessage keepUdpPort(int index, int priority, int port) {
        int[][] keys = {
            {0x0F000000, 0x05000000, 0}, // the header length: 5 words, no options
            {0x00003FFF, 0, 4}, // no more fragments and fragment offset 0: the datagram is whole
            {0x00FF0000, 17 << 16, 8}, // the protocol: UDP
            {0x0000FFFF, port, 20}, // the destination port, right after the header
        };
        return filter(index, priority, ETH_P_IP, keys, a -> {});
    }

    /** Dumps the filters of device {@code index}'s ingress qdisc. */
    public static TcMessage dumpIngressFilters(int index) {
        return request(Rtm.RTM_GETTFILTER, 0, index, 0, INGRESS_HANDLE, 0, AttributeList.EMPTY);
    }

    /**
     * A {@code u32} filter on {@code index}'s ingress qdisc: a terminal selector over {@code keys}
     * (each {mask, value, offset}, mask and value in host order, written in network order; none
     * is one key that matches everything), then what {@code more} adds to {@code TCA_OPTIONS}.
     */
    private static TcMessage filter(
            int index,
            int priority,
            int protocol,
            int[][] keys,
            java.util.function.Consumer<AttributeList.Builder> more) {
        if (priority < 1 || priority > 0xFFFF) {
            throw new IllegalArgumentException("a filter's priority is 1 to 65535, not " + priority);
        }
        int[][] selected = keys.length == 0 ? new int[][] {{0, 0, 0}} : keys;
        ByteBuffer sel = ByteBuffer.allocate(TC_U32_SEL_LENGTH + selected.length * TC_U32_KEY_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
        sel.put((byte) TC_U32_TERMINAL).put((byte) 0).put((byte) selected.length); // flags, offshift, nkeys
        // pad, offmask, off, offoff, hoff, hmask: all zero
        sel.position(TC_U32_SEL_LENGTH);
        for (int[] k : selected) {
            sel.order(ByteOrder.BIG_ENDIAN).putInt(k[0]).putInt(k[1]);
            sel.order(ByteOrder.LITTLE_ENDIAN).putInt(k[2]).putInt(0);
        }
        AttributeList.Builder a = AttributeList.builder().string(TCA_KIND, "u32");
        a.nested(TCA_OPTIONS, o -> {
            more.accept(o);
            o.bytes(TCA_U32_SEL, sel.array());
        });
        return request(
                Rtm.RTM_NEWTFILTER,
                Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                index,
                0,
                INGRESS_HANDLE,
                priority << 16 | Short.toUnsignedInt(Short.reverseBytes((short) protocol)),
                a.build());
    }

    /** A {@code struct tc_mirred}: egress redirect to {@code target}, the frame stolen. */
    private static byte[] mirred(int target) {
        return ByteBuffer.allocate(TC_MIRRED_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0) // index: a new action
                .putInt(0) // capab
                .putInt(TC_ACT_STOLEN)
                .putInt(0) // refcnt
                .putInt(0) // bindcnt
                .putInt(TCA_EGRESS_REDIR)
                .putInt(target)
                .array();
    }

    static TcMessage decode(int type, int flags, int seq, int pid, ByteBuf body) {
        RouteMessages.requireFixedHeader(type, body, HEADER_LENGTH, "tcmsg");
        int family = body.readUnsignedByte();
        body.skipBytes(3);
        int index = body.readIntLE();
        int handle = body.readIntLE();
        int parent = body.readIntLE();
        int info = body.readIntLE();
        AttributeList attributes = AttributeList.read(body, body.readableBytes());
        return new TcMessage(type, flags, seq, pid, family, index, handle, parent, info, attributes);
    }

    @Override
    public void writeHeader(ByteBuf out) {
        out.writeByte(family);
        out.writeZero(3);
        out.writeIntLE(index);
        out.writeIntLE(handle);
        out.writeIntLE(parent);
        out.writeIntLE(info);
    }

    /** {@code TCA_KIND}: the qdisc's or classifier's kind ({@code ingress}, {@code u32}), or null. */
    public String kind() {
        return attributes.string(TCA_KIND);
    }

    /** A filter's priority ({@code tc}'s {@code pref}). */
    public int priority() {
        return info >>> 16;
    }

    /** A filter's protocol ({@code ETH_P_*}, host order). */
    public int protocol() {
        return Short.toUnsignedInt(Short.reverseBytes((short) info));
    }

    /**
     * A {@code u32} filter's selector as the kernel holds it ({@code struct tc_u32_sel} and its keys,
     * {@code TCA_U32_SEL}), or null (another kind, or the hash table node a {@code u32} dump lists
     * first): two filters select the same frames when these are equal.
     */
    public byte[] selector() {
        return "u32".equals(kind()) ? attributes.nested(TCA_OPTIONS).bytes(TCA_U32_SEL) : null;
    }

    /**
     * The device a {@code u32} filter's first action redirects every match to (a {@code mirred}
     * egress redirect), or 0 when it has no such action.
     */
    public int redirectTarget() {
        if (!"u32".equals(kind()) || !attributes.has(TCA_OPTIONS)) {
            return 0;
        }
        AttributeList actions = attributes.nested(TCA_OPTIONS).nested(TCA_U32_ACT);
        if (!actions.has(1)) {
            return 0;
        }
        AttributeList first = actions.nested(1);
        if (!"mirred".equals(first.string(TCA_ACT_KIND)) || !first.has(TCA_ACT_OPTIONS)) {
            return 0;
        }
        byte[] parms = first.nested(TCA_ACT_OPTIONS).bytes(TCA_MIRRED_PARMS);
        if (parms == null || parms.length < TC_MIRRED_LENGTH) {
            return 0;
        }
        ByteBuffer p = ByteBuffer.wrap(parms).order(ByteOrder.LITTLE_ENDIAN);
        return p.getInt(20) == TCA_EGRESS_REDIR ? p.getInt(24) : 0;
    }

    @Override
    public String toString() {
        return RtnlNames.message(type) + "[seq=" + sequence + ", index=" + index + ", handle="
                + Integer.toHexString(handle) + ", parent=" + Integer.toHexString(parent) + ", kind=" + kind()
                + ", attrs=" + attributes + "]";
    }
}
