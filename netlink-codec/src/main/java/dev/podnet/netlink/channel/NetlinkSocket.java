package dev.podnet.netlink.channel;

import dev.podnet.netlink.Errno;
import dev.podnet.netlink.Netlink;
import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.internal.sys.LibC;

/**
 * A bound, non-blocking {@code AF_NETLINK} socket. It lives in the network namespace of the thread
 * that opened it, for its whole life; open it from a thread that has {@code setns}'d into the
 * namespace wanted (see the dataplane's namespace executor).
 *
 * <p>Opening turns on {@code NETLINK_EXT_ACK} (the kernel explains errors),
 * {@code NETLINK_CAP_ACK} (errors echo only the request header) and {@code NETLINK_GET_STRICT_CHK}
 * (GET requests are checked strictly and dumps can be filtered by the kernel), and sizes the buffers: with
 * {@code CAP_NET_ADMIN} the {@code *BUFFORCE} options lift the sysctl caps, so a batch of many
 * acknowledgements cannot overflow the receive queue.
 */
public final class NetlinkSocket {
    private final int fd;
    private final int protocol;
    private final int portId;

    private NetlinkSocket(int fd, int protocol, int portId) {
        this.fd = fd;
        this.protocol = protocol;
        this.portId = portId;
    }

    /** Opens an rtnetlink socket with default buffer sizes (4 MiB each way). */
    public static NetlinkSocket openRoute() throws ErrnoException {
        return open(Netlink.NETLINK_ROUTE, 4 << 20, 4 << 20);
    }

    /**
     * Opens, configures and binds a netlink socket in the calling thread's network namespace.
     *
     * @param protocol    e.g. {@link Netlink#NETLINK_ROUTE}
     * @param receiveBuffer SO_RCVBUF in bytes (at least 32 KiB)
     * @param sendBuffer  SO_SNDBUF in bytes
     */
    public static NetlinkSocket open(int protocol, int receiveBuffer, int sendBuffer) throws ErrnoException {
        if (receiveBuffer < 32 << 10) {
            throw new IllegalArgumentException(
                    "receiveBuffer must be at least 32 KiB to hold a dump reply, got " + receiveBuffer);
        }
        int fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, protocol);
        try {
            LibC.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, 1);
            LibC.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, 1);
            // strict checking: malformed GET requests are refused, and dumps can be filtered in the kernel
            LibC.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_GET_STRICT_CHK, 1);
            bufferSize(fd, LibC.SO_RCVBUFFORCE, LibC.SO_RCVBUF, receiveBuffer);
            bufferSize(fd, LibC.SO_SNDBUFFORCE, LibC.SO_SNDBUF, sendBuffer);
            LibC.bindNetlink(fd, 0, 0);
            return new NetlinkSocket(fd, protocol, LibC.netlinkPortId(fd));
        } catch (ErrnoException | RuntimeException e) {
            try {
                LibC.close(fd);
            } catch (ErrnoException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void bufferSize(int fd, int force, int plain, int bytes) throws ErrnoException {
        try {
            LibC.setsockopt(fd, LibC.SOL_SOCKET, force, bytes);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EPERM) {
                throw e;
            }
            // without CAP_NET_ADMIN: capped by net.core.{r,w}mem_max
            LibC.setsockopt(fd, LibC.SOL_SOCKET, plain, bytes);
        }
    }

    /** Joins multicast group {@code group} (e.g. {@code RTNLGRP_LINK} = 1): its notifications arrive here. */
    public void joinGroup(int group) throws ErrnoException {
        LibC.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_ADD_MEMBERSHIP, group);
    }

    /**
     * Keeps only the messages of {@code types} (and the kernel's {@code NLMSG_ERROR} and
     * {@code NLMSG_DONE} answers) on this socket: a classic BPF filter on {@code nlmsg_type}, run by
     * the kernel before a datagram is queued, so that a subscriber to a busy group (every link change
     * of a node) is not woken for the notifications it does not want. Looks at the first message of
     * a datagram, which is the only one in a notification.
     */
    public void acceptOnly(int... types) throws ErrnoException {
        int[] wanted = new int[types.length + 2];
        System.arraycopy(types, 0, wanted, 0, types.length);
        wanted[types.length] = Netlink.NLMSG_ERROR;
        wanted[types.length + 1] = Netlink.NLMSG_DONE;
        int n = wanted.length;
        int[][] program = new int[n + 3][];
        // ldh [4]: nlmsg_type, loaded big-endian; the kernel wrote it in the host's (little-endian) order
        program[0] = new int[] {BPF_LD | BPF_H | BPF_ABS, 0, 0, 4};
        for (int i = 0; i < n; i++) {
            int swapped = Short.toUnsignedInt(Short.reverseBytes((short) wanted[i]));
            // on a match jump to the accepting return (n - i instructions on), else try the next
            program[1 + i] = new int[] {BPF_JMP | BPF_JEQ | BPF_K, n - i, 0, swapped};
        }
        program[n + 1] = new int[] {BPF_RET | BPF_K, 0, 0, 0};
        program[n + 2] = new int[] {BPF_RET | BPF_K, 0, 0, 0xffff_ffff};
        LibC.attachFilter(fd, program);
    }

    private static final int BPF_LD = 0x00;
    private static final int BPF_H = 0x08;
    private static final int BPF_ABS = 0x20;
    private static final int BPF_JMP = 0x05;
    private static final int BPF_JEQ = 0x10;
    private static final int BPF_K = 0x00;
    private static final int BPF_RET = 0x06;

    /** The file descriptor. */
    public int fd() {
        return fd;
    }

    public int protocol() {
        return protocol;
    }

    /** The port id the kernel assigned ({@code nl_pid}). */
    public int portId() {
        return portId;
    }

    @Override
    public String toString() {
        return "NetlinkSocket[fd=" + fd + ", protocol=" + protocol + ", port=" + portId + "]";
    }
}
