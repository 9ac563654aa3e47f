package dev.podnet.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that talks to the real kernel: it needs root, gets a fresh {@link Sandbox}
 * per test (inject it as a parameter, and {@link KernelClients} to open clients in it that are
 * closed after the test), and fails if a ByteBuf leaked.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SandboxExtension.class)
@Tag(KernelTest.TAG)
public @interface KernelTest {
    /** The tag of kernel tests: mutation testing leaves them out (they need root and take seconds each). */
    String TAG = "kernel";
}
