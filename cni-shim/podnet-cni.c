/*
 * podnet-cni.c -- the `podnet` CNI plugin (CNI spec 1.1).
 *
 * Container runtimes exec a CNI plugin once per pod operation, so this binary
 * is deliberately a thin shim: it forwards the invocation (the CNI_*
 * environment plus the network configuration read from stdin) to the podnet
 * node daemon as ONE HTTP/1.1 request over a Unix socket, and relays the
 * daemon's answer to stdout.  All real work -- IPAM, netlink, state -- lives in
 * the long-running daemon.
 *
 * To keep an exec near a millisecond the shim uses libc only, no threads and
 * no heap: the large buffers are static, so only the pages actually touched
 * are ever mapped.  VERSION is answered locally; a DEL that cannot reach the
 * daemon is spooled to disk for replay, because runtimes never retry a DEL.
 *
 * Wire protocol, exit codes and spool format: see README.md.
 *
 * Build: gcc -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o podnet podnet-cni.c
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem, dprintf; the Makefile passes it too */
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CNI_VERSION "1.1.0"

/* CNI error codes the shim reports itself (CNI spec 1.1, "Error"). */
enum {
    CNI_ERR_ENV = 4,          /* invalid necessary environment variables */
    CNI_ERR_IO = 5,           /* I/O failure */
    CNI_ERR_DECODE = 6,       /* failed to decode content */
    CNI_ERR_NETCONF = 7,      /* invalid network config */
    CNI_ERR_TRY_LATER = 11,   /* try again later */
    CNI_ERR_UNAVAILABLE = 50, /* plugin not available (STATUS) */
};

#define CONFIG_MAX ((size_t)1 << 20)   /* stdin cap: 1 MiB */
#define RESPONSE_MAX ((size_t)4 << 20) /* daemon response cap: 4 MiB */

#define DEFAULT_SOCKET "/run/podnet/podnet.sock"
#define DEFAULT_STATE_DIR "/var/lib/podnet"
#define SPOOL_SUBDIR "cni-spool"
#define SPOOL_LIMIT 4096L

#define NS_PER_MS 1000000LL
#define CONNECT_BUDGET_NS (2000 * NS_PER_MS)
#define BACKOFF_FIRST_NS (50 * NS_PER_MS)
#define BACKOFF_MAX_NS (250 * NS_PER_MS)

#define SOCKET_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path))
#define STATE_DIR_MAX 4000 /* leaves room for "/cni-spool" below SPOOL_PATH_MAX */
#define SPOOL_PATH_MAX 4096
#define TEXT_MAX 1024 /* cap on an error's msg and on its details */

_Static_assert(STATE_DIR_MAX + sizeof "/" SPOOL_SUBDIR <= SPOOL_PATH_MAX,
               "spool directory path must fit");
_Static_assert(sizeof DEFAULT_STATE_DIR <= STATE_DIR_MAX, "default stateDir must fit");

#define MALFORMED_RESPONSE "podnet daemon sent a malformed response"

/* ------------------------------------------------------------------------ */
/* The CNI invocation                                                        */

enum {
    ENV_COMMAND,
    ENV_CONTAINERID,
    ENV_NETNS,
    ENV_IFNAME,
    ENV_ARGS,
    ENV_PATH,
    ENV_COUNT
};

/* The CNI variables forwarded to the daemon, one header each, in wire order. */
static const struct {
    const char *name;
    const char *header;
} cni_vars[ENV_COUNT] = {
    [ENV_COMMAND] = { "CNI_COMMAND", "X-CNI-Command: " },
    [ENV_CONTAINERID] = { "CNI_CONTAINERID", "X-CNI-ContainerId: " },
    [ENV_NETNS] = { "CNI_NETNS", "X-CNI-Netns: " },
    [ENV_IFNAME] = { "CNI_IFNAME", "X-CNI-IfName: " },
    [ENV_ARGS] = { "CNI_ARGS", "X-CNI-Args: " },
    [ENV_PATH] = { "CNI_PATH", "X-CNI-Path: " },
};

/* What to do when the daemon's socket is missing or not accepting. */
enum when_down {
    DOWN_RETRY,  /* the daemon may be restarting: retry briefly, then "try again later" */
    DOWN_REPORT, /* STATUS: "not available" is the answer, at once */
    DOWN_SPOOL,  /* DEL: runtimes never retry it, so queue it for replay */
};

struct command {
    const char *name;
    bool needs_ids;   /* CNI_CONTAINERID and CNI_IFNAME */
    bool needs_netns; /* CNI_NETNS */
    enum when_down when_down;
};

static const struct command commands[] = {
    { "ADD", true, true, DOWN_RETRY },
    { "DEL", true, false, DOWN_SPOOL },
    { "CHECK", true, true, DOWN_RETRY },
    { "GC", false, false, DOWN_RETRY },
    { "STATUS", false, false, DOWN_REPORT },
};

/* What the shim itself needs from the network configuration. */
struct netconf {
    char socket_path[SOCKET_PATH_MAX];
    char state_dir[STATE_DIR_MAX];
    bool has_socket;
    bool has_state_dir;
};

