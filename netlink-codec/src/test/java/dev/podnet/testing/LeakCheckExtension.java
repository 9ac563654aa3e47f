package dev.podnet.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Netty's paranoid leak detector for every test JVM, not only those whose first test is a kernel
 * test: registered for automatic detection ({@code META-INF/services}, with
 * {@code junit.jupiter.extensions.autodetection.enabled} set by the build), so JUnit creates it
 * before any test class runs, and the recorder is installed before the JVM's first buffer. Every test
 * class then ends with a leak check (kernel tests also check after each test: {@link SandboxExtension}).
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {
    public LeakCheckExtension() {
        LeakRecorder.install();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LeakRecorder.reset();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        LeakRecorder.assertNoLeaks();
    }
}
