package dev.podnet.cli;

import dev.podnet.stress.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * {@code podnet install-cni [--prefix DIR]}: puts the {@code podnet} CNI plugin where runtimes look
 * for plugins ({@code usr/lib/cni} and {@code opt/cni/bin} under the prefix, default {@code /}) and
 * an example network configuration ({@code etc/cni/net.d/10-podnet.conflist}, not overwritten when
 * present). Tests always give a temporary prefix.
 */
final class InstallCni {
    static final String EXAMPLE = """
            {
              "cniVersion": "1.0.0",
              "name": "podnet",
              "plugins": [
                {
                  "type": "podnet",
                  "socket": "/run/podnet/podnet.sock",
                  "stateDir": "/var/lib/podnet",
                  "mode": "bridge",
                  "bridge": "podnet0",
                  "ipam": {
                    "type": "host-local",
                    "ranges": [[{"subnet": "198.18.0.0/16"}]],
                    "routes": [{"dst": "0.0.0.0/0"}]
                  }
                }
              ]
            }
            """;

    private InstallCni() {}

    static int run(String[] args, PrintStream out) throws IOException {
        Path prefix = Path.of("/");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--prefix") && i + 1 < args.length) {
                prefix = Path.of(args[++i]);
            } else {
                throw new UsageException(
                        "install-cni: unexpected argument '" + args[i] + "' (usage: install-cni [--prefix DIR])");
            }
        }
        String home = System.getProperty("podnet.home");
        if (home == null) {
            throw new UsageException("install-cni: run it through bin/podnet (podnet.home is not set)");
        }
        Path plugin = Path.of(home, "daemon", "target", "cni", "podnet");
        if (!Files.isExecutable(plugin)) {
            throw new UsageException("install-cni: no plugin at " + plugin + " (build first: mvn package)");
        }
        for (String dir : List.of("usr/lib/cni", "opt/cni/bin")) {
            Path target = prefix.resolve(dir);
            Files.createDirectories(target);
            Path installed = target.resolve("podnet");
            Files.copy(plugin, installed, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(installed, PosixFilePermissions.fromString("rwxr-xr-x"));
            out.println("installed " + installed);
        }
        Path conf = prefix.resolve("etc/cni/net.d/10-podnet.conflist");
        if (Files.exists(conf)) {
            out.println("kept " + conf + " (already there)");
        } else {
            Files.createDirectories(conf.getParent());
            Files.writeString(conf, EXAMPLE);
            out.println("wrote " + conf);
        }
        return 0;
    }
}