/* prefix, Content-Length, three pieces per variable, blank line, body */
#define REQUEST_IOV_MAX (2 + 3 * ENV_COUNT + 2)

/* The request as an iovec list, so neither the environment nor the body is copied. */
struct request {
    struct iovec iov[REQUEST_IOV_MAX];
    int iov_count;
    char content_length[48];
};

/* ------------------------------------------------------------------------ */
/* Plain I/O                                                                 */

/* Works on a copy, because finishing a partial write means editing the iovecs. */
static int writev_all(int fd, const struct iovec *iov_in, int count)
{
    struct iovec iov[REQUEST_IOV_MAX];
    struct iovec *cur = iov;

    if (count < 0 || count > REQUEST_IOV_MAX) {
        errno = EINVAL;
        return -1;
    }
    memcpy(iov, iov_in, (size_t)count * sizeof iov[0]);
    for (;;) {
        while (count > 0 && cur->iov_len == 0) {
            cur++;
            count--;
        }
        if (count == 0)
            return 0;
        ssize_t n = writev(fd, cur, count);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        size_t done = (size_t)n;
        while (count > 0 && done >= cur->iov_len) {
            done -= cur->iov_len;
            cur++;
            count--;
        }
        if (done > 0) {
            cur->iov_base = (char *)cur->iov_base + done;
            cur->iov_len -= done;
        }
    }
}

static int write_all(int fd, const char *buf, size_t len)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

    return writev_all(fd, &iov, 1);
}

enum read_result { READ_OK, READ_FAILED, READ_TOO_LARGE };

/*
 * Reads fd into buf, which must hold cap + 1 bytes (the spare byte is how an
 * oversized input is noticed without reading all of it): to EOF, or until
 * done (when given) says what was read is whole.  On READ_FAILED errno is
 * left as read() set it.
 */
static enum read_result read_until(int fd, char *buf, size_t cap, size_t *len,
                                   bool (*done)(const char *, size_t))
{
    size_t n = 0;

    for (;;) {
        ssize_t r = read(fd, buf + n, cap + 1 - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            *len = n;
            return READ_FAILED;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > cap) {
            *len = n;
            return READ_TOO_LARGE;
        }
        if (done != NULL && done(buf, n))
            break;
    }
    *len = n;
    return READ_OK;
}

/* Reads fd to EOF (see read_until). */
static enum read_result read_all(int fd, char *buf, size_t cap, size_t *len)
{
    return read_until(fd, buf, cap, len, NULL);
}

static int now_ns(clockid_t clk, long long *ns)
{
    struct timespec ts;

    if (clock_gettime(clk, &ts) < 0)
        return -1;
    *ns = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    return 0;
}

static void sleep_ns(long long ns)
{
    struct timespec ts = {
        .tv_sec = (time_t)(ns / 1000000000LL),
        .tv_nsec = (long)(ns % 1000000000LL),
    };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        continue;
}

/* ------------------------------------------------------------------------ */
/* CNI error output                                                          */

struct text {
    char *buf;
    size_t len;
    size_t cap;
};

/* Callers size the buffer for the worst case; the clamp only guards a sizing mistake. */
static void text_put(struct text *t, const char *s, size_t n)
{
    if (n > t->cap - t->len)
        n = t->cap - t->len;
    memcpy(t->buf + t->len, s, n);
    t->len += n;
}

#define TEXT_PUT_LITERAL(t, s) text_put((t), (s), sizeof(s) - 1)

static void text_put_json(struct text *t, const char *s)
{
    static const char hex[] = "0123456789abcdef";

    TEXT_PUT_LITERAL(t, "\"");
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[6] = { '\\', (char)c, 0, 0, 0, 0 };
        size_t n = 2;

        if (c == '\n') {
            esc[1] = 'n';
        } else if (c == '\r') {
            esc[1] = 'r';
        } else if (c == '\t') {
            esc[1] = 't';
        } else if (c < 0x20) {
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xf];
            n = 6;
        } else if (c != '"' && c != '\\') {
            esc[0] = (char)c;
            n = 1;
        }
        text_put(t, esc, n);
    }
    TEXT_PUT_LITERAL(t, "\"");
}

static void print_error(int code, const char *msg, const char *details)
{
    /* Worst case every byte of msg and details becomes a six-byte \u00XX. */
    char buf[128 + 6 * 2 * TEXT_MAX];
    struct text t = { buf, 0, sizeof buf };
    char head[64];
    int n = snprintf(head, sizeof head,
                     "{\"cniVersion\":\"" CNI_VERSION "\",\"code\":%d,\"msg\":", code);

    if (n < 0 || (size_t)n >= sizeof head)
        return;
    text_put(&t, head, (size_t)n);
    text_put_json(&t, msg);
    TEXT_PUT_LITERAL(&t, ",\"details\":");
    text_put_json(&t, details);
    TEXT_PUT_LITERAL(&t, "}\n");
    /* If stdout itself is broken there is nowhere left to report it. */
    (void)write_all(STDOUT_FILENO, buf, t.len);
}

