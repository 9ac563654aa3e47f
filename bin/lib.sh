# Shared by bin/podnet and bin/test: picks the JDK 25, installs the system packages podnet needs,
# builds when the sources are newer than the build. Sourced, not run.

PODNET_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

podnet_pick_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
    return 0
  fi
  local candidate
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25*; do
    if [ -x "$candidate/bin/java" ] && "$candidate/bin/java" -version 2>&1 | grep -q 'version "25'; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "podnet: no JDK 25 found under /usr/lib/jvm (podnet needs Java 25: the FFM API and Netty 4.2)" >&2
  exit 1
}

podnet_need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "podnet: $1 needs root (network namespaces, netlink on sandboxes)" >&2
    exit 1
  fi
}

# iproute2 (ip netns, used by tests as an independent witness), ping (connectivity checks), maven.
podnet_ensure_packages() {
  local missing=()
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v ping >/dev/null 2>&1 || missing+=(iputils-ping)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  # the CNI plugin is a small C program the build compiles
  command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
  command -v make >/dev/null 2>&1 || missing+=(make)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "podnet: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
}

# What the tests need beyond that: a real container runtime (podman with runc and conmon, image-free
# over busybox-static) for the daemon's podman test, and nftables' nft. Installed only; nothing of them is configured.
podnet_ensure_test_packages() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v conmon >/dev/null 2>&1 || [ -x /usr/libexec/podman/conmon ] || missing+=(conmon)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)
  # nft, to compare what podnet installs in a sandbox's nf_tables with nft's own reading of it
  command -v nft >/dev/null 2>&1 || missing+=(nftables)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "podnet: installing for the tests: ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

# Debian's Maven 3.8 prints colour resets even in batch mode: strip them (pipefail keeps mvn's status).
podnet_mvn() {
  (cd "$PODNET_ROOT" && mvn -B -q -Dstyle.color=never "$@") 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g' >&2
}

# Builds when there is no build yet, or a pom or source file is newer than it.
podnet_ensure_built() {
  local stamp="$PODNET_ROOT/cli/target/lib/.built"
  [ -d "$PODNET_ROOT/benchmarks/target/lib" ] || rm -f "$stamp"
  if [ ! -f "$stamp" ] || [ -n "$(find "$PODNET_ROOT" -path '*/target' -prune -o \( -name '*.java' -o -name '*.c' -o -name 'pom.xml' -o -name '*.flags' \) -newer "$stamp" -print -quit)" ]; then
    echo "podnet: building (mvn package, tests skipped)..." >&2
    podnet_mvn -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true package
    touch "$stamp"
  fi
}

# The command line's class path: its jar and its dependencies' (the podnet modules among them), in a
# fixed order. Jars, not target/classes, because the AOT cache below accepts only jars, and checks
# that a run's class path is the one it was trained with.
podnet_classpath() {
  local cp jar
  cp=$(ls "$PODNET_ROOT"/cli/target/cli-*.jar | grep -v -e '-sources.jar$' -e '-javadoc.jar$' | head -1)
  for jar in $(ls "$PODNET_ROOT"/cli/target/lib/*.jar | LC_ALL=C sort); do
    cp="$cp:$jar"
  done
  echo "$cp"
}

# The command line's jars newer than file $1, if any.
podnet_newer_jars() {
  find "$PODNET_ROOT/cli/target" -maxdepth 2 -name '*.jar' -newer "$1" -print -quit
}

# JDK 25's AOT cache (JEPs 483, 514, 515), opt-in with PODNET_AOT_CACHE=1: the classes a run loads,
# already parsed and linked, and the profiles of its hot methods, recorded by one training run (a
# churn of 300 pods in a sandbox of its own, ~25 s) after each build. Measured on this 2-core VM
# (docs/BENCHMARKS.md, Cold start): a cold first thousand pods between 6% slower and 30% faster,
# but the warm rate 5-25% lower (the replayed profiles) and every short command ~0.2 s slower
# (mapping the 66 MB cache), hence off by default. Sets PODNET_AOT_FLAGS.
podnet_ensure_aot() {
  PODNET_AOT_FLAGS=""
  [ "${PODNET_AOT_CACHE:-0}" = 1 ] || return 0
  local cache="$PODNET_ROOT/cli/target/podnet.aot" log="$PODNET_ROOT/cli/target/podnet-aot-training.log"
  # a jar newer than the cache (any build: bin/podnet's, mvn install's) makes it stale
  if [ ! -f "$cache" ] || [ -n "$(podnet_newer_jars "$cache")" ]; then
    if [ -f "$log" ] && [ -z "$(podnet_newer_jars "$log")" ]; then
      return 0 # the training for these jars failed; its log says why, and the next build tries again
    fi
    echo "podnet: training the JVM's AOT cache for this build (once, ~25 s)..." >&2
    rm -f "$cache"
    # shellcheck disable=SC2086
    if ! "$JAVA_HOME/bin/java" $1 -XX:AOTCacheOutput="$cache" -Dpodnet.home="$PODNET_ROOT" -cp "$2" \
        dev.podnet.cli.Main churn --pods 300 --warmup 100 --json >"$log" 2>&1; then
      echo "podnet: the AOT cache's training run failed (see $log); running without it" >&2
      rm -f "$cache"
      return 0
    fi
    rm -f "$log"
  fi
  # -Xlog:aot/cds=off: a cache that no longer matches (a jar changed since) is ignored without a warning
  PODNET_AOT_FLAGS="-XX:AOTCache=$cache -Xlog:aot=off -Xlog:cds=off"
}
