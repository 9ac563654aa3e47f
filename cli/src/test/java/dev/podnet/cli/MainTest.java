package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.KernelTest;
import dev.podnet.testing.Sandbox;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@KernelTest
class MainTest {
    @TempDir
    Path state;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badArgumentsGetOneLineAndExitCode2() {
        for (String[] args : new String[][] {
            {"churn", "--pods", "many"},
            {"churn", "--pods", "0"},
            {"churn", "--frobnicate"},
            {"churn", "--pods"},
            {"churn", "--sandbox", "a/b"},
            {"churn", "--shape", "mesh"},
            {"teleport"},
            {}
        }) {
            Result r = run(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertTrue(args.length == 0 || r.err().strip().lines().count() == 1, r.err());
        }
        assertTrue(run("churn", "--pods", "many").err().contains("--pods must be a whole number, got 'many'"));
    }

    @Test
    void churnPlugsVerifiesUnplugsAndCleansUp(Sandbox unused) throws Exception {
        String sandbox = "pnt-churn-" + ProcessHandle.current().pid();
        String json = reportLine(
                run("churn", "--pods", "6", "--sandbox", sandbox, "--state-dir", state.toString(), "--json"));
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        for (String key : new String[] {
            "pods",
            "shape",
            "ipv6",
            "add_s",
            "add_per_s",
            "add_p50_ms",
            "add_p99_ms",
            "del_s",
            "del_per_s",
            "del_p50_ms",
            "del_p99_ms",
            "errors",
            "verified",
            "leaked_links",
            "leaked_addresses",
            "warmup_rounds",
            "jit_ms_during_add",
            "sandbox"
        }) {
            assertTrue(json.contains("\"" + key + "\":"), key + " in " + json);
        }
        assertReports(
                json,
                "\"pods\":6",
                "\"errors\":0",
                "\"verified\":true",
                "\"leaked_links\":0",
                "\"leaked_addresses\":0");
        Matcher m = Pattern.compile("\"add_per_s\":([0-9.]+)").matcher(json);
        assertTrue(m.find() && Double.parseDouble(m.group(1)) > 0, json);
        Matcher w = Pattern.compile("\"warmup_rounds\":([0-9]+)").matcher(json);
        assertTrue(w.find() && Integer.parseInt(w.group(1)) >= 1, "the untimed warm-up ran: " + json);
        assertFalse(Sandbox.run("ip", "netns", "list").contains(sandbox), "the sandbox and its pods are gone");
    }

    @ParameterizedTest
    @CsvSource({"ptp, 4", "vm, 3"})
    void churnOfTheOtherShapes(String shape, int pods, Sandbox unused) throws Exception {
        String sandbox = "pnt-" + shape + "-" + ProcessHandle.current().pid();
        String json = churnJson(sandbox, state.resolve(shape), "--pods " + pods + " --warmup 0 --shape " + shape);
        assertReports(json, "\"shape\":\"" + shape + "\"", "\"verified\":true", "\"leaked_links\":0");
        assertFalse(Sandbox.run("ip", "netns", "list").contains(sandbox));
    }

    @Test
    void churnDualStack(Sandbox unused) throws Exception {
        String sandbox = "pnt-v6-" + ProcessHandle.current().pid();
        String json = churnJson(sandbox, state, "--pods 4 --warmup 0 --ipv6");
        assertReports(json, "\"ipv6\":true", "\"verified\":true", "\"leaked_addresses\":0");
        String ptpJson = churnJson(sandbox + "p", state.resolve("ptp"), "--pods 4 --warmup 0 --ipv6 --shape ptp");
        assertReports(ptpJson, "\"shape\":\"ptp\",\"ipv6\":true", "\"verified\":true");
    }

    @Test
    void aBoundedRandomCrashRunLeaksAndLosesNothing(Sandbox unused) throws Exception {
        String sandbox = "pnt-crash-" + ProcessHandle.current().pid();
        String json = churnJson(
                sandbox, state.resolve("crash"), "--crash-test --cycles 4 --pods 8 --max-kill-ms 2500 --seed 7");
        for (String zero : new String[] {
            "leaked_links", "leaked_addresses", "lost_endpoints", "duplicate_ips", "unreachable", "not_ready"
        }) {
            assertTrue(json.contains("\"" + zero + "\":0,"), zero + " in " + json);
        }
        assertReports(json, "\"cycles\":4", "\"recovery_p99_ms\":");
        // the kills came while the workers worked, and recovery had work to do
        assertTrue(number(json, "ops_completed") > 0, json);
        assertTrue(number(json, "kills_in_operations") >= 2, json);
        assertTrue(number(json, "reconcile_actions") > 0, json);
        assertFalse(Sandbox.run("ip", "netns", "list").contains(sandbox));
        assertEquals(2, run("churn", "--cycles", "3").code(), "--cycles without --crash-test");
        assertEquals(2, run("churn", "--crash-test", "--shape", "vm").code());
    }

    /**
     * Runs {@code churn OPTIONS --sandbox S --state-dir D --json}, the options written as one would type them (words
     * split at spaces); requires exit 0, returns the JSON report line.
     */
    private static String churnJson(String sandbox, Path stateDir, String options) {
        List<String> all = new java.util.ArrayList<>(List.of("churn"));
        all.addAll(List.of(options.split(" +")));
        all.addAll(List.of("--sandbox", sandbox, "--state-dir", stateDir.toString(), "--json"));
        return reportLine(run(all.toArray(String[]::new)));
    }

    /** The JSON report of a run that must have succeeded: the last line it printed. */
    static String reportLine(Result r) {
        assertEquals(0, r.code(), r.out() + r.err());
        return r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
    }

    /** Each of {@code fields} ({@code "name":value} as the report writes it) is in the JSON report. */
    static void assertReports(String json, String... fields) {
        for (String field : fields) {
            assertTrue(json.contains(field), field + " in " + json);
        }
    }

    private static long number(String json, String key) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\"" + key + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void steadyChurnKeepsTheLiveSetAndWritesItsSeriesAndPlot(Sandbox unused) throws Exception {
        String sandbox = "pnt-steady-" + ProcessHandle.current().pid();
        Path prefix = state.resolve("steady");
        String json = churnJson(
                sandbox, state.resolve("st"), "--rate 20 --duration 3 --warmup-s 0 --live 10 --out " + prefix);
        assertReports(
                json, "\"mode\":\"steady\"", "\"adds\":60,", "\"removes\":60,", "\"errors\":0,", "\"leaked_links\":0,");
        List<String> csv = java.nio.file.Files.readAllLines(Path.of(prefix + ".csv"));
        assertTrue(csv.get(0).startsWith("second,adds,removes,add_p50_ms") && csv.size() >= 4, csv.toString());
        String html = java.nio.file.Files.readString(Path.of(prefix + ".html"));
        assertTrue(html.contains("<svg") && html.contains("add p99") && html.contains("rss"), html);
        // every second's memory: resident size, heap, direct, and the state's maps holding the live pods
        List<String> header = List.of(csv.get(0).split(","));
        for (String row : csv.subList(1, csv.size())) {
            String[] v = row.split(",");
            assertTrue(Double.parseDouble(v[header.indexOf("rss_mb")]) > 50, row);
            assertTrue(Double.parseDouble(v[header.indexOf("heap_mb")]) > 0, row);
            assertTrue(Long.parseLong(v[header.indexOf("state_kb")]) > 0, row);
        }
        assertFalse(Sandbox.run("ip", "netns", "list").contains(sandbox));
        assertEquals(2, run("churn", "--duration", "3").code(), "--duration without --rate");
        assertEquals(2, run("churn", "--rate", "10", "--pods", "3").code());
    }

    @Test
    void keepLeavesTheSandboxForInspection(Sandbox unused) throws Exception {
        String sandbox = "pnt-keep-" + ProcessHandle.current().pid();
        try {
            Result r = run("churn", "--pods", "2", "--sandbox", sandbox, "--state-dir", state.toString(), "--keep");
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("kept for inspection"), r.out());
            assertTrue(Sandbox.ipIn(sandbox + "-p0", "-o", "-4", "addr").contains("198.18.0."));
            assertTrue(Sandbox.ipIn(sandbox, "-o", "link").contains("pnbr0"));
        } finally {
            for (String n : new String[] {sandbox + "-p0", sandbox + "-p1", sandbox}) {
                if (Sandbox.namespaceExists(n)) {
                    Sandbox.run("ip", "netns", "del", n);
                }
            }
        }
    }
}