static int fail(int code, const char *details, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Prints a CNI error to stdout and returns -1.  Only one error is ever
 * printed: every caller stops on the -1 and exits 1.
 */
static int fail(int code, const char *details, const char *fmt, ...)
{
    char msg[TEXT_MAX];
    char det[TEXT_MAX];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        msg[0] = '\0';
    if (snprintf(det, sizeof det, "%s", details != NULL ? details : "") < 0)
        det[0] = '\0';
    print_error(code, msg, det);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Network configuration: a scanner for the top-level object only           */

/*
 * The shim only needs two top-level strings, "socket" and "stateDir", so it
 * does not build a tree: it walks the top-level members and skips every other
 * value by tracking strings (with escapes) and bracket depth.  That way a
 * "socket" key nested in "ipam" or "prevResult" is never taken for the real
 * one.  Full validation is the daemon's job; this only rejects what would make
 * the walk itself meaningless.
 */
struct scanner {
    const char *buf;
    size_t len;
    size_t pos;
};

static void skip_space(struct scanner *s)
{
    while (s->pos < s->len) {
        char c = s->buf[s->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        s->pos++;
    }
}

static bool at(const struct scanner *s, char c)
{
    return s->pos < s->len && s->buf[s->pos] == c;
}

static int syntax_error(const struct scanner *s, const char *what)
{
    char details[128];

    if (snprintf(details, sizeof details, "%s at byte %zu", what, s->pos) < 0)
        details[0] = '\0';
    return fail(CNI_ERR_DECODE, details, "network configuration is not valid JSON");
}

/* Consumes the string at s->pos; *raw and *raw_len cover the bytes between the quotes. */
static int scan_string(struct scanner *s, const char **raw, size_t *raw_len)
{
    size_t i = s->pos + 1;

    while (i < s->len) {
        unsigned char c = (unsigned char)s->buf[i];
        if (c == '"') {
            *raw = s->buf + s->pos + 1;
            *raw_len = i - s->pos - 1;
            s->pos = i + 1;
            return 0;
        }
        if (c < 0x20) {
            s->pos = i;
            return syntax_error(s, "control character in a string");
        }
        /* An escaped character can never end the string, whatever it is. */
        i += (c == '\\') ? 2 : 1;
    }
    s->pos = s->len;
    return syntax_error(s, "unterminated string");
}

static int skip_string(struct scanner *s)
{
    const char *raw = NULL;
    size_t raw_len = 0;

    return scan_string(s, &raw, &raw_len);
}

static int skip_container(struct scanner *s)
{
    size_t depth = 0;

    while (s->pos < s->len) {
        char c = s->buf[s->pos];
        if (c == '"') {
            if (skip_string(s) < 0)
                return -1;
            continue;
        }
        s->pos++;
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return 0;
        }
    }
    return syntax_error(s, "unterminated object or array");
}

/* Structural characters end a scalar too, so a missing comma cannot hide the next key. */
static bool ends_scalar(char c)
{
    switch (c) {
    case ',':
    case ':':
    case '"':
    case '{':
    case '}':
    case '[':
    case ']':
    case ' ':
    case '\t':
    case '\n':
    case '\r':
        return true;
    default:
        return false;
    }
}

/* Numbers, true, false, null: skipped without checking their spelling. */
static int skip_scalar(struct scanner *s)
{
    size_t start = s->pos;

    while (s->pos < s->len && !ends_scalar(s->buf[s->pos]))
        s->pos++;
    if (s->pos == start)
        return syntax_error(s, "expected a value");
    return 0;
}

static int skip_value(struct scanner *s)
{
    if (s->pos >= s->len)
        return syntax_error(s, "unexpected end of input");
    if (at(s, '"'))
        return skip_string(s);
    if (at(s, '{') || at(s, '['))
        return skip_container(s);
    return skip_scalar(s);
}

/* Returns the decoded character, or '\0' for an escape the shim refuses. */
static char unescape(char c)
{
    switch (c) {
    case '"':
        return '"';
    case '\\':
        return '\\';
    case '/':
        return '/';
    case 'n':
        return '\n';
    case 't':
        return '\t';
    default:
        return '\0';
    }
}

/*
 * Decodes a path-valued string.  \uXXXX and the rarer escapes are refused
 * rather than half-supported: a path that needs them is almost certainly a
 * mistake, and guessing would send the shim to the wrong place.
 */
static int decode_path(const char *raw, size_t raw_len, char *out, size_t cap,
                       const char *field)
{
    size_t o = 0;

    for (size_t i = 0; i < raw_len; i++) {
        char c = raw[i];
        if (c == '\\') {
            /* scan_string guarantees a character follows every backslash. */
            c = unescape(raw[++i]);
            if (c == '\0')
                return fail(CNI_ERR_NETCONF, NULL, "%s: unsupported escape", field);
        }
        if (o + 1 >= cap) {
            char details[64];
            if (snprintf(details, sizeof details, "at most %zu bytes", cap - 1) < 0)
                details[0] = '\0';
            return fail(CNI_ERR_NETCONF, details, "%s: path too long", field);
        }
        out[o++] = c;
    }
    if (o == 0)
        return fail(CNI_ERR_NETCONF, NULL, "%s: must not be empty", field);
    out[o] = '\0';
    return 0;
}

static int read_path_member(struct scanner *s, const char *field, char *out, size_t cap,
                            bool *seen)
{
    const char *raw = NULL;
    size_t raw_len = 0;

    /* Parsers disagree on which duplicate wins; the shim and daemon must not. */
    if (*seen)
        return fail(CNI_ERR_NETCONF, NULL, "%s: duplicate key", field);
    if (!at(s, '"'))
        return fail(CNI_ERR_NETCONF, NULL, "%s: must be a string", field);
    if (scan_string(s, &raw, &raw_len) < 0 || decode_path(raw, raw_len, out, cap, field) < 0)
        return -1;
    *seen = true;
    return 0;
}

/* Keys are compared as raw bytes: an escaped spelling of "socket" is not recognised. */
static bool key_is(const char *key, size_t len, const char *want)
{
    return len == strlen(want) && memcmp(key, want, len) == 0;
}

static int parse_member(struct scanner *s, struct netconf *nc)
{
    const char *key = NULL;
    size_t key_len = 0;

    skip_space(s);
    if (!at(s, '"'))
        return syntax_error(s, "expected a member name");
    if (scan_string(s, &key, &key_len) < 0)
        return -1;
    skip_space(s);
    if (!at(s, ':'))
        return syntax_error(s, "expected ':'");
    s->pos++;
    skip_space(s);
    if (key_is(key, key_len, "socket"))
        return read_path_member(s, "socket", nc->socket_path, sizeof nc->socket_path,
                                &nc->has_socket);
    if (key_is(key, key_len, "stateDir"))
        return read_path_member(s, "stateDir", nc->state_dir, sizeof nc->state_dir,
                                &nc->has_state_dir);
    return skip_value(s);
}

static int expect_end(struct scanner *s)
{
    skip_space(s);
    if (s->pos != s->len)
        return syntax_error(s, "data after the top-level object");
    return 0;
}

static int parse_config(const char *buf, size_t len, struct netconf *nc)
{
    struct scanner s = { buf, len, 0 };

    skip_space(&s);
    if (!at(&s, '{'))
        return fail(CNI_ERR_DECODE, NULL, "network configuration is not a JSON object");
    s.pos++;
    skip_space(&s);
    if (at(&s, '}')) {
        s.pos++;
        return expect_end(&s);
    }
    for (;;) {
        if (parse_member(&s, nc) < 0)
            return -1;
        skip_space(&s);
        if (at(&s, '}')) {
            s.pos++;
            return expect_end(&s);
        }
        if (!at(&s, ','))
            return syntax_error(&s, "expected ',' or '}'");
        s.pos++;
    }
}

static const char *getenv_nonempty(const char *name)
{
    const char *v = getenv(name);

    return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* Precedence: the config's "socket", then $PODNET_SOCKET, then the default. */
static int apply_defaults(struct netconf *nc)
{
    if (!nc->has_socket) {
        const char *path = getenv_nonempty("PODNET_SOCKET");
        size_t len;

        if (path == NULL)
            path = DEFAULT_SOCKET;
        len = strlen(path);
        if (len >= sizeof nc->socket_path)
            return fail(CNI_ERR_ENV, NULL, "PODNET_SOCKET is too long (at most %zu bytes)",
                        sizeof nc->socket_path - 1);
        memcpy(nc->socket_path, path, len + 1);
    }
    if (!nc->has_state_dir)
        memcpy(nc->state_dir, DEFAULT_STATE_DIR, sizeof DEFAULT_STATE_DIR);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The request                                                               */

static int require(const char *const env[], int which)
{
    if (env[which] != NULL)
        return 0;
    return fail(CNI_ERR_ENV, NULL, "%s is not set", cni_vars[which].name);
}

static int check_env(const struct command *cmd, const char *const env[])
{
    if ((cmd->needs_ids && require(env, ENV_CONTAINERID) < 0) ||
        (cmd->needs_netns && require(env, ENV_NETNS) < 0) ||
        (cmd->needs_ids && require(env, ENV_IFNAME) < 0))
        return -1;
    /* A CR or LF would let a value inject headers; a NUL cannot occur in the environment. */
    for (int i = 0; i < ENV_COUNT; i++) {
        if (env[i] != NULL && strpbrk(env[i], "\r\n") != NULL)
            return fail(CNI_ERR_ENV, NULL, "%s contains a line break", cni_vars[i].name);
    }
    return 0;
}

static void add_iov(struct request *req, const void *base, size_t len)
{
    req->iov[req->iov_count].iov_base = (void *)base;
    req->iov[req->iov_count].iov_len = len;
    req->iov_count++;
}

/* The same bytes go to the socket or, for a spooled DEL, to the spool file. */
static int build_request(struct request *req, const char *const env[], const char *body,
                         size_t body_len)
{
    static const char prefix[] = "POST /v1/cni HTTP/1.1\r\n"
                                 "Host: podnet\r\n"
                                 "Connection: close\r\n"
                                 "Content-Type: application/json\r\n";
    int n = snprintf(req->content_length, sizeof req->content_length,
                     "Content-Length: %zu\r\n", body_len);

    if (n < 0 || (size_t)n >= sizeof req->content_length)
        return fail(CNI_ERR_IO, NULL, "cannot format the request");
    req->iov_count = 0;
    add_iov(req, prefix, sizeof prefix - 1);
    add_iov(req, req->content_length, (size_t)n);
    for (int i = 0; i < ENV_COUNT; i++) {
        if (env[i] == NULL)
            continue;
        add_iov(req, cni_vars[i].header, strlen(cni_vars[i].header));
        add_iov(req, env[i], strlen(env[i]));
        add_iov(req, "\r\n", 2);
    }
    add_iov(req, "\r\n", 2);
    if (body_len > 0)
        add_iov(req, body, body_len);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Connecting                                                                */

/* The errors that mean "nobody is listening (yet)", as opposed to a misconfiguration. */
static bool daemon_down(int err)
{
    return err == ENOENT || err == ECONNREFUSED || err == EAGAIN;
}

/* Returns a connected socket, or -errno. */
static int connect_once(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    size_t len = strlen(path);

    if (len >= sizeof addr.sun_path)
        return -ENAMETOOLONG;
    memcpy(addr.sun_path, path, len + 1);
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -errno;
        if (connect(fd, (struct sockaddr *)&addr,
                    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1)) == 0)
            return fd;
        int err = errno;
        (void)close(fd);
        /* A connect interrupted by a signal is in an unspecified state: start over. */
        if (err != EINTR)
            return -err;
    }
}

/*
 * With retry, a daemon that is down (e.g. restarting) gets about two seconds
 * to come back, polled with a short exponential backoff so a quick restart
 * costs little latency.  Returns a connected socket, or -errno of the last try.
 */
static int connect_daemon(const char *path, bool retry)
{
    long long start = 0, now = 0, delay = BACKOFF_FIRST_NS;
    int fd = connect_once(path);

    if (fd >= 0 || !retry || !daemon_down(-fd))
        return fd;
    if (now_ns(CLOCK_MONOTONIC, &start) < 0)
        return fd;
    for (;;) {
        if (now_ns(CLOCK_MONOTONIC, &now) < 0)
            return fd;
        long long left = start + CONNECT_BUDGET_NS - now;
        if (left <= 0)
            return fd;
        sleep_ns(delay < left ? delay : left);
        fd = connect_once(path);
        if (fd >= 0 || !daemon_down(-fd))
            return fd;
        delay = delay * 2 < BACKOFF_MAX_NS ? delay * 2 : BACKOFF_MAX_NS;
    }
}

/* ------------------------------------------------------------------------ */
/* The DEL spool                                                             */

/* Reports a DEL that could neither reach the daemon nor be spooled; uses errno. */
static int spool_error(const char *why, const char *op, const char *dir, const char *name)
{
    char details[SPOOL_PATH_MAX + 256];
    const char *reason = strerror(errno);

    if (snprintf(details, sizeof details, "%s %s%s%s: %s", op, dir, name[0] != '\0' ? "/" : "",
                 name, reason) < 0)
        details[0] = '\0';
    return fail(CNI_ERR_TRY_LATER, details,
                "podnet daemon is unavailable (%s) and the DEL could not be spooled", why);
}

/* Removes a half-written spool file, keeping errno for the report. */
static void discard(int dfd, const char *name)
{
    int err = errno;

    (void)unlinkat(dfd, name, 0);
    errno = err;
}

/* The bound keeps a daemon that stays down from letting DELs fill the disk. */
static int count_spooled(int dfd, long *count)
{
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    long n = 0;

    if (fd < 0)
        return -1;
    DIR *dir = fdopendir(fd);
    if (dir == NULL) {
        int err = errno;
        (void)close(fd);
        errno = err;
        return -1;
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(dir);
        if (e == NULL)
            break;
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".del") == 0)
            n++;
    }
    int err = errno;
    (void)closedir(dir);
    if (err != 0) {
        errno = err;
        return -1;
    }
    *count = n;
    return 0;
}

/*
 * Writes the request under a .tmp name and renames it into place, so the
 * daemon never sees a partial .del file; the fsyncs make the spooled DEL
 * survive a node crash, which is the whole point of spooling it.
 */
static int spool_write(int dfd, const char *dir, const struct request *req, const char *why)
{
    long long now = 0;
    char name[64];
    char tmp[64];

    if (now_ns(CLOCK_REALTIME, &now) < 0)
        return spool_error(why, "clock_gettime", "CLOCK_REALTIME", "");
    long pid = (long)getpid();
    int n1 = snprintf(name, sizeof name, "%lld-%ld.del", now, pid);
    int n2 = snprintf(tmp, sizeof tmp, "%lld-%ld.tmp", now, pid);
    if (n1 < 0 || (size_t)n1 >= sizeof name || n2 < 0 || (size_t)n2 >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return spool_error(why, "name", dir, "");
    }

    int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return spool_error(why, "create", dir, tmp);
    if (writev_all(fd, req->iov, req->iov_count) < 0 || fsync(fd) < 0) {
        int err = errno;
        (void)close(fd);
        errno = err;
        discard(dfd, tmp);
        return spool_error(why, "write", dir, tmp);
    }
    if (close(fd) < 0) {
        discard(dfd, tmp);
        return spool_error(why, "close", dir, tmp);
    }
    if (renameat(dfd, tmp, dfd, name) < 0) {
        discard(dfd, tmp);
        return spool_error(why, "rename", dir, tmp);
    }
    if (fsync(dfd) < 0)
        return spool_error(why, "fsync", dir, "");
    /* stdout stays empty (a successful DEL prints nothing); runtimes log stderr. */
    (void)dprintf(STDERR_FILENO, "podnet: %s; DEL spooled as %s/%s\n", why, dir, name);
    return 0;
}

static int spool_del(const struct netconf *nc, const struct request *req, const char *why)
{
    char dir[SPOOL_PATH_MAX];
    int n = snprintf(dir, sizeof dir, "%s/" SPOOL_SUBDIR, nc->state_dir);

    if (n < 0 || (size_t)n >= sizeof dir) {
        errno = ENAMETOOLONG;
        return spool_error(why, "mkdir", nc->state_dir, SPOOL_SUBDIR);
    }
    /*
     * Only the spool directory itself is created: a missing stateDir means
     * podnet is not installed (or misconfigured) on this node, and creating
     * it would hide that and spool into a place no daemon ever reads.
     */
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return spool_error(why, "mkdir", dir, "");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return spool_error(why, "open", dir, "");

    long count = 0;
    int rc;
    if (count_spooled(dfd, &count) < 0)
        rc = spool_error(why, "read", dir, "");
    else if (count >= SPOOL_LIMIT)
        rc = fail(CNI_ERR_TRY_LATER, why, "podnet DEL spool is full (%ld requests)", count);
    else
        rc = spool_write(dfd, dir, req, why);
    (void)close(dfd);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The response                                                              */

struct framing {
    bool has_length;
    bool chunked;
    size_t length;
};

struct http_response {
    int status;
    const char *body;
    size_t body_len;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool equals_ci(const char *s, size_t len, const char *want)
{
    return len == strlen(want) && strncasecmp(s, want, len) == 0;
}

/* "HTTP/1.x NNN[ reason]"; returns NULL or what is wrong. */
static const char *parse_status_line(const char *line, size_t len, int *status)
{
    if (len < 12 || memcmp(line, "HTTP/1.", 7) != 0 || !is_digit(line[7]) || line[8] != ' ' ||
        !is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) ||
        (len > 12 && line[12] != ' '))
        return "bad status line";
    *status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    if (*status < 100)
        return "bad status code";
    return NULL;
}

static const char *parse_content_length(const char *v, size_t len, struct framing *f)
{
    size_t n = 0;

    if (len == 0)
        return "bad Content-Length";
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(v[i]))
            return "bad Content-Length";
        if (n > RESPONSE_MAX)
            return "Content-Length too large";
        n = n * 10 + (size_t)(v[i] - '0');
    }
    if (f->has_length && f->length != n)
        return "conflicting Content-Length headers";
    f->has_length = true;
    f->length = n;
    return NULL;
}

