package dev.podnet.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spooled DEL requests: their format, and that a DEL that fails stays spooled. */
class DelSpoolTest {
    private static final String BODY = "{\"cniVersion\":\"1.1.0\",\"name\":\"pods\",\"type\":\"podnet\"}";

    @Test
    void aRequestWithCrlfLinesAndContentLength() {
        String raw = "POST /v1/cni HTTP/1.1\r\nHost: localhost\r\nX-CNI-Command: DEL\r\nx-cni-containerid: c1\r\n"
                + "X-CNI-IfName: eth0\r\nX-CNI-Netns: /run/netns/pod-1\r\nX-CNI-Args: K8S_POD_NAME=p\r\n"
                + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY + "trailing bytes";
        CniRequest r = DelSpool.parse(raw.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("DEL", r.command());
        assertEquals("c1", r.containerId(), "header names are case-insensitive");
        assertEquals("eth0", r.ifName());
        assertEquals("/run/netns/pod-1", r.netns());
        assertEquals("K8S_POD_NAME=p", r.args());
        assertNull(r.path());
        assertArrayEquals(BODY.getBytes(StandardCharsets.UTF_8), r.config(), "Content-Length bytes of body");
    }

    @Test
    void aRequestWithLfLinesAndNoContentLength() {
        String raw = "POST /v1/cni HTTP/1.1\nX-CNI-Command: DEL\nX-CNI-ContainerId: c2\nX-CNI-IfName: eth1\n\n" + BODY;
        CniRequest r = DelSpool.parse(raw.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("c2", r.containerId());
        assertEquals("eth1", r.ifName());
        assertNull(r.netns(), "DEL needs no netns");
        assertArrayEquals(BODY.getBytes(StandardCharsets.UTF_8), r.config());
    }

    @Test
    void malformedRequestsAreRefused() {
        for (String raw : new String[] {
            "GET /v1/cni HTTP/1.1\r\n\r\n",
            "POST /v1/cni HTTP/1.1\r\nX-CNI-Command: DEL\r\n",
            "POST /v1/cni HTTP/1.1\r\nno colon here\r\n\r\n{}",
            "POST /v1/cni HTTP/1.1\r\nContent-Length: 99\r\n\r\n{}",
            "POST /v1/cni HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
        }) {
            assertThrows(
                    IllegalArgumentException.class, () -> DelSpool.parse(raw.getBytes(StandardCharsets.UTF_8)), raw);
        }
    }

    @Test
    void aDelThatFailsIsKeptAndCountedInTheDepth(@TempDir Path state) throws Exception {
        Path dir = state.resolve(DelSpool.DIR);
        Files.createDirectories(dir);
        // no CNI_CONTAINERID: refused before any dataplane is needed, so none is given
        Files.writeString(dir.resolve("0001.del"), "POST /v1/cni HTTP/1.1\r\nX-CNI-Command: DEL\r\n\r\n" + BODY);
        Files.writeString(dir.resolve("0002.del"), "not a request");
        Files.writeString(dir.resolve("notes.txt"), "not spooled");
        Path stale = Files.writeString(dir.resolve("0000.tmp"), "POST /v1/cni HTTP/1.1\r\n");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        Path writing = Files.writeString(dir.resolve("0003.tmp"), "POST /v1/cni HTTP/1.1\r\n");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AtomicBoolean available = new AtomicBoolean(false);
        DelSpool spool = new DelSpool(
                state, new CniService(null, available::get), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(2, spool.depth());
        assertEquals(0, spool.replay().block());
        assertEquals(2, spool.depth(), "both kept");
        assertFalse(Files.exists(stale), "a .tmp a shim left behind is removed");
        assertTrue(Files.exists(writing), "a fresh .tmp may be a shim's write in progress");
        String logged = log.toString(StandardCharsets.UTF_8);
        assertTrue(
                logged.contains("0001.del failed, kept for the next start: code 4: CNI_CONTAINERID is required"),
                logged);
        assertTrue(logged.contains("0002.del failed"), logged);
        assertEquals(0, new DelSpool(state.resolve("none"), null, System.err).depth(), "no spool directory");
    }
}
