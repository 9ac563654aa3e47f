package dev.podnet.dataplane.internal.dhcp;

import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The decisions of a DHCP server with one client and one fixed lease (RFC 2131 section 4.3), without
 * I/O: a request in, the reply (if any) out. Sending the reply to the right place (RFC 2131 4.1:
 * giaddr, ciaddr, the broadcast flag) is the caller's job.
 *
 * <p>Only BOOTREQUESTs from the lease's MAC on Ethernet ({@code htype} 1, {@code hlen} 6) are
 * answered; anything else, and plain BOOTP without option 53, is ignored. Replies carry every option
 * the lease configures whether asked for or not, in the order of the client's parameter request
 * list (option 55) first. Immutable and thread-safe.
 */
public final class DhcpServer {
    /** The largest reply: what fits one UDP datagram on a 1500-byte MTU (1500 - 20 IPv4 - 8 UDP). */
    public static final int MAX_MESSAGE_LENGTH = 1472;

    private final DhcpLease lease;
    private final byte[] clientMac;
    private final Map<Integer, byte[]> configured;
    private final Map<Integer, byte[]> leaseTimes;

    /**
     * A server for {@code lease}.
     *
     * @throws IllegalStateException when the lease's options make an ACK longer than
     *                               {@link #MAX_MESSAGE_LENGTH} (too many routes, servers or names)
     */
    public DhcpServer(DhcpLease lease) {
        this.lease = Objects.requireNonNull(lease, "lease");
        this.clientMac = lease.clientMac().bytes();
        this.configured = LeaseOptions.configured(lease);
        this.leaseTimes = LeaseOptions.leaseTimes(lease.leaseSeconds());
        // replies depend on the request only by its client identifier, so an ACK to a bare request
        // shows now whether the lease fits at all
        ack(DhcpMessage.builder().op(DhcpMessage.BOOTREQUEST).chaddr(clientMac).build());
    }

    /** The lease this server hands out. */
    public DhcpLease lease() {
        return lease;
    }

    /**
     * The reply to {@code request}, or empty when there is none to send: not our client, another
     * server selected, a DHCPRELEASE or DHCPDECLINE (with one fixed address there is nothing to free
     * or mark), or a message type a server does not answer.
     *
     * @throws DhcpFormatException   when an option the decision needs is malformed (e.g. option 50 not 4 bytes)
     * @throws IllegalStateException when the reply would exceed {@link #MAX_MESSAGE_LENGTH}
     */
    public Optional<DhcpMessage> answer(DhcpMessage request) {
        if (!isFromClient(request)) {
            return Optional.empty();
        }
        Optional<DhcpMessageType> type = request.messageType();
        if (type.isEmpty()) {
            return Optional.empty();
        }
        return switch (type.get()) {
            case DHCPDISCOVER -> Optional.of(offer(request));
            case DHCPREQUEST -> answerRequest(request);
            case DHCPINFORM -> Optional.of(informAck(request));
            case DHCPDECLINE, DHCPRELEASE, DHCPOFFER, DHCPACK, DHCPNAK -> Optional.empty();
        };
    }

    private boolean isFromClient(DhcpMessage m) {
        return m.op() == DhcpMessage.BOOTREQUEST
                && m.htype() == DhcpMessage.HTYPE_ETHERNET
                && m.hlen() == 6
                && Arrays.equals(m.chaddr(), 0, 6, clientMac, 0, 6);
    }

    /**
     * RFC 2131 4.3.2. SELECTING carries option 54: another server's id means the client took that
     * server's offer. Otherwise the address to confirm is option 50 (SELECTING, INIT-REBOOT) or
     * ciaddr (RENEWING, REBINDING); the lease's address is ACKed, anything else NAKed.
     */
    private Optional<DhcpMessage> answerRequest(DhcpMessage request) {
        Optional<Inet4Address> selected = request.serverId();
        if (selected.isPresent() && !selected.get().equals(lease.serverId())) {
            return Optional.empty();
        }
        Inet4Address wanted = request.requestedAddress().orElse(request.ciaddr());
        if (wanted.equals(lease.address())) {
            return Optional.of(ack(request));
        }
        String why = wanted.isAnyLocalAddress()
                ? "no requested address (option 50) and no ciaddr"
                : "address " + wanted.getHostAddress() + " is not leased to this client";
        return Optional.of(nak(request, why));
    }