/* Only the headers that frame the body matter; the rest are ignored. */
static const char *parse_header(const char *line, size_t len, struct framing *f)
{
    const char *colon = memchr(line, ':', len);

    if (colon == NULL || colon == line)
        return "bad header line";
    size_t name_len = (size_t)(colon - line);
    const char *v = colon + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t v_len = (size_t)(end - v);

    if (equals_ci(line, name_len, "Content-Length"))
        return parse_content_length(v, v_len, f);
    if (equals_ci(line, name_len, "Transfer-Encoding")) {
        if (equals_ci(v, v_len, "chunked")) {
            f->chunked = true;
            return NULL;
        }
        return equals_ci(v, v_len, "identity") ? NULL : "unsupported Transfer-Encoding";
    }
    return NULL;
}

/*
 * Decodes a chunked body in place: an HTTP server (the JDK's, for one) picks
 * chunking when the handler does not announce a length.  Trailers are ignored.
 */
static const char *dechunk(char *body, size_t len, size_t *out_len)
{
    size_t in = 0;
    size_t out = 0;

    for (;;) {
        size_t size = 0;
        size_t digits = 0;
        int h = 0;

        while (in < len && (h = hex_value(body[in])) >= 0) {
            if (size > RESPONSE_MAX)
                return "chunk too large";
            size = size * 16 + (size_t)h;
            in++;
            digits++;
        }
        if (digits == 0)
            return "bad chunk size";
        /* Searching for the line end also skips any chunk extension. */
        const char *eol = memmem(body + in, len - in, "\r\n", 2);
        if (eol == NULL)
            return "truncated chunk header";
        in = (size_t)(eol - body) + 2;
        if (size == 0) {
            *out_len = out;
            return NULL;
        }
        if (size > len - in || len - in - size < 2 || body[in + size] != '\r' ||
            body[in + size + 1] != '\n')
            return "truncated chunk";
        memmove(body + out, body + in, size);
        out += size;
        in += size + 2;
    }
}

