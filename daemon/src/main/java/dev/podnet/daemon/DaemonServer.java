package dev.podnet.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.podnet.api.Dataplane;
import dev.podnet.api.Json;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * The daemon's HTTP/1.1 server on a unix socket (reactor-netty, one epoll thread), for the shim and
 * for probes:
 *
 * <ul>
 *   <li>{@code POST /v1/cni}: one CNI invocation ({@link CniRequest}: {@code X-CNI-*} headers, the
 *       configuration as body). 200 with the result (or an empty body); on failure the CNI error as
 *       body with 400 (codes below 50 but 11: the request or configuration), 503 (11, 50-99: try
 *       again, not available) or 500 (100 and up: the operation failed).
 *   <li>{@code POST /v1/command}: a model command of the command line ({@code {"argv": [...],
 *       "hostNetns": NAME}}), run by the {@link CommandHandler} on the daemon's dataplane; 200 with
 *       {@code {"exit": N, "stdout": TEXT, "stderr": TEXT}}. 404 when the daemon has no handler.
 *   <li>{@code GET /healthz}: 200 {@code ok} while the process serves.
 *   <li>{@code GET /readyz}: 200 when the dataplane is open and the spool replayed, 503 otherwise.
 *   <li>{@code GET /metrics}: Prometheus text ({@link DaemonMetrics}).
 * </ul>
 *
 * <p>Only one user may call: each connection's peer credentials ({@code SO_PEERCRED}) are read and a
 * peer of another uid is disconnected (root only, in production). The socket's directory is made
 * 0700 when missing, a stale socket file is replaced, and the socket is made 0600.
 *
 * <p>A little over 400 lines: one server, its socket file, the peer check and the four routes with
 * their one mapping of CNI errors to HTTP statuses; apart, each piece would be a few lines reaching
 * into the others' state.
 */
public final class DaemonServer implements AutoCloseable {
    /** The CNI endpoint's path. */
    public static final String CNI_PATH = "/v1/cni";

    /** The model commands' endpoint's path. */
    public static final String COMMAND_PATH = "/v1/command";

    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final byte[] EMPTY = new byte[0];
    private static final Duration BIND_WAIT = Duration.ofSeconds(10);

    private final Path socket;
    private final CniService cni;
    private final DaemonMetrics metrics;
    private final BooleanSupplier ready;
    private final int allowedUid;
    private final PrintStream log;
    private final Dataplane dp;
    private CommandHandler commands;
    private String hostNetns;
    private LoopResources loops;
    private DisposableServer server;

    /**
     * @param ready      whether the daemon serves (for {@code /readyz})
     * @param allowedUid the only uid that may connect (0 in production; a test passes its own)
     * @param log        where refused peers and failed operations are reported
     */
    public DaemonServer(
            Path socket,
            CniService cni,
            Dataplane dp,
            DelSpool spool,
            BooleanSupplier ready,
            int allowedUid,
            PrintStream log) {
        this.socket = socket.toAbsolutePath();
        this.cni = cni;
        this.metrics = new DaemonMetrics(dp, spool);
        this.ready = ready;
        this.allowedUid = allowedUid;
        this.log = log;
        this.dp = dp;
    }

    /**
     * Serves the command line's model commands with {@code handler} (null: refused), for callers that
     * mean host namespace {@code hostNetns} (null: the process's own), the one the dataplane serves.
     * Before {@link #start}.
     */
    public synchronized DaemonServer commands(CommandHandler handler, String hostNetns) {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        this.commands = handler;
        this.hostNetns = hostNetns;
        return this;
    }

    /** Binds the socket and starts serving. */
    public synchronized DaemonServer start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        prepareSocketPath();
        loops = onDataplaneLoop(dp.eventLoop());
        try {
            server = HttpServer.create()
                    .bindAddress(() -> new DomainSocketAddress(socket.toString()))
                    .runOn(loops)
                    // the connections, so that close() can wait for the requests in flight
                    .channelGroup(new DefaultChannelGroup(GlobalEventExecutor.INSTANCE))
                    .doOnConnection(this::admit)
                    .route(routes -> routes.post(CNI_PATH, this::cniRoute)
                            .post(COMMAND_PATH, (req, res) -> guarded(req, res, () -> commandRoute(req, res)))
                            .get("/healthz", (req, res) -> guarded(req, res, () -> send(res, 200, TEXT, "ok\n")))
                            .get("/readyz", (req, res) -> guarded(req, res, () -> readyz(res)))
                            .get("/metrics", (req, res) -> guarded(req, res, () -> metricsRoute(res))))
                    .bindNow(BIND_WAIT);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    /**
     * The connections on the dataplane's own loop (see {@link Dataplane#eventLoop()}): an ADD is read,
     * carried out and answered on one thread. The loop is the dataplane's: disposing of these
     * resources leaves it running.
     */
    private static LoopResources onDataplaneLoop(EventLoopGroup loop) {
        return new LoopResources() {
            @Override
            public EventLoopGroup onServer(boolean useNative) {
                return loop;
            }

            @Override
            public EventLoopGroup onServerSelect(boolean useNative) {
                return loop;
            }

            @Override
            public EventLoopGroup onClient(boolean useNative) {
                return loop;
            }

            @Override
            public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
                return Mono.empty();
            }
        };
    }

