package dev.podnet.dataplane.internal.link;

import dev.podnet.netlink.internal.sys.ErrnoException;
import dev.podnet.netlink.internal.sys.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Persistent tap devices, made the only way the kernel offers: {@code open("/dev/net/tun")},
 * {@code ioctl(TUNSETIFF)} and {@code ioctl(TUNSETPERSIST)}. The device lands in the network
 * namespace of the calling thread, so call this on a thread inside the namespace wanted.
 * Deleting one is an ordinary {@code RTM_DELLINK}.
 */
public final class TapDevices {
    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNSETPERSIST = 0x400454cbL;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final int IFREQ_SIZE = 40;

    private TapDevices() {}

    /**
     * Attaches to the existing tap {@code name} as a VMM does, returning a non-blocking descriptor
     * that reads and writes one frame per call, each behind a 10-byte {@code virtio_net_hdr}. Call it
     * on a thread inside the tap's namespace; the caller closes the descriptor.
     */
    public static int attach(String name) throws ErrnoException {
        return openTap(name, 0x800 /* O_NONBLOCK */);
    }

    /** Creates the persistent tap {@code name} (no packet-info header, with a virtio-net header, as VMMs want). */
    public static void createPersistentTap(String name) throws ErrnoException {
        int fd = openTap(name, 0);
        try {
            LibC.ioctl(fd, TUNSETPERSIST, MemorySegment.ofAddress(1));
        } finally {
            LibC.close(fd);
        }
    }

    /**
     * {@code open("/dev/net/tun")} and {@code ioctl(TUNSETIFF)}: the tap {@code name} (made if it does
     * not exist) attached to the new descriptor; closed again if that fails.
     */
    private static int openTap(String name, int extraFlags) throws ErrnoException {
        Links.validateName("tap name", name);
        int fd = LibC.open("/dev/net/tun", 2 /* O_RDWR */ | LibC.O_CLOEXEC | extraFlags, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IFREQ_SIZE);
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
            ifr.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
            LibC.ioctl(fd, TUNSETIFF, ifr);
            return fd;
        } catch (ErrnoException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }
}