static const char *frame_body(char *body, size_t avail, bool at_eof, const struct framing *f,
                              size_t *body_len)
{
    if (f->chunked && f->has_length)
        return "both Content-Length and Transfer-Encoding";
    if (f->chunked)
        return dechunk(body, avail, body_len);
    if (f->has_length) {
        if (f->length > avail)
            return "body shorter than its Content-Length";
        *body_len = f->length;
        return NULL;
    }
    /* Without framing only a clean EOF tells us the body is complete. */
    if (!at_eof)
        return "connection failed before the end of the body";
    *body_len = avail;
    return NULL;
}

/* Returns NULL, or what is malformed about the response. */
static const char *parse_response(char *buf, size_t len, bool at_eof, struct http_response *r)
{
    char *head_end = memmem(buf, len, "\r\n\r\n", 4);

    if (head_end == NULL)
        return "incomplete response head";
    /* Every line of the head, the status line included, ends in CRLF. */
    const char *end = head_end + 2;
    const char *eol = memmem(buf, (size_t)(end - buf), "\r\n", 2);
    if (eol == NULL)
        return "bad status line";
    const char *why = parse_status_line(buf, (size_t)(eol - buf), &r->status);
    if (why != NULL)
        return why;

    struct framing f = { .has_length = false };
    const char *p = eol + 2;
    while (p < end) {
        eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (eol == NULL)
            return "bad header line";
        why = parse_header(p, (size_t)(eol - p), &f);
        if (why != NULL)
            return why;
        p = eol + 2;
    }

    char *body = head_end + 4;
    r->body = body;
    return frame_body(body, len - (size_t)(body - buf), at_eof, &f, &r->body_len);
}