    /** The socket's path. */
    public Path socket() {
        return socket;
    }

    /**
     * Stops accepting, waits up to {@code drain} for the requests in flight, then releases the socket
     * and the event loop.
     */
    public synchronized void close(Duration drain) {
        if (server != null) {
            try {
                server.disposeNow(drain);
            } catch (IllegalStateException e) {
                log.println(
                        "podnet daemon: requests still in flight after " + drain.toSeconds() + " s: " + e.getMessage());
            }
            server = null;
        }
        if (loops != null) {
            loops.disposeLater(Duration.ZERO, drain).block(drain.plusSeconds(1));
            loops = null;
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.println("podnet daemon: cannot remove " + socket + ": " + e);
        }
    }

    /** {@link #close(Duration)} with 10 seconds for the requests in flight. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /**
     * The socket's directory (0700 when made here), and no file in the way: a socket nobody listens
     * on is removed; a live one, or anything that is not a socket, is refused.
     */
    private void prepareSocketPath() throws IOException {
        Path dir = socket.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isRegularFile(socket) || Files.isDirectory(socket) || Files.isSymbolicLink(socket)) {
            throw new IOException(socket + " exists and is not a socket; not replacing it");
        }
        if (listening(socket)) {
            throw new IOException(socket + " is in use: another daemon serves on it");
        }
        Files.delete(socket);
    }

    /** True when something accepts connections on the unix socket at {@code path}. */
    private static boolean listening(Path path) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return ch.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            return false; // ECONNREFUSED: a stale socket
        }
    }

    /** On each new connection: a peer of another uid is disconnected before it can send anything. */
    private void admit(Connection c) {
        int uid = peerUid(c.channel());
        if (uid != allowedUid) {
            log.println("podnet daemon: refused a connection from " + (uid < 0 ? "a peer of unknown uid" : "uid " + uid)
                    + " (only uid " + allowedUid + " may call)");
            c.dispose();
        }
    }

    /** The peer's uid ({@code SO_PEERCRED}), or -1 when it cannot be read (not an epoll unix socket). */
    static int peerUid(Channel ch) {
        if (!(ch instanceof EpollDomainSocketChannel uds)) {
            return -1;
        }
        try {
            return uds.peerCredentials().uid();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The request's peer is the allowed uid (checked again per request: the connection check is the gate). */
    private boolean allowed(HttpServerRequest req) {
        AtomicBoolean ok = new AtomicBoolean();
        req.withConnection(c -> ok.set(peerUid(c.channel()) == allowedUid));
        return ok.get();
    }

    private Mono<Void> guarded(HttpServerRequest req, HttpServerResponse res, Supplier<Mono<Void>> handler) {
        if (!allowed(req)) {
            return send(res, 403, TEXT, "forbidden\n");
        }
        return handler.get();
    }

    /** {@code POST /v1/cni}: the invocation through {@link CniService}, measured. */
    private Mono<Void> cniRoute(HttpServerRequest req, HttpServerResponse res) {
        if (!allowed(req)) {
            return send(
                    res,
                    403,
                    JSON,
                    new CniError(CniError.OPERATION_FAILED, "only uid " + allowedUid + " may call")
                            .toJson(NetworkConfig.LATEST));
        }
        HttpHeaders headers = req.requestHeaders();
        return req.receive()
                .aggregate()
                .asByteArray()
                .defaultIfEmpty(EMPTY)
                .flatMap(body -> run(CniRequest.of(name -> headers.get(name), body)))
                .flatMap(reply -> send(res, reply.status(), JSON, reply.body()));
    }

    /**
     * Runs one request where it arrived, on the dataplane's loop: the service's own work is parsing and
     * checks (CPU, microseconds), and the dataplane moves its blocking work (the fsync of a network's
     * record) off the calling thread itself. A hop to another scheduler per request cost 0.3 to 0.6 ms
     * of wake-up latency on an idle daemon (STATUS p50 0.66 → 0.37 ms with 2 ms between calls, 0.99 →
     * 0.41 ms with 10 ms; measured 2026-12-02, docs/BENCHMARKS.md).
     */
    private Mono<Reply> run(CniRequest r) {
        DaemonMetrics.Op op = metrics.start(r.command());
        return cni.handle(r)
                .doOnSuccess(out -> op.done("success"))
                .doOnError(e -> op.done("error"))
                .doOnCancel(() -> op.done("cancelled"))
                .map(out -> new Reply(200, out))
                .onErrorResume(e -> Mono.just(errorReply(r, CniService.toCniError(e))));
    }

    private Reply errorReply(CniRequest r, CniError e) {
        if (e.code() >= CniError.OPERATION_FAILED) {
            String what = r.containerId() == null ? "" : " " + r.attachment();
            log.println("podnet daemon: " + r.command() + what + ": code " + e.code() + ": " + e.msg()
                    + (e.details() == null ? "" : " (" + e.details() + ")"));
        }
        return new Reply(httpStatus(e.code()), e.toJson(NetworkConfig.replyVersion(r.config())));
    }

    /** 400 for the caller's mistakes, 503 for "try again" and "not available", 500 for failed operations. */
    static int httpStatus(int code) {
        if (code == CniError.TRY_AGAIN_LATER || (code >= CniError.NOT_AVAILABLE && code < 100)) {
            return 503;
        }
        return code < CniError.OPERATION_FAILED ? 400 : 500;
    }

    /**
     * {@code POST /v1/command}: the command runs on a worker (model commands block on the dataplane),
     * its output captured and returned with its exit code.
     */
    private Mono<Void> commandRoute(HttpServerRequest req, HttpServerResponse res) {
        if (commands == null) {
            return send(res, 404, TEXT, "this daemon runs no commands\n");
        }
        return req.receive()
                .aggregate()
                .asString(StandardCharsets.UTF_8)
                .defaultIfEmpty("")
                .publishOn(Schedulers.boundedElastic())
                .map(this::runCommand)
                .flatMap(reply -> send(res, 200, JSON, reply));
    }

    private String runCommand(String body) {
        List<String> argv = new ArrayList<>();
        String callerNetns;
        try {
            JsonNode n = Json.mapper().readTree(body);
            if (!n.path("argv").isArray()) {
                return commandReply(2, "", "podnet daemon: a command needs \"argv\", an array of strings\n");
            }
            n.path("argv").forEach(a -> argv.add(a.asText()));
            callerNetns = n.path("hostNetns").isTextual() ? n.path("hostNetns").asText() : null;
        } catch (IOException e) {
            return commandReply(2, "", "podnet daemon: the command is not JSON: " + e.getMessage() + "\n");
        }
        if (!Objects.equals(callerNetns, hostNetns)) {
            return commandReply(
                    2,
                    "",
                    "podnet: the daemon on this state directory serves host namespace "
                            + (hostNetns == null ? "(its own)" : hostNetns) + ", not "
                            + (callerNetns == null ? "this process's own" : callerNetns)
                            + ": pass the same --host-netns\n");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            try {
                exit = commands.run(dp, List.copyOf(argv), o, e);
            } catch (RuntimeException x) { // the handler maps what it expects to exit codes itself
                e.println("podnet: " + x);
                exit = 1;
            }
        }
        return commandReply(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String commandReply(int exit, String stdout, String stderr) {
        Map<String, Object> o = Json.object();
        o.put("exit", exit);
        o.put("stdout", stdout);
        o.put("stderr", stderr);
        return Json.write(o);
    }

    private Mono<Void> readyz(HttpServerResponse res) {
        return ready.getAsBoolean() ? send(res, 200, TEXT, "ready\n") : send(res, 503, TEXT, "not ready\n");
    }

    private Mono<Void> metricsRoute(HttpServerResponse res) {
        return metrics.scrape()
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(text -> send(res, 200, DaemonMetrics.CONTENT_TYPE, text));
    }

    private static Mono<Void> send(HttpServerResponse res, int status, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return res.status(status)
                .header(HttpHeaderNames.CONTENT_TYPE, type)
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(bytes.length))
                .sendByteArray(Mono.just(bytes))
                .then();
    }

    /** An answer: the HTTP status and the body. */
    private record Reply(int status, String body) {}
}
