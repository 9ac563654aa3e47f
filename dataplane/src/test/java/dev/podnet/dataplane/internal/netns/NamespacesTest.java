package dev.podnet.dataplane.internal.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.dataplane.internal.link.Links;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.dataplane.netns.NetnsException;
import dev.podnet.netlink.channel.NetlinkClient;
import dev.podnet.netlink.channel.NetlinkSocket;
import dev.podnet.netlink.route.LinkMessage;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import dev.podnet.testing.TestLoops;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@KernelTest
class NamespacesTest {
    static final Duration T = Duration.ofSeconds(10);

    @Test
    void createdNamespacesAreWhatIpNetnsSeesAndDeleteRemovesThem(Sandbox sandbox) throws Exception {
        try (NetnsThread thread = NetnsThread.start()) {
            Namespaces ns = new Namespaces(thread);
            String name = sandbox.name() + "-made";
            try {
                NetNs made = ns.create(name).block(T);
                assertEquals(name, made.name());
                assertTrue(Sandbox.namespaceExists(name));
                assertTrue(ns.list().contains(name));
                // iproute2 can use it: a fresh namespace with only loopback
                assertEquals(1, Sandbox.ipIn(name, "-o", "link").lines().count());
                NetnsException dup =
                        assertThrows(NetnsException.class, () -> ns.create(name).block(T));
                assertTrue(dup.getMessage().contains("already exists"), dup.getMessage());
            } finally {
                ns.delete(name).block(T);
            }
            assertFalse(Sandbox.namespaceExists(name));
            ns.delete(name).block(T); // deleting what is gone succeeds
        }
    }

    @Test
    void aSocketOpenedInsideANamespaceSeesThatNamespace(Sandbox sandbox) throws Exception {
        sandbox.ip("link", "add", "marker0", "type", "bridge");
        try (NetnsThread thread = NetnsThread.start()) {
            NetlinkSocket socket =
                    thread.openRouteSocket(NetNs.named(sandbox.name())).block(T);
            NetlinkClient client = NetlinkClient.open(TestLoops.GROUP, socket).block(T);
            try {
                List<String> names = client.dump(Links.dumpAll())
                        .cast(LinkMessage.class)
                        .map(LinkMessage::name)
                        .collectList()
                        .block(T);
                assertEquals(List.of("lo", "marker0"), names);
            } finally {
                client.close().block(T);
            }
            // and the thread came home: a socket opened by it without setns sees the root namespace
            String home = thread.inside(
                            NetNs.ofPath(java.nio.file.Path.of("/proc/self/ns/net")),
                            () -> java.nio.file.Files.readSymbolicLink(
                                            java.nio.file.Path.of("/proc/thread-self/ns/net"))
                                    .toString())
                    .block(T);
            assertEquals(
                    java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/net"))
                            .toString(),
                    home);
        }
    }

    @Test
    void badNamesAndMissingNamespacesAreClearErrors() throws Exception {
        try (NetnsThread thread = NetnsThread.start()) {
            Namespaces ns = new Namespaces(thread);
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> ns.create("a/b").block(T));
            assertTrue(e.getMessage().contains("'a/b'"), e.getMessage());
            NetnsException missing = assertThrows(
                    NetnsException.class,
                    () -> thread.openRouteSocket(NetNs.named("pn-no-such-" + System.nanoTime()))
                            .block(T));
            assertTrue(missing.getMessage().contains("ENOENT"), missing.getMessage());
        }
    }
}
