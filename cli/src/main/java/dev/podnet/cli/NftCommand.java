package dev.podnet.cli;

import dev.podnet.api.Json;
import dev.podnet.dataplane.internal.netns.NetnsThread;
import dev.podnet.dataplane.netns.NetNs;
import dev.podnet.netlink.nft.NftRuleset;
import dev.podnet.netlink.nft.NftSocket;
import dev.podnet.stress.Args;
import dev.podnet.stress.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code podnet nft list [--json]}: podnet's nf_tables table ({@code inet podnet}) in the host
 * namespace, read with podnet's own codec and printed as {@code nft list table inet podnet} prints it
 * (with {@code --json}, as {@code nft -j list table inet podnet} does). Without the table it prints
 * nothing (text) or only the metainfo ({@code {"nftables": [{"metainfo": ...}]}}, what {@code nft -j}
 * prints for an empty ruleset) and exits 0, where nft itself fails with "No such file or directory".
 */
final class NftCommand {
    private static final String CMD = "nft";
    private static final Duration T = Duration.ofSeconds(30);
    /** podnet's table, of the {@code inet} family. */
    static final String TABLE = "podnet";

    private final PrintStream out;
    private final NetNs netns;
    private final boolean json;

    NftCommand(String[] argv, NetNs host, PrintStream out) {
        this.out = out;
        Args a = Args.parse(CMD, argv, 0, Set.of(), Set.of("--json", "-j"));
        List<String> pos = a.positional();
        boolean list = pos.equals(List.of("list")) || pos.equals(List.of("list", "table", "inet", TABLE));
        if (!list) {
            throw new UsageException(CMD + ": only 'list' is supported: podnet nft list [--json]");
        }
        this.netns = host != null ? host : NetNs.ofPath(Path.of("/proc/self/ns/net"));
        this.json = a.has("--json") || a.has("-j");
    }

    int run(PrintStream err) {
        try (NetnsThread thread = NetnsThread.start()) {
            // the socket keeps the namespace it was opened in, but its buffers belong to the thread that
            // opened it: the whole reading happens on the namespace thread
            NftRuleset.TableDump dump = thread.inside(netns, () -> {
                        try (NftSocket socket = NftSocket.open()) {
                            return NftRuleset.read(socket, TABLE);
                        }
                    })
                    .block(T);
            if (json) {
                out.println(Json.write(NftListing.json(dump)));
            } else {
                out.print(NftListing.text(dump));
            }
            return 0;
        } catch (RuntimeException | IOException e) {
            err.println("podnet: nft list: " + e.getMessage());
            return 1;
        }
    }
}
