package dev.podnet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.api.Json;
import dev.podnet.dataplane.EndpointOperationException;
import dev.podnet.dataplane.InvalidSpecException;
import dev.podnet.netlink.Errno;
import dev.podnet.netlink.NetlinkException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What the CNI layer decides before it reaches the dataplane (so no dataplane is given): VERSION, the
 * CNI_* checks, the availability gate, CHECK's version and prevResult, GC without a list; and how
 * failures map to codes and HTTP statuses.
 */
class CniServiceTest {
    private static final String CONFIG = """
            {"cniVersion": "1.1.0", "name": "pods", "type": "podnet",
             "ipam": {"ranges": [[{"subnet": "198.18.0.0/16"}]]}}
            """;
    /** A namespace that exists on every Linux machine, for the CNI_NETNS check. */
    private static final String NETNS = "/proc/self/ns/net";

    private final AtomicBoolean available = new AtomicBoolean(true);
    private final CniService cni = new CniService(null, available::get);

    @Test
    void versionAnswersInTheVersionItWasAskedIn() {
        Object v = Json.read(cni.handle(request("VERSION", null, null, null, "{\"cniVersion\": \"0.4.0\"}"))
                .block());
        assertEquals(Map.of("cniVersion", "0.4.0", "supportedVersions", NetworkConfig.SUPPORTED_VERSIONS), v);
        String empty = cni.handle(request("VERSION", null, null, null, "")).block();
        assertTrue(empty.contains("\"cniVersion\":\"1.1.0\""), empty);
    }

    @Test
    void theCommandAndTheAttachmentVariablesAreCode4() {
        assertCode(CniError.INVALID_ENV, "CNI_COMMAND is required", request(null, "c1", NETNS, "eth0", CONFIG));
        assertCode(CniError.INVALID_ENV, "unknown command 'ATTACH'", request("ATTACH", "c1", NETNS, "eth0", CONFIG));
        assertCode(
                CniError.INVALID_ENV,
                "CNI_CONTAINERID is required for ADD",
                request("ADD", null, NETNS, "eth0", CONFIG));
        assertCode(CniError.INVALID_ENV, "CNI_CONTAINERID: '-c1'", request("DEL", "-c1", NETNS, "eth0", CONFIG));
        assertCode(CniError.INVALID_ENV, "CNI_IFNAME is required", request("DEL", "c1", NETNS, null, CONFIG));
        assertCode(CniError.INVALID_ENV, "CNI_IFNAME: 'eth0/x'", request("ADD", "c1", NETNS, "eth0/x", CONFIG));
        assertCode(
                CniError.INVALID_ENV,
                "CNI_IFNAME: 'sixteen-bytes-xx'",
                request("ADD", "c1", NETNS, "sixteen-bytes-xx", CONFIG));
        assertCode(CniError.INVALID_ENV, "CNI_NETNS is required", request("ADD", "c1", null, "eth0", CONFIG));
        assertCode(
                CniError.INVALID_ENV,
                "CNI_NETNS: 'run/netns/x' is not an absolute path",
                request("ADD", "c1", "run/netns/x", "eth0", CONFIG));
        assertCode(
                CniError.INVALID_ENV,
                "CNI_NETNS: /run/netns/podnet-no-such-ns does not exist",
                request("ADD", "c1", "/run/netns/podnet-no-such-ns", "eth0", CONFIG));
        assertCode(
                CniError.INVALID_ENV,
                "CNI_ARGS: 'K8S_POD_NAME' is not KEY=VALUE",
                new CniRequest("ADD", "c1", NETNS, "eth0", "K8S_POD_NAME", null, bytes(CONFIG)));
    }

    @Test
    void whileNotAvailableOperationsAreTryAgainAndStatusIsNotAvailable() {
        available.set(false);
        assertCode(CniError.TRY_AGAIN_LATER, "try again later", request("ADD", "c1", NETNS, "eth0", CONFIG));
        assertCode(CniError.TRY_AGAIN_LATER, "try again later", request("DEL", "c1", NETNS, "eth0", CONFIG));
        assertCode(CniError.NOT_AVAILABLE, "starting or stopping", request("STATUS", null, null, null, CONFIG));
        assertTrue(
                cni.handle(request("VERSION", null, null, null, CONFIG)).block().contains("supportedVersions"));
    }

    @Test
    void checkNeedsVersion040AndAPrevResult() {
        String v031 = CONFIG.replace("1.1.0", "0.3.1");
        assertCode(
                CniError.INCOMPATIBLE_VERSION,
                "CHECK needs cniVersion 0.4.0",
                request("CHECK", "c1", NETNS, "eth0", v031));
        assertCode(
                CniError.INVALID_CONFIG,
                "prevResult is required for CHECK",
                request("CHECK", "c1", NETNS, "eth0", CONFIG));
    }

    @Test
    void gcWithoutAListRemovesNothing() {
        assertEquals("", cni.handle(request("GC", null, null, null, CONFIG)).block());
        assertCode(
                CniError.INVALID_CONFIG,
                "name: is required",
                request("GC", null, null, null, "{\"cniVersion\": \"1.1.0\"}"));
    }

    @Test
    void failuresMapToCodesAndStatuses() {
        CniError spec =
                CniService.toCniError(new InvalidSpecException("network pods already exists with other settings"));
        assertEquals(CniError.INVALID_CONFIG, spec.code());
        assertNull(spec.details());

        NetlinkException kernel = new NetlinkException(Errno.EEXIST, "Device exists", -1, "RTM_NEWLINK pn1 (veth)");
        CniError op = CniService.toCniError(new EndpointOperationException("add", "c1/eth0", kernel));
        assertEquals(CniError.OPERATION_FAILED, op.code());
        assertTrue(
                op.msg().startsWith("add of endpoint c1/eth0 failed: RTM_NEWLINK pn1 (veth) failed: EEXIST"), op.msg());
        assertTrue(op.details().startsWith("caused by NetlinkException: RTM_NEWLINK"), op.details());

        CniError other = CniService.toCniError(new IllegalStateException("boom"));
        assertEquals(CniError.OPERATION_FAILED, other.code());
        assertEquals("internal error: java.lang.IllegalStateException: boom", other.msg());

        for (int[] c : new int[][] {{1, 400}, {4, 400}, {7, 400}, {11, 503}, {50, 503}, {51, 503}, {100, 500}}) {
            assertEquals(c[1], DaemonServer.httpStatus(c[0]), "code " + c[0]);
        }
        Object json = Json.read(op.toJson("0.4.0"));
        assertEquals(
                List.of("cniVersion", "code", "msg", "details"),
                json instanceof Map<?, ?> m ? List.copyOf(m.keySet()) : json);
    }

    private void assertCode(int code, String fragment, CniRequest r) {
        CniError e = assertThrows(CniError.class, () -> cni.handle(r).block(), fragment);
        assertEquals(code, e.code(), e.toString());
        assertTrue(e.msg().contains(fragment), "expected '" + fragment + "' in: " + e.msg());
    }

    private static CniRequest request(String command, String containerId, String netns, String ifName, String config) {
        return new CniRequest(command, containerId, netns, ifName, null, null, bytes(config));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