    private DhcpMessage offer(DhcpMessage request) {
        DhcpMessageBuilder b = replyTo(request, DhcpMessageType.DHCPOFFER).yiaddr(lease.address());
        leaseTimes.forEach(b::option);
        return fitting(withConfigured(b, request));
    }

    private DhcpMessage ack(DhcpMessage request) {
        DhcpMessageBuilder b = replyTo(request, DhcpMessageType.DHCPACK)
                .ciaddr(request.ciaddr())
                .yiaddr(lease.address());
        leaseTimes.forEach(b::option);
        return fitting(withConfigured(b, request));
    }

    /** RFC 2131 4.3.5: the client has its address; it gets configuration only, no yiaddr, no lease time. */
    private DhcpMessage informAck(DhcpMessage request) {
        DhcpMessageBuilder b = replyTo(request, DhcpMessageType.DHCPACK).ciaddr(request.ciaddr());
        return fitting(withConfigured(b, request));
    }

    /** RFC 2131 table 3: a DHCPNAK carries its type, the server id and a message, no configuration. */
    private DhcpMessage nak(DhcpMessage request, String why) {
        DhcpMessageBuilder b = replyTo(request, DhcpMessageType.DHCPNAK)
                .option(DhcpOptions.DHCP_MESSAGE, why.getBytes(StandardCharsets.US_ASCII));
        if (!request.giaddr().isAnyLocalAddress()) {
            // RFC 2131 4.3.2: a relayed NAK has the broadcast bit set so the relay broadcasts it
            b.flags(request.flags() | DhcpMessage.BROADCAST_FLAG);
        }
        return fitting(b.build());
    }

    /** The fields every reply copies from the request, then options 53, 54 and (RFC 6842) 61. */
    private DhcpMessageBuilder replyTo(DhcpMessage request, DhcpMessageType type) {
        DhcpMessageBuilder b = DhcpMessage.builder()
                .op(DhcpMessage.BOOTREPLY)
                .htype(request.htype())
                .hlen(request.hlen())
                .xid(request.xid())
                .flags(request.flags())
                .giaddr(request.giaddr())
                .chaddr(request.chaddr())
                .option(DhcpOptions.DHCP_MESSAGE_TYPE, new byte[] {(byte) type.code()})
                .option(DhcpOptions.DHCP_SERVER_IDENTIFIER, lease.serverId().getAddress());
        request.option(DhcpOptions.DHCP_CLIENT_IDENTIFIER)
                .ifPresent(id -> b.option(DhcpOptions.DHCP_CLIENT_IDENTIFIER, id));
        return b;
    }

    /** Adds the lease's options: those in the client's parameter request list in its order, then the rest. */
    private DhcpMessage withConfigured(DhcpMessageBuilder b, DhcpMessage request) {
        for (byte asked :
                request.option(DhcpOptions.DHCP_PARAMETER_REQUEST_LIST).orElse(new byte[0])) {
            byte[] value = configured.get(asked & 0xff);
            if (value != null) {
                b.option(asked & 0xff, value);
            }
        }
        configured.forEach(b::option); // an option already added keeps its place
        return b.build();
    }

    private static DhcpMessage fitting(DhcpMessage reply) {
        int length = reply.encodedLength();
        if (length > MAX_MESSAGE_LENGTH) {
            throw new IllegalStateException("the DHCP reply would be " + length + " bytes, more than the "
                    + MAX_MESSAGE_LENGTH + " that fit one UDP datagram on a 1500-byte MTU; the lease has too many"
                    + " routes, DNS servers or search domains");
        }
        return reply;
    }
}