/* Returns the exit status: the daemon's body is relayed either way, 2xx means success. */
static int relay_response(char *buf, size_t len, bool at_eof)
{
    struct http_response r = { .status = 0 };
    const char *why = parse_response(buf, len, at_eof, &r);

    if (why != NULL) {
        fail(CNI_ERR_IO, why, MALFORMED_RESPONSE);
        return 1;
    }
    bool ok = r.status >= 200 && r.status <= 299;
    if (!ok && r.body_len == 0) {
        /* The runtime needs some error JSON; an empty failure would be silent. */
        char details[64];
        if (snprintf(details, sizeof details, "HTTP status %d without an error body",
                     r.status) < 0)
            details[0] = '\0';
        fail(CNI_ERR_IO, details, MALFORMED_RESPONSE);
        return 1;
    }
    if (write_all(STDOUT_FILENO, r.body, r.body_len) < 0)
        return 1;
    return ok ? 0 : 1;
}

/* ------------------------------------------------------------------------ */
/* One invocation                                                            */

/* Returns the exit status. */
static int daemon_unreachable(const struct command *cmd, const struct netconf *nc,
                              const struct request *req, int err)
{
    char why[SOCKET_PATH_MAX + 128];

    if (snprintf(why, sizeof why, "connect %s: %s", nc->socket_path, strerror(err)) < 0)
        why[0] = '\0';
    if (!daemon_down(err)) {
        fail(CNI_ERR_TRY_LATER, NULL, "cannot connect to podnet daemon (%s)", why);
        return 1;
    }
    switch (cmd->when_down) {
    case DOWN_REPORT:
        fail(CNI_ERR_UNAVAILABLE, why, "podnet daemon is not running at %s", nc->socket_path);
        return 1;
    case DOWN_SPOOL:
        return spool_del(nc, req, why) < 0 ? 1 : 0;
    case DOWN_RETRY:
        break;
    }
    fail(CNI_ERR_TRY_LATER, "retried for 2 seconds", "podnet daemon is not running (%s)", why);
    return 1;
}

