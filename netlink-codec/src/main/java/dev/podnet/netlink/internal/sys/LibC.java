package dev.podnet.netlink.internal.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.podnet.netlink.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few C library calls that Netty does not give us, bound with the Foreign Function &amp; Memory
 * API. Every binding captures {@code errno} at the call site; a failure becomes an
 * {@link ErrnoException} naming the call and the errno, except where a method documents that it
 * returns the negated errno instead (the hot paths, so that EAGAIN costs no exception).
 *
 * <p>Requires {@code --enable-native-access=ALL-UNNAMED}.
 *
 * <p>Over 400 lines on purpose: one table of some twenty syscall bindings (a handle, a capture of
 * {@code errno} and a thin wrapper each), kept together so the FFM plumbing lives in one place.
 */
@SuppressWarnings("restricted") // binding libc is what this class is for; callers need --enable-native-access
public final class LibC {
    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_TRUNC = 0x20;
    public static final int O_RDONLY = 0;
    public static final int O_CREAT = 0x40;
    public static final int O_EXCL = 0x80;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int MS_BIND = 0x1000;
    public static final int MS_REC = 0x4000;
    public static final int MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET =
            bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME =
            bind("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT =
            bind("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = bind(
            "recvfrom", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle WRITEV =
            bind("writev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO =
            bind("sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ =
            bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE =
            bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle OPEN = bind(
            "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle UNSHARE = bind("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MOUNT =
            bind("mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UMOUNT2 = bind("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETEUID = bind("geteuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle FLOCK = bind("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    public static final int LOCK_SH = 1;
    public static final int LOCK_EX = 2;
    public static final int LOCK_NB = 4;
    public static final int LOCK_UN = 8;
    public static final int O_RDWR = 2;
    private static final MethodHandle IOCTL = bind(
            "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));

    /** One errno capture segment per thread: calls are frequent, allocation per call is not needed. */
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURE_LAYOUT));

    private LibC() {}

    private static MethodHandle bind(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO_HANDLE.get(capture, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** {@code socket(2)}; returns the new descriptor. */
    public static int socket(int domain, int type, int protocol) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        int r;
        try {
            r = (int) SOCKET.invokeExact(cap, domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("socket", "AF_NETLINK", errno(cap));
        }
        return r;
    }

    /** Binds a netlink socket to port id {@code portId} (0: the kernel picks) and multicast {@code groups}. */
    public static void bindNetlink(int fd, int portId, int groups) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(12);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
            addr.set(JAVA_INT, 4, portId);
            addr.set(JAVA_INT, 8, groups);
            MemorySegment cap = CAPTURE.get();
            int r;
            try {
                r = (int) BIND.invokeExact(cap, fd, addr, 12);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException("bind", "AF_NETLINK", errno(cap));
            }
        }
    }

    /** The port id the kernel assigned to a bound netlink socket. */
    public static int netlinkPortId(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(12);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 12);
            MemorySegment cap = CAPTURE.get();
            int r;
            try {
                r = (int) GETSOCKNAME.invokeExact(cap, fd, addr, len);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException("getsockname", "AF_NETLINK", errno(cap));
            }
            return addr.get(JAVA_INT, 4);
        }
    }

    /** {@code setsockopt(2)} with an int value. */
    public static void setsockopt(int fd, int level, int option, int value) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            MemorySegment cap = CAPTURE.get();
            int r;
            try {
                r = (int) SETSOCKOPT.invokeExact(cap, fd, level, option, v, 4);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException("setsockopt", "level " + level + " option " + option, errno(cap));
            }
        }
    }

    /** {@code SO_ATTACH_FILTER}: a classic BPF program the kernel runs on every datagram before queueing it. */
    public static final int SO_ATTACH_FILTER = 26;

    /**
     * {@code setsockopt(SOL_SOCKET, SO_ATTACH_FILTER)} with a classic BPF program, each instruction
     * {@code {code, jt, jf, k}} as {@code struct sock_filter} lays it out.
     */
    public static void attachFilter(int fd, int[][] program) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(8L * program.length, 8);
            for (int i = 0; i < program.length; i++) {
                int[] in = program[i];
                insns.set(ValueLayout.JAVA_SHORT, 8L * i, (short) in[0]);
                insns.set(JAVA_BYTE, 8L * i + 2, (byte) in[1]);
                insns.set(JAVA_BYTE, 8L * i + 3, (byte) in[2]);
                insns.set(JAVA_INT, 8L * i + 4, in[3]);
            }
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            MemorySegment prog = arena.allocate(16, 8);
            prog.set(ValueLayout.JAVA_SHORT, 0, (short) program.length);
            prog.set(ADDRESS, 8, insns);
            MemorySegment cap = CAPTURE.get();
            int r;
            try {
                r = (int) SETSOCKOPT.invokeExact(cap, fd, SOL_SOCKET, SO_ATTACH_FILTER, prog, 16);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException("setsockopt", "SO_ATTACH_FILTER", errno(cap));
            }
        }
    }

