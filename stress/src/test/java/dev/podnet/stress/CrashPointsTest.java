package dev.podnet.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.api.Dataplane;
import dev.podnet.api.DataplaneOptions;
import dev.podnet.api.Endpoint;
import dev.podnet.dataplane.EndpointState;
import dev.podnet.dataplane.internal.endpoint.EndpointSteps;
import dev.podnet.dataplane.internal.endpoint.Step;
import dev.podnet.dataplane.internal.engine.StepObserver;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The process dies (halts: no rollback, no close, what {@code kill -9} leaves) right after each step
 * of an add and each stage of a remove; the next open recovers and the invariants hold against the
 * kernel: nothing leaked, nothing completed lost, and the endpoint cut short is either fully there
 * (the process died after its last step) or fully gone. Every pod publishes a port, so that a kill
 * after {@code publish-ports} leaves nf_tables elements to reconcile: none may outlive its endpoint.
 */
@KernelTest
class CrashPointsTest {
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static Stream<Arguments> killPoints() {
        Stream<Arguments> adds =
                EndpointSteps.BRIDGE.stream().map(Step::name).map(s -> Arguments.of("bridge", "add", s));
        Stream<Arguments> ptp = EndpointSteps.PTP.stream()
                .map(Step::name)
                .filter(s -> s.equals("configure-host"))
                .map(s -> Arguments.of("ptp", "add", s));
        Stream<Arguments> removes = Stream.of(StepObserver.REMOVE_MARK, StepObserver.REMOVE_DELETE_LINK)
                .map(s -> Arguments.of("bridge", "rm", s));
        return Stream.of(adds, ptp, removes).flatMap(x -> x);
    }

    @ParameterizedTest(name = "{0}: {1} killed after {2}")
    @MethodSource("killPoints")
    void theProcessDiesAfterAStepAndTheNextOpenRecovers(String shape, String op, String step, Sandbox sandbox)
            throws Exception {
        List<String> pods = List.of(sandbox.newNamespace("k0"), sandbox.newNamespace("k1"));
        Path state = dir.resolve("state");
        Path log = dir.resolve("worker.log");
        String script = op.equals("add") ? "add:0,add:1" : "add:0,add:1,rm:1";
        Process child = new ProcessBuilder(CrashHarness.workerCommand(
                        state, sandbox.name(), pods, shape, log, "--script", script, "--crash-at", step, "--publish"))
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "the worker halts at the kill point: " + output);
        assertTrue(
                Files.readString(log).contains((op.equals("add") ? "A+ " : "R+ ") + ChurnCommand.containerId(1)),
                "the cut op began");

        Dataplane dp = Dataplane.open(DataplaneOptions.of(state)
                        .hostNetns(NetNs.named(sandbox.name()))
                        .maxEndpoints(1024))
                .block(T);
        try {
            CrashInvariants.Findings f = CrashInvariants.check(
                    dp,
                    sandbox.name(),
                    pods,
                    shape.equals("ptp") ? "198.19.0.1" : "198.18.0.1",
                    CrashInvariants.lastEvents(log));
            assertTrue(f.clean(), f.toString());
            Endpoint first =
                    dp.endpoints().get(ChurnCommand.containerId(0), "eth0").block(T);
            assertEquals(EndpointState.READY, first.state(), "the completed add survives");
            Endpoint cut =
                    dp.endpoints().get(ChurnCommand.containerId(1), "eth0").block(T);
            boolean survives = op.equals("add") && step.equals("record-ready");
            assertEquals(
                    survives,
                    cut != null,
                    "the cut-short endpoint is " + (survives ? "complete" : "gone") + ": " + cut + "; reconcile: "
                            + dp.reconciler().openReport());
            dp.endpoints().remove(ChurnCommand.containerId(0), "eth0").block(T);
            dp.endpoints().remove(ChurnCommand.containerId(1), "eth0").block(T);
        } finally {
            dp.close();
        }
    }
}