/*
 * The daemon went away after accepting the connection, before answering.
 * A DEL is spooled all the same: DEL is idempotent, so replaying one the
 * daemon may already have carried out is harmless, while dropping it leaks
 * the pod's resources.  Returns the exit status.
 */
static int connection_lost(const struct command *cmd, const struct netconf *nc,
                           const struct request *req, const char *stage, int err)
{
    char why[SOCKET_PATH_MAX + 128];

    if (snprintf(why, sizeof why, "%s %s: %s", stage, nc->socket_path,
                 err != 0 ? strerror(err) : "connection closed without a response") < 0)
        why[0] = '\0';
    if (cmd->when_down == DOWN_SPOOL)
        return spool_del(nc, req, why) < 0 ? 1 : 0;
    fail(CNI_ERR_IO, why, "podnet daemon did not answer");
    return 1;
}

/*
 * Whether buf holds a whole response framed by Content-Length (the daemon's
 * kind).  Reads only: a chunked body (dechunked in place) is left to EOF.
 */
static bool complete_by_length(const char *buf, size_t len)
{
    const char *head_end = memmem(buf, len, "\r\n\r\n", 4);

    if (head_end == NULL)
        return false;
    const char *end = head_end + 2;
    const char *p = memmem(buf, (size_t)(end - buf), "\r\n", 2);
    if (p == NULL)
        return false;
    p += 2; /* past the status line */
    struct framing f = { .has_length = false };
    while (p < end) {
        const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (eol == NULL || parse_header(p, (size_t)(eol - p), &f) != NULL)
            return false; /* malformed: read on, parse_response will say what */
        p = eol + 2;
    }
    size_t avail = len - (size_t)(head_end + 4 - buf);
    return f.has_length && !f.chunked && f.length <= avail;
}

