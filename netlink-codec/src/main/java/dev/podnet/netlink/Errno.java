package dev.podnet.netlink;

/**
 * Linux errno numbers and their symbolic names (x86_64 / generic asm values): every number the
 * kernel's {@code asm-generic/errno-base.h} and {@code errno.h} define, so no kernel answer reads
 * "Unknown error" ({@code ErrnoTest} checks the table against those headers and the C library).
 *
 * <p>Errors carry the name because that is what an operator greps for ("EEXIST", "ENODEV");
 * the description is the C library's wording.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int EDEADLK = 35;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int ENOMSG = 42;
    public static final int ENODATA = 61;
    public static final int ETIME = 62;
    public static final int ENONET = 64;
    /** A bridge already has the kernel's maximum of ports ({@code BR_MAX_PORTS}, 1023). */
    public static final int EXFULL = 54;

    public static final int ENOLINK = 67;
    public static final int EPROTO = 71;
    /** nf_tables: the batch was computed against an older generation of the ruleset. */
    public static final int ERESTART = 85;

    public static final int EBADMSG = 74;
    public static final int EOVERFLOW = 75;
    public static final int ENOTUNIQ = 76;
    public static final int EMSGSIZE = 90;
    public static final int EPROTOTYPE = 91;
    public static final int ENOPROTOOPT = 92;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENETUNREACH = 101;
    public static final int ECONNREFUSED = 111;
    public static final int ENOBUFS = 105;
    public static final int ETIMEDOUT = 110;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;
    public static final int ECANCELED = 125;

    private static final String[] NAMES = new String[134];
    private static final String[] TEXTS = new String[134];

    static {
        def(EPERM, "EPERM", "Operation not permitted");
        def(ENOENT, "ENOENT", "No such file or directory");
        def(ESRCH, "ESRCH", "No such process");
        def(EINTR, "EINTR", "Interrupted system call");
        def(EIO, "EIO", "Input/output error");
        def(ENXIO, "ENXIO", "No such device or address");
        def(E2BIG, "E2BIG", "Argument list too long");
        def(8, "ENOEXEC", "Exec format error");
        def(EBADF, "EBADF", "Bad file descriptor");
        def(10, "ECHILD", "No child processes");
        def(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
        def(ENOMEM, "ENOMEM", "Cannot allocate memory");
        def(EACCES, "EACCES", "Permission denied");
        def(EFAULT, "EFAULT", "Bad address");
        def(15, "ENOTBLK", "Block device required");
        def(EBUSY, "EBUSY", "Device or resource busy");
        def(EEXIST, "EEXIST", "File exists");
        def(EXDEV, "EXDEV", "Invalid cross-device link");
        def(ENODEV, "ENODEV", "No such device");
        def(ENOTDIR, "ENOTDIR", "Not a directory");
        def(EISDIR, "EISDIR", "Is a directory");
        def(EINVAL, "EINVAL", "Invalid argument");
        def(ENFILE, "ENFILE", "Too many open files in system");
        def(EMFILE, "EMFILE", "Too many open files");
        def(25, "ENOTTY", "Inappropriate ioctl for device");
        def(26, "ETXTBSY", "Text file busy");
        def(27, "EFBIG", "File too large");
        def(ENOSPC, "ENOSPC", "No space left on device");
        def(29, "ESPIPE", "Illegal seek");
        def(EROFS, "EROFS", "Read-only file system");
        def(EMLINK, "EMLINK", "Too many links");
        def(EPIPE, "EPIPE", "Broken pipe");
        def(33, "EDOM", "Numerical argument out of domain");
        def(ERANGE, "ERANGE", "Numerical result out of range");
        def(EDEADLK, "EDEADLK", "Resource deadlock avoided");
        def(ENAMETOOLONG, "ENAMETOOLONG", "File name too long");
        def(37, "ENOLCK", "No locks available");
        def(ENOSYS, "ENOSYS", "Function not implemented");
        def(ENOTEMPTY, "ENOTEMPTY", "Directory not empty");
        def(ELOOP, "ELOOP", "Too many levels of symbolic links");
        def(ENOMSG, "ENOMSG", "No message of desired type");
        def(43, "EIDRM", "Identifier removed");
        def(44, "ECHRNG", "Channel number out of range");
        def(45, "EL2NSYNC", "Level 2 not synchronized");
        def(46, "EL3HLT", "Level 3 halted");
        def(47, "EL3RST", "Level 3 reset");
        def(48, "ELNRNG", "Link number out of range");
        def(49, "EUNATCH", "Protocol driver not attached");
        def(50, "ENOCSI", "No CSI structure available");
        def(51, "EL2HLT", "Level 2 halted");
        def(52, "EBADE", "Invalid exchange");
        def(53, "EBADR", "Invalid request descriptor");
        def(EXFULL, "EXFULL", "Exchange full");
        def(55, "ENOANO", "No anode");
        def(56, "EBADRQC", "Invalid request code");
        def(57, "EBADSLT", "Invalid slot");
        def(59, "EBFONT", "Bad font file format");
        def(60, "ENOSTR", "Device not a stream");
        def(ENODATA, "ENODATA", "No data available");
        def(ETIME, "ETIME", "Timer expired");
        def(63, "ENOSR", "Out of streams resources");
        def(ENONET, "ENONET", "Machine is not on the network");
        def(65, "ENOPKG", "Package not installed");
        def(66, "EREMOTE", "Object is remote");
        def(ENOLINK, "ENOLINK", "Link has been severed");
        def(68, "EADV", "Advertise error");
        def(69, "ESRMNT", "Srmount error");
        def(70, "ECOMM", "Communication error on send");
        def(EPROTO, "EPROTO", "Protocol error");
        def(72, "EMULTIHOP", "Multihop attempted");
        def(73, "EDOTDOT", "RFS specific error");
        def(EBADMSG, "EBADMSG", "Bad message");
        def(EOVERFLOW, "EOVERFLOW", "Value too large for defined data type");
        def(ENOTUNIQ, "ENOTUNIQ", "Name not unique on network");
        def(77, "EBADFD", "File descriptor in bad state");
        def(78, "EREMCHG", "Remote address changed");
        def(79, "ELIBACC", "Can not access a needed shared library");
        def(80, "ELIBBAD", "Accessing a corrupted shared library");
        def(81, "ELIBSCN", ".lib section in a.out corrupted");
        def(82, "ELIBMAX", "Attempting to link in too many shared libraries");
        def(83, "ELIBEXEC", "Cannot exec a shared library directly");
        def(84, "EILSEQ", "Invalid or incomplete multibyte or wide character");
        def(ERESTART, "ERESTART", "Interrupted system call should be restarted");
        def(86, "ESTRPIPE", "Streams pipe error");
        def(87, "EUSERS", "Too many users");
        def(88, "ENOTSOCK", "Socket operation on non-socket");
        def(89, "EDESTADDRREQ", "Destination address required");
        def(EMSGSIZE, "EMSGSIZE", "Message too long");
        def(EPROTOTYPE, "EPROTOTYPE", "Protocol wrong type for socket");
        def(ENOPROTOOPT, "ENOPROTOOPT", "Protocol not available");
        def(EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported");
        def(94, "ESOCKTNOSUPPORT", "Socket type not supported");
        def(EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported");
        def(96, "EPFNOSUPPORT", "Protocol family not supported");
        def(EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol");
        def(EADDRINUSE, "EADDRINUSE", "Address already in use");
        def(EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address");
        def(ENETDOWN, "ENETDOWN", "Network is down");
        def(ENETUNREACH, "ENETUNREACH", "Network is unreachable");
        def(102, "ENETRESET", "Network dropped connection on reset");
        def(103, "ECONNABORTED", "Software caused connection abort");
        def(104, "ECONNRESET", "Connection reset by peer");
        def(ENOBUFS, "ENOBUFS", "No buffer space available");
        def(106, "EISCONN", "Transport endpoint is already connected");
        def(107, "ENOTCONN", "Transport endpoint is not connected");
        def(108, "ESHUTDOWN", "Cannot send after transport endpoint shutdown");
        def(109, "ETOOMANYREFS", "Too many references: cannot splice");
        def(ETIMEDOUT, "ETIMEDOUT", "Connection timed out");
        def(ECONNREFUSED, "ECONNREFUSED", "Connection refused");
        def(112, "EHOSTDOWN", "Host is down");
        def(EHOSTUNREACH, "EHOSTUNREACH", "No route to host");
        def(EALREADY, "EALREADY", "Operation already in progress");
        def(EINPROGRESS, "EINPROGRESS", "Operation now in progress");
        def(116, "ESTALE", "Stale file handle");
        def(117, "EUCLEAN", "Structure needs cleaning");
        def(118, "ENOTNAM", "Not a XENIX named type file");
        def(119, "ENAVAIL", "No XENIX semaphores available");
        def(120, "EISNAM", "Is a named type file");
        def(121, "EREMOTEIO", "Remote I/O error");
        def(122, "EDQUOT", "Disk quota exceeded");
        def(123, "ENOMEDIUM", "No medium found");
        def(124, "EMEDIUMTYPE", "Wrong medium type");
        def(ECANCELED, "ECANCELED", "Operation canceled");
        def(126, "ENOKEY", "Required key not available");
        def(127, "EKEYEXPIRED", "Key has expired");
        def(128, "EKEYREVOKED", "Key has been revoked");
        def(129, "EKEYREJECTED", "Key was rejected by service");
        def(130, "EOWNERDEAD", "Owner died");
        def(131, "ENOTRECOVERABLE", "State not recoverable");
        def(132, "ERFKILL", "Operation not possible due to RF-kill");
        def(133, "EHWPOISON", "Memory page has hardware error");
    }

    private Errno() {}

    private static void def(int errno, String name, String text) {
        NAMES[errno] = name;
        TEXTS[errno] = text;
    }

    /** The symbolic name, e.g. {@code EEXIST}; {@code errno 200} for numbers this table lacks. */
    public static String name(int errno) {
        int e = Math.abs(errno); // Integer.MIN_VALUE stays negative: no table entry
        return e >= 0 && e < NAMES.length && NAMES[e] != null ? NAMES[e] : "errno " + Math.abs((long) errno);
    }

    /** The C library's description, e.g. {@code File exists}. */
    public static String describe(int errno) {
        int e = Math.abs(errno);
        return e >= 0 && e < TEXTS.length && TEXTS[e] != null ? TEXTS[e] : "Unknown error " + Math.abs((long) errno);
    }
}
