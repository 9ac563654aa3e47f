package dev.podnet.daemon;

import dev.podnet.dataplane.ipam.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of a configuration that {@code Json.read} made (maps, lists, strings, longs, booleans),
 * each naming the field by its path ({@code ipam.ranges[0][1].gateway}) when it is of the wrong type,
 * so that every error a runtime sees says which field to fix. Errors are {@link CniError}s with code 7.
 * JSON null counts as absent, as Go's decoder treats it.
 */
final class JsonFields {
    private JsonFields() {}

    static Map<?, ?> object(Object v, String path) {
        if (v instanceof Map<?, ?> m) {
            return m;
        }
        throw invalid(path, "must be an object, got " + describe(v));
    }

    /** {@code o[key]} as an object, or null when absent. */
    static Map<?, ?> optObject(Map<?, ?> o, String key, String path) {
        Object v = o.get(key);
        return v == null ? null : object(v, path);
    }

    static List<?> list(Object v, String path) {
        if (v instanceof List<?> l) {
            return l;
        }
        throw invalid(path, "must be a list, got " + describe(v));
    }

    /** {@code o[key]} as a list, or null when absent. */
    static List<?> optList(Map<?, ?> o, String key, String path) {
        Object v = o.get(key);
        return v == null ? null : list(v, path);
    }

    static String string(Object v, String path) {
        if (v instanceof String s) {
            return s;
        }
        throw invalid(path, "must be a string, got " + describe(v));
    }

    /** {@code o[key]} as a string, or null when absent or empty. */
    static String optString(Map<?, ?> o, String key, String path) {
        Object v = o.get(key);
        if (v == null) {
            return null;
        }
        String s = string(v, path);
        return s.isEmpty() ? null : s;
    }

    /** {@code o[key]} as a non-empty string; absent is an error naming it. */
    static String requiredString(Map<?, ?> o, String key, String path) {
        String s = optString(o, key, path);
        if (s == null) {
            throw invalid(path, "is required");
        }
        return s;
    }

    /** {@code o[key]} as a list of strings; absent is the empty list. */
    static List<String> strings(Map<?, ?> o, String key, String path) {
        List<?> l = optList(o, key, path);
        List<String> out = new ArrayList<>();
        if (l != null) {
            for (int i = 0; i < l.size(); i++) {
                out.add(string(l.get(i), path + "[" + i + "]"));
            }
        }
        return out;
    }

    /** {@code o[key]} as a boolean, {@code dflt} when absent. */
    static boolean bool(Map<?, ?> o, String key, String path, boolean dflt) {
        Object v = o.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw invalid(path, "must be true or false, got " + describe(v));
    }

    /** {@code o[key]} as an int, {@code dflt} when absent. */
    static int integer(Map<?, ?> o, String key, String path, int dflt) {
        Object v = o.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
            return l.intValue();
        }
        throw invalid(path, "must be a whole number, got " + describe(v));
    }

    /** {@code text} as a CIDR; the error names the field. */
    static Cidr cidr(String text, String path) {
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid(path, "'" + text + "' is not a CIDR (" + e.getMessage() + ")");
        }
    }

    /** {@code text} as a literal IP address (never a name lookup); the error names the field. */
    static InetAddress address(String text, String path) {
        try {
            return Cidr.parseAddress(text, path);
        } catch (IllegalArgumentException e) {
            // Cidr's message starts with the field's path already
            throw new CniError(CniError.INVALID_CONFIG, e.getMessage());
        }
    }

    /** A code 7 error: {@code path: problem}. */
    static CniError invalid(String path, String problem) {
        return new CniError(CniError.INVALID_CONFIG, path + ": " + problem);
    }

    /** A value as an error message shows it: its JSON type and, for scalars, the value. */
    static String describe(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> "the string '" + s + "'";
            case Map<?, ?> m -> "an object";
            case List<?> l -> "a list";
            default -> v.toString();
        };
    }
}