    /** {@code SO_BINDTODEVICE}: a socket bound to one interface (its name as the option's value). */
    public static final int SO_BINDTODEVICE = 25;

    /** {@code setsockopt(2)} with a NUL-terminated string value (e.g. {@link #SO_BINDTODEVICE}'s interface name). */
    public static void setsockopt(int fd, int level, int option, String value) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(value);
            MemorySegment cap = CAPTURE.get();
            int r;
            try {
                r = (int) SETSOCKOPT.invokeExact(cap, fd, level, option, v, (int) v.byteSize());
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException(
                        "setsockopt", "level " + level + " option " + option + " '" + value + "'", errno(cap));
            }
        }
    }

    /**
     * {@code recvfrom(2)} into native memory, without blocking, with {@code MSG_TRUNC} so that the
     * result is the datagram's real length even when it did not fit.
     *
     * @param sockaddr 12 bytes of native memory that receive the sender's {@code sockaddr_nl}
     * @param addrLen  4 bytes of native memory used as the address-length in/out parameter
     * @return the datagram length, or the negated errno ({@code -EAGAIN} when nothing is queued)
     */
    public static long recvfrom(int fd, long address, long capacity, MemorySegment sockaddr, MemorySegment addrLen) {
        MemorySegment cap = CAPTURE.get();
        addrLen.set(JAVA_INT, 0, 12);
        long r;
        try {
            r = (long) RECVFROM.invokeExact(cap, fd, address, capacity, MSG_DONTWAIT | MSG_TRUNC, sockaddr, addrLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r < 0 ? -errno(cap) : r;
    }

    /**
     * {@code writev(2)}: on a netlink socket all vectors leave as one datagram.
     *
     * @return bytes written, or the negated errno
     */
    public static long writev(int fd, long iov, int count) {
        MemorySegment cap = CAPTURE.get();
        long r;
        try {
            r = (long) WRITEV.invokeExact(cap, fd, iov, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r < 0 ? -errno(cap) : r;
    }

    /**
     * {@code read(2)} into {@code buffer} (a tap's frame, a file's bytes).
     *
     * @return the bytes read, or the negated errno ({@code -EAGAIN} on a non-blocking descriptor with nothing to read)
     */
    public static int read(int fd, byte[] buffer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(buffer.length);
            MemorySegment cap = CAPTURE.get();
            long r;
            try {
                r = (long) READ.invokeExact(cap, fd, b, (long) buffer.length);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                return -errno(cap);
            }
            MemorySegment.copy(b, JAVA_BYTE, 0, buffer, 0, (int) r);
            return (int) r;
        }
    }

    /** {@code write(2)} of all of {@code data} in one call (a tap takes one frame per write). */
    public static void write(int fd, byte[] data) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocateFrom(JAVA_BYTE, data);
            MemorySegment cap = CAPTURE.get();
            long r;
            try {
                r = (long) WRITE.invokeExact(cap, fd, b, (long) data.length);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException("write", data.length + " bytes", errno(cap));
            }
        }
    }

    /** {@code sendto(2)} of one datagram to netlink port {@code portId} (0: the kernel). */
    public static void sendToNetlinkPort(int fd, byte[] datagram, int portId) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_BYTE, datagram);
            MemorySegment addr = arena.allocate(12);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
            addr.set(JAVA_INT, 4, portId);
            MemorySegment cap = CAPTURE.get();
            long r;
            try {
                r = (long) SENDTO.invokeExact(cap, fd, data, (long) datagram.length, 0, addr, 12);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException("sendto", "netlink port " + portId, errno(cap));
            }
        }
    }

    /** {@code close(2)}; errors other than EBADF are ignored, as the descriptor is gone either way. */
    public static void close(int fd) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        int r;
        try {
            r = (int) CLOSE.invokeExact(cap, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0 && errno(cap) == Errno.EBADF) {
            throw new ErrnoException("close", Integer.toString(fd), Errno.EBADF);
        }
    }

    /** {@code open(2)}; returns the descriptor. */
    public static int open(String path, int flags, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            MemorySegment cap = CAPTURE.get();
            int r;
            try {
                r = (int) OPEN.invokeExact(cap, p, flags, mode);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                throw new ErrnoException("open", path, errno(cap));
            }
            return r;
        }
    }

    /** {@code setns(2)}: moves the calling thread into the namespace behind {@code fd}. */
    public static void setns(int fd, int nstype) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        int r;
        try {
            r = (int) SETNS.invokeExact(cap, fd, nstype);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("setns", "fd " + fd, errno(cap));
        }
    }

    /** {@code unshare(2)} for the calling thread. */
    public static void unshare(int flags) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        int r;
        try {
            r = (int) UNSHARE.invokeExact(cap, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("unshare", "0x" + Integer.toHexString(flags), errno(cap));
        }
    }

    /** {@code mount(2)}; any string may be null. */
    public static void mount(String source, String target, String fsType, long flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = source == null ? MemorySegment.NULL : arena.allocateFrom(source);
            MemorySegment t = arena.allocateFrom(target);
            MemorySegment f = fsType == null ? MemorySegment.NULL : arena.allocateFrom(fsType);
            MemorySegment cap = CAPTURE.get();
            int r;
            try {
                r = (int) MOUNT.invokeExact(cap, s, t, f, flags, MemorySegment.NULL);
            } catch (Throwable e) {
                throw rethrow(e);
            }
            if (r < 0) {
                throw new ErrnoException("mount", target, errno(cap));
            }
        }
    }

    /** {@code umount2(2)}. */
    public static void umount2(String target, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment t = arena.allocateFrom(target);
            MemorySegment cap = CAPTURE.get();
            int r;
            try {
                r = (int) UMOUNT2.invokeExact(cap, t, flags);
            } catch (Throwable e) {
                throw rethrow(e);
            }
            if (r < 0) {
                throw new ErrnoException("umount2", target, errno(cap));
            }
        }
    }

    /**
     * {@code flock(2)}: a lock on the open file description, kept when other descriptors of the
     * file are closed, dropped when the owner dies.
     *
     * @return true when taken, false when another holder has it ({@code EWOULDBLOCK} with {@code LOCK_NB})
     */
    public static boolean flock(int fd, int operation) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        int r;
        try {
            r = (int) FLOCK.invokeExact(cap, fd, operation);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            int errno = errno(cap);
            if (errno == Errno.EAGAIN) {
                return false;
            }
            throw new ErrnoException("flock", "fd " + fd, errno);
        }
        return true;
    }

    /** The effective user id of this process. */
    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact(CAPTURE.get());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** True when this process runs as root (effective uid 0). */
    public static boolean isRoot() {
        return geteuid() == 0;
    }

    /** {@code ioctl(2)} with a pointer argument. */
    public static int ioctl(int fd, long request, MemorySegment arg) throws ErrnoException {
        MemorySegment cap = CAPTURE.get();
        int r;
        try {
            r = (int) IOCTL.invokeExact(cap, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("ioctl", "0x" + Long.toHexString(request), errno(cap));
        }
        return r;
    }
}
