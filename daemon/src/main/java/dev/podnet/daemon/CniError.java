package dev.podnet.daemon;

import dev.podnet.api.Json;
import java.util.Map;

/**
 * A CNI error result: the specification's code (1-99 well known, 100 and up podnet's own), a short
 * message and, optionally, longer details. The daemon answers a failed request with {@link #toJson}
 * in the request's CNI version; the shim prints it and exits non-zero, as a plugin binary would.
 */
public final class CniError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The plugin does not speak the configuration's CNI version. */
    public static final int INCOMPATIBLE_VERSION = 1;
    /** A configuration field podnet does not support (the message names key and value). */
    public static final int UNSUPPORTED_FIELD = 2;
    /** The container (attachment) is unknown. */
    public static final int UNKNOWN_CONTAINER = 3;
    /** A missing or malformed CNI_* variable (the message names it). */
    public static final int INVALID_ENV = 4;
    /** An I/O failure, e.g. reading the configuration. */
    public static final int IO_FAILURE = 5;
    /** The configuration is not JSON. */
    public static final int DECODE_FAILURE = 6;
    /** The configuration is invalid (the message names the field). */
    public static final int INVALID_CONFIG = 7;
    /** A transient condition: the runtime should retry later. */
    public static final int TRY_AGAIN_LATER = 11;
    /** STATUS: the plugin cannot serve ADD. */
    public static final int NOT_AVAILABLE = 50;
    /** podnet's own: an operation failed (and was undone); the message says which step and why. */
    public static final int OPERATION_FAILED = 100;

    private final int code;
    private final String details;

    public CniError(int code, String msg, String details) {
        // a reply, not a bug: no stack trace to fill in
        super(msg, null, false, false);
        this.code = code;
        this.details = details == null || details.isEmpty() ? null : details;
    }

    public CniError(int code, String msg) {
        this(code, msg, null);
    }

    /** The CNI error code. */
    public int code() {
        return code;
    }

    /** The short message. */
    public String msg() {
        return getMessage();
    }

    /** The longer description, or null. */
    public String details() {
        return details;
    }

    /** The error result as the specification writes it, in {@code cniVersion}. */
    public Map<String, Object> toMap(String cniVersion) {
        Map<String, Object> m = Json.object();
        m.put("cniVersion", cniVersion);
        m.put("code", code);
        m.put("msg", getMessage());
        if (details != null) {
            m.put("details", details);
        }
        return m;
    }

    /** {@link #toMap} as JSON. */
    public String toJson(String cniVersion) {
        return Json.write(toMap(cniVersion));
    }

    @Override
    public String toString() {
        return "CniError[code=" + code + ", msg=" + getMessage() + (details == null ? "" : ", details=" + details)
                + "]";
    }
}
