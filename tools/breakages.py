#!/usr/bin/env python3
"""Deliberate breakages of kernel-dependent guarantees, each of which the suite must catch.

Each breakage is applied to a fresh copy of the last commit (`git archive HEAD`: never to the
working tree, whose edits in progress do not leak in); the copy is built and the tests named for it
are run; the breakage is caught when they fail. Run before a
release: `bin/breakages` (all) or `bin/breakages NAME...`. Exit 0 only when every breakage was caught.
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name: (file, original text, broken text, module, tests that must fail)
BREAKAGES = {
    "cancel-ignored": (
        "dataplane/src/main/java/dev/podnet/dataplane/internal/engine/EndpointOperations.java",
        ".doOnCancel(() -> cancelled.set(true));",
        ";",
        "reactive-api", "EndpointLifecycleTest#cancellingAnAddMidwayRollsItBack"),
    "ipv6-reservation-kept-on-rollback": (
        "dataplane/src/main/java/dev/podnet/dataplane/internal/endpoint/SharedSteps.java",
        "return Mono.<Void>fromRunnable(() -> c.network.releaseAll(c.containerId, c.ifName))\n                .subscribeOn(c.host.state());",
        "return Mono.<Void>fromRunnable(() -> { if (c.network.allocator() != null) c.network.allocator().release(c.containerId, c.ifName); }).subscribeOn(c.host.state());",
        "reactive-api", "EndpointLifecycleTest#aFailureAfterAnyStepLeavesNothingBehind"),
    "vm-bridge-partway-cleanup-removed": (
        "dataplane/src/main/java/dev/podnet/dataplane/internal/endpoint/VmSteps.java",
        "                            pod.execute(Links.deleteByName(bridgeName));\n",
        "",
        "reactive-api", "EndpointLifecycleTest#aRequestFailingInTheMiddleOfAStepLeavesNothing"),
    "sender-check-disabled": (
        "netlink-codec/src/main/java/dev/podnet/netlink/channel/NetlinkChannel.java",
        "if (senderPort != 0)",
        "if (false && senderPort != 0)",
        "netlink-codec", "NetlinkClientTest"),
    "dry-run-writes": (
        "cli/src/main/java/dev/podnet/cli/ModelCommands.java",
        ".readOnly(a.has(\"--dry-run\"))",
        ".readOnly(false)",
        "cli", "StateSafetyTest#aDryRunChangesNothingInTheKernelOrTheStateFiles"),
    "host-namespace-not-checked": (
        "dataplane/src/main/java/dev/podnet/dataplane/internal/state/StateStore.java",
        "        checkHost(access.host());\n",
        "",
        "cli", "StateSafetyTest#aStateDirectoryIsRefusedFromAnotherHostNamespaceBeforeAnythingIsMade"),
    "killed-writer-not-recovered": (
        "dataplane/src/main/java/dev/podnet/dataplane/internal/state/StateStore.java",
        "ChronicleMap<String, String> map = recovered && Files.exists(file)",
        "ChronicleMap<String, String> map = false && recovered && Files.exists(file)",
        "dataplane", "KilledWriterTest"),
    "close-leaves-requests-hanging": (
        "netlink-codec/src/main/java/dev/podnet/netlink/channel/RequestCorrelator.java",
        'failAll(new NetlinkClosedException("the netlink channel closed before the kernel answered"));',
        "",
        "netlink-codec", "ClientCloseTest"),
    "dump-interrupt-ignored": (
        "netlink-codec/src/main/java/dev/podnet/netlink/channel/RequestCorrelator.java",
        "interrupted = true;",
        "interrupted = false;",
        "netlink-codec", "DumpInterruptTest"),
    "stats-fields-swapped": (
        "netlink-codec/src/main/java/dev/podnet/netlink/route/LinkStats64.java",
        "return new LinkStats64(v[0], v[1], v[2], v[3],",
        "return new LinkStats64(v[1], v[0], v[3], v[2],",
        "netlink-codec", "LinkStatsTest"),
    "time-out-holds-its-slot": (
        "netlink-codec/src/main/java/dev/podnet/netlink/channel/NetlinkClient.java",
        "            RequestCorrelator.Single p = new RequestCorrelator.Single(sink, request, options.factory());\n"
        "            sink.onCancel(() -> forget(p));",
        "            RequestCorrelator.Single p = new RequestCorrelator.Single(sink, request, options.factory());",
        "netlink-codec", "GivingUpTest#manyTimeOutsNeverExhaustTheInFlightBound"),
    "dumps-not-queued": (
        "netlink-codec/src/main/java/dev/podnet/netlink/channel/NetlinkProtocol.java",
        "        if (activeDump == null) {\n            activeDump = p;",
        "        if (true) {\n            activeDump = p;",
        "netlink-codec", "GivingUpTest#dumpsOnOneClientWaitTheirTurnInsteadOfFailingWithEbusy,NetlinkProtocolTest"),
    "dhcp-responder-not-started": (
        "dataplane/src/main/java/dev/podnet/dataplane/internal/endpoint/EndpointSteps.java",
        "return startDhcp(c.host, c.record(EndpointState.READY), c.network.record());",
        "return Mono.empty();",
        "reactive-api", "VmDhcpTest"),
    "daemon-admits-any-uid": (
        "daemon/src/main/java/dev/podnet/daemon/DaemonServer.java",
        "            return uds.peerCredentials().uid();",
        "            return Math.max(uds.peerCredentials().uid(), 4242);",
        "daemon", "CniContractTest#aCallerWithAnotherUidIsRefused"),
    "del-not-spooled": (
        "cni-shim/podnet-cni.c",
        "        return spool_del(nc, req, why) < 0 ? 1 : 0;",
        "        return ((void) nc, (void) req, (void) why, 0);",
        "daemon", "CniContractTest#withTheDaemonDownAddFailsStatusSays50AndDelIsSpooledThenReplayed"),
    # a kill after publish-ports leaves nf_tables elements whose endpoint is rolled back
    "nat-reconcile-off": (
        "dataplane/src/main/java/dev/podnet/dataplane/internal/engine/StateReconciler.java",
        "            work.add(Mono.defer(() -> host.nat().reconcile(staying, inFlight, dryRun))",
        "            work.add(Mono.defer(() -> Mono.<List<String>>empty())",
        "stress", "CrashPointsTest"),
    # a UDP flow that began before its port was published keeps its untranslated conntrack entry
    "udp-conntrack-kept": (
        "dataplane/src/main/java/dev/podnet/dataplane/internal/nat/NatTable.java",
        "                if (p.protocolNumber() == 17) {",
        "                if (p.protocolNumber() == 17 && Boolean.getBoolean(\"never\")) {",
        "reactive-api", "NatTrafficTest"),
    # reconcile withdraws the ports of an add still running (its record is CREATING)
    "nat-reconcile-ignores-in-flight": (
        "dataplane/src/main/java/dev/podnet/dataplane/internal/nat/NatReconcile.java",
        "                        && inFlight.test(e.comment().substring(\"podnet:\".length()))) {",
        "                        && inFlight.test(e.comment().substring(\"podnet:\".length())) && false) {",
        "reactive-api", "NatTrafficTest"),
    # ports left in the table when their endpoint is removed
    "ports-not-withdrawn": (
        "dataplane/src/main/java/dev/podnet/dataplane/internal/engine/EndpointOperations.java",
        "                            .then(record.filter(r -> !r.ports().isEmpty())",
        "                            .then(record.filter(r -> false)",
        "reactive-api", "NatTrafficTest"),
}


def run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def try_breakage(name):
    path, original, broken, module, tests = BREAKAGES[name]
    work = tempfile.mkdtemp(prefix="podnet-break-")
    try:
        copy = os.path.join(work, "tree")
        os.makedirs(copy)
        archive = subprocess.run(["git", "-C", ROOT, "archive", "HEAD"], stdout=subprocess.PIPE, check=True).stdout
        subprocess.run(["tar", "-x", "-C", copy], input=archive, check=True)
        target = os.path.join(copy, path)
        text = open(target).read()
        if original not in text:
            return name, "STALE", "the original text is no longer in " + path + ": update tools/breakages.py"
        open(target, "w").write(text.replace(original, broken, 1))
        # built in the copy's own reactor (nothing installed: the local repository keeps the real artifacts)
        mvn = ["mvn", "-o", "-B", "-q", "-Dstyle.color=never"]
        built = run(mvn + ["test-compile", "-pl", module, "-am"], copy)
        if built.returncode != 0:
            return name, "NOT BUILT", built.stdout[-2000:]
        tested = run(mvn + ["test", "-pl", module, "-am", "-Dtest=" + tests, "-Dsurefire.failIfNoSpecifiedTests=false"], copy)
        if tested.returncode != 0:
            return name, "caught", tests
        return name, "MISSED", "the suite stayed green: " + tests
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv):
    names = argv or list(BREAKAGES)
    unknown = [n for n in names if n not in BREAKAGES]
    if unknown:
        print("unknown breakage(s): " + ", ".join(unknown) + "; known: " + ", ".join(BREAKAGES), file=sys.stderr)
        return 2
    ok = True
    for n in names:
        name, verdict, detail = try_breakage(n)
        print(f"{name:40s} {verdict:10s} {detail if verdict != 'caught' else 'by ' + detail}", flush=True)
        ok = ok and verdict == "caught"
    print(("every breakage was caught" if ok else "some breakage was NOT caught"), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