/*
 * Reads the daemon's answer: until it is complete by its Content-Length, or
 * to EOF for one without framing.  Waiting for EOF after a complete answer
 * would add the daemon's close to every call (measured up to 1.8 ms).
 */
static enum read_result read_response(int fd, char *buf, size_t cap, size_t *len)
{
    return read_until(fd, buf, cap, len, complete_by_length);
}

/* Sends the request, reads the answer, relays it; closes fd.  Returns the exit status. */
static int exchange(int fd, const struct command *cmd, const struct netconf *nc,
                    const struct request *req)
{
    static char response[RESPONSE_MAX + 1];
    size_t len = 0;

    if (writev_all(fd, req->iov, req->iov_count) < 0) {
        int err = errno;
        (void)close(fd);
        return connection_lost(cmd, nc, req, "sending request to", err);
    }
    enum read_result rr = read_response(fd, response, RESPONSE_MAX, &len);
    int err = errno;
    (void)close(fd);
    if (rr == READ_TOO_LARGE) {
        fail(CNI_ERR_IO, "response larger than 4 MiB", MALFORMED_RESPONSE);
        return 1;
    }
    if (len == 0)
        return connection_lost(cmd, nc, req, "reading response from",
                               rr == READ_FAILED ? err : 0);
    /*
     * A read error after data arrived (a Unix socket reports ECONNRESET when
     * the daemon closes without draining the request) may still leave a
     * complete, length-framed answer; parsing decides.
     */
    return relay_response(response, len, rr == READ_OK);
}

/* Returns the exit status. */
static int run(const struct command *cmd, const char *const env[], const char *config,
               size_t config_len)
{
    struct netconf nc = { .has_socket = false };
    struct request req;

    if (check_env(cmd, env) < 0 || parse_config(config, config_len, &nc) < 0 ||
        apply_defaults(&nc) < 0 || build_request(&req, env, config, config_len) < 0)
        return 1;
    int fd = connect_daemon(nc.socket_path, cmd->when_down == DOWN_RETRY);
    if (fd < 0)
        return daemon_unreachable(cmd, &nc, &req, -fd);
    return exchange(fd, cmd, &nc, &req);
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

static int print_version(void)
{
    static const char version[] =
        "{\"cniVersion\":\"" CNI_VERSION "\","
        "\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n";

    return write_all(STDOUT_FILENO, version, sizeof version - 1) < 0 ? 1 : 0;
}

/* A daemon that hangs up mid-request must yield an error, not kill the shim. */
static int ignore_sigpipe(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    if (sigemptyset(&sa.sa_mask) < 0 || sigaction(SIGPIPE, &sa, NULL) < 0)
        return fail(CNI_ERR_IO, strerror(errno), "cannot ignore SIGPIPE");
    return 0;
}

int main(void)
{
    /* Static, not on the stack: only the pages the input actually uses get mapped. */
    static char config[CONFIG_MAX + 1];
    size_t config_len = 0;
    const char *env[ENV_COUNT];

    if (ignore_sigpipe() < 0)
        return 1;
    switch (read_all(STDIN_FILENO, config, CONFIG_MAX, &config_len)) {
    case READ_OK:
        break;
    case READ_TOO_LARGE:
        fail(CNI_ERR_DECODE, NULL, "network configuration larger than 1 MiB");
        return 1;
    case READ_FAILED:
        fail(CNI_ERR_IO, strerror(errno), "cannot read the network configuration from stdin");
        return 1;
    }

    for (int i = 0; i < ENV_COUNT; i++)
        env[i] = getenv_nonempty(cni_vars[i].name);
    if (env[ENV_COMMAND] == NULL) {
        fail(CNI_ERR_ENV, NULL, "CNI_COMMAND is not set");
        return 1;
    }
    if (strcmp(env[ENV_COMMAND], "VERSION") == 0)
        return print_version();
    const struct command *cmd = find_command(env[ENV_COMMAND]);
    if (cmd == NULL) {
        fail(CNI_ERR_ENV, NULL, "unknown CNI_COMMAND %s", env[ENV_COMMAND]);
        return 1;
    }
    return run(cmd, env, config, config_len);
}
