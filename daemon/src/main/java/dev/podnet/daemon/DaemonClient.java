package dev.podnet.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.podnet.api.Json;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * A client of a running daemon's socket, for the command line ({@link #command}) and for load
 * generators that drive the CNI route without exec ({@link #cni}): reactor-netty's HTTP client on a
 * unix socket, its connections kept alive and pooled (at most {@code maxConnections}, the requests
 * beyond waiting for one), on an event loop thread of its own. Close it when done.
 *
 * <p>{@link #locate} finds the daemon serving a state directory from the note it leaves there
 * ({@value #LOCATOR}, written once it serves and removed when it stops).
 */
public final class DaemonClient implements AutoCloseable {
    /** The note a serving daemon keeps in its state directory: {@code {"socket": PATH, "pid": N}}. */
    public static final String LOCATOR = "daemon.json";

    /** What the daemon answered: the HTTP status and the body. */
    public record Reply(int status, String body) {}

    /** What a command run by the daemon printed, and its exit code. */
    public record CommandReply(int exit, String stdout, String stderr) {}

    private final Path socket;
    private final LoopResources loops;
    private final ConnectionProvider pool;
    private final HttpClient http;

    /**
     * @param socket         the daemon's socket
     * @param maxConnections connections kept open at most (requests beyond wait for one)
     */
    public DaemonClient(Path socket, int maxConnections) {
        this.socket = Objects.requireNonNull(socket, "socket");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
        }
        this.loops = LoopResources.create("podnet-client", 1, true);
        this.pool = ConnectionProvider.builder("podnet-daemon")
                .maxConnections(maxConnections)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(Duration.ofMinutes(5))
                .build();
        DomainSocketAddress address = new DomainSocketAddress(this.socket.toString());
        this.http = HttpClient.create(pool).runOn(loops).remoteAddress(() -> address);
    }

    /**
     * The socket of the daemon serving {@code stateDir}, if its note is there and names a process that
     * is alive (a daemon killed with SIGKILL leaves its note behind; a note whose process is gone is
     * ignored).
     */
    public static Optional<Path> locate(Path stateDir) {
        Path note = stateDir.resolve(LOCATOR);
        try {
            JsonNode n = Json.mapper().readTree(Files.readString(note));
            long pid = n.path("pid").asLong(-1);
            String socket = n.path("socket").asText("");
            if (pid <= 0
                    || socket.isEmpty()
                    || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return Optional.empty();
            }
            return Optional.of(Path.of(socket));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // no note, or one cut short: no daemon to use
        }
    }

    /** Writes the note {@link #locate} reads (atomically: a reader sees the old note, none, or this one). */
    static void writeLocator(Path stateDir, Path socket) throws IOException {
        Path tmp = stateDir.resolve(LOCATOR + ".tmp");
        Files.writeString(
                tmp,
                Json.write(Map.of(
                        "socket", socket.toAbsolutePath().toString(),
                        "pid", ProcessHandle.current().pid())));
        Files.move(tmp, stateDir.resolve(LOCATOR), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The socket this client calls. */
    public Path socket() {
        return socket;
    }

    /** One CNI invocation on {@link DaemonServer#CNI_PATH}, as the shim sends it. */
    public Mono<Reply> cni(CniRequest r) {
        return http.headers(h -> {
                    put(h, CniRequest.COMMAND, r.command());
                    put(h, CniRequest.CONTAINER_ID, r.containerId());
                    put(h, CniRequest.NETNS, r.netns());
                    put(h, CniRequest.IF_NAME, r.ifName());
                    put(h, CniRequest.ARGS, r.args());
                    put(h, CniRequest.PATH, r.path());
                    h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                })
                .post()
                .uri(DaemonServer.CNI_PATH)
                .send(ByteBufMono.fromString(Mono.just(new String(r.config(), StandardCharsets.UTF_8))))
                .responseSingle((res, body) -> body.asString(StandardCharsets.UTF_8)
                        .defaultIfEmpty("")
                        .map(text -> new Reply(res.status().code(), text)));
    }

    /**
     * A model command ({@code network ...}, {@code endpoint ...}, {@code ipam ...}, {@code reconcile
     * run ...}) run by the daemon on its dataplane, as the command line would run it on its own.
     *
     * @param hostNetns the host namespace the caller means (null: the daemon's process's own); the
     *     daemon refuses the command when it serves another
     */
    public Mono<CommandReply> command(List<String> argv, String hostNetns) {
        Map<String, Object> req = Json.object();
        req.put("argv", argv);
        req.put("hostNetns", hostNetns);
        return http.headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
                .post()
                .uri(DaemonServer.COMMAND_PATH)
                .send(ByteBufMono.fromString(Mono.just(Json.write(req))))
                .responseSingle((res, body) -> body.asString(StandardCharsets.UTF_8)
                        .defaultIfEmpty("")
                        .map(text -> commandReply(res.status().code(), text)));
    }

    private static CommandReply commandReply(int status, String text) {
        if (status != 200) {
            return new CommandReply(1, "", "the daemon answered " + status + ": " + text.strip() + "\n");
        }
        try {
            JsonNode n = Json.mapper().readTree(text);
            return new CommandReply(
                    n.path("exit").asInt(1),
                    n.path("stdout").asText(""),
                    n.path("stderr").asText(""));
        } catch (IOException e) {
            return new CommandReply(1, "", "the daemon's answer is not JSON: " + e.getMessage() + "\n");
        }
    }

    private static void put(io.netty.handler.codec.http.HttpHeaders h, String name, String value) {
        if (value != null) {
            h.set(name, value);
        }
    }

    /** Closes the pooled connections and the event loop. */
    @Override
    public void close() {
        pool.disposeLater().block(Duration.ofSeconds(5));
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(6));
    }
}
