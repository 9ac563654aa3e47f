package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The errno table against the kernel's own headers (linux-libc-dev) and the C library's
 * {@code strerror}: every number the kernel can answer with has its name and text.
 */
class ErrnoTest {
    private static final Pattern DEFINE = Pattern.compile("#define\\s+(E[A-Z0-9]+)\\s+(\\d+)");

    /** Number to first name, as the headers define them (aliases such as EWOULDBLOCK come later). */
    private static Map<Integer, String> kernelNames() throws IOException {
        Map<Integer, String> names = new TreeMap<>();
        for (String header : new String[] {"errno-base.h", "errno.h"}) {
            Matcher m = DEFINE.matcher(Files.readString(Path.of("/usr/include/asm-generic", header)));
            while (m.find()) {
                names.putIfAbsent(Integer.parseInt(m.group(2)), m.group(1));
            }
        }
        return names;
    }

    @Test
    void everyKernelErrnoHasItsHeaderName() throws IOException {
        Map<Integer, String> names = kernelNames();
        assertTrue(names.size() > 120, "the kernel headers define the errno numbers: " + names.size());
        names.forEach((number, name) -> {
            assertEquals(name, Errno.name(number), "name of " + number);
            assertEquals(name, Errno.name(-number), "name of -" + number + " (netlink's sign)");
        });
        assertEquals("EXFULL", Errno.name(Errno.EXFULL));
    }

    @Test
    @SuppressWarnings("restricted") // a downcall to strerror, the reference for the texts
    void everyKernelErrnoHasTheCLibrarysText() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle strerror = linker.downcallHandle(
                linker.defaultLookup().find("strerror").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        for (int number : kernelNames().keySet()) {
            MemorySegment text = (MemorySegment) strerror.invokeExact(number);
            assertEquals(text.reinterpret(Long.MAX_VALUE).getString(0), Errno.describe(number), "text of " + number);
        }
    }

    @Test
    void numbersOutsideTheTableSayWhatTheyAre() {
        assertEquals("errno 41", Errno.name(41)); // a gap in the kernel's numbering
        assertEquals("Unknown error 4000", Errno.describe(4000));
        assertEquals("errno 2147483648", Errno.name(Integer.MIN_VALUE));
        String message = new NetlinkException(Errno.EXFULL, null, -1, "RTM_NEWLINK pn1 (veth)").getMessage();
        assertEquals("RTM_NEWLINK pn1 (veth) failed: EXFULL (Exchange full)", message);
    }
}
