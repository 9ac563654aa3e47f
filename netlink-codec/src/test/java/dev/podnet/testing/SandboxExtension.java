package dev.podnet.testing;

import dev.podnet.netlink.internal.sys.LibC;
import java.io.IOException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each kernel test a fresh sandbox network namespace and deletes it afterwards, whatever
 * the outcome. Without root the tests are skipped, loudly: CI runs as root and must run them.
 * A test may also ask for {@link KernelClients}: what it opens with them is closed before the sandbox
 * is deleted. After each test the Netty leak detector is consulted and a leak fails the test.
 */
public final class SandboxExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SandboxExtension.class);

    static {
        LeakRecorder.install();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!LibC.isRoot()) {
            String reason =
                    "SKIPPED " + context.getDisplayName() + ": kernel tests need root (CAP_NET_ADMIN, CAP_SYS_ADMIN "
                            + "for network namespaces); run them as root, as CI does";
            System.err.println("*** " + reason + " ***");
            Assumptions.abort(reason);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        LeakRecorder.reset();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        KernelClients clients = context.getStore(NS).remove("clients", KernelClients.class);
        Sandbox sandbox = context.getStore(NS).remove("sandbox", Sandbox.class);
        try {
            if (clients != null) {
                clients.close();
            }
        } finally {
            if (sandbox != null) {
                sandbox.close();
            }
        }
        LeakRecorder.assertNoLeaks();
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> type = p.getParameter().getType();
        return type == Sandbox.class || type == KernelClients.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        if (p.getParameter().getType() == KernelClients.class) {
            return e.getStore(NS)
                    .getOrComputeIfAbsent("clients", k -> new KernelClients(sandbox(e)), KernelClients.class);
        }
        return sandbox(e);
    }

    private static Sandbox sandbox(ExtensionContext e) {
        return e.getStore(NS)
                .getOrComputeIfAbsent(
                        "sandbox",
                        k -> {
                            try {
                                return Sandbox.create();
                            } catch (IOException ex) {
                                throw new IllegalStateException("could not create a sandbox namespace", ex);
                            }
                        },
                        Sandbox.class);
    }
}
