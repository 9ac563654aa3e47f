package dev.podnet.stress;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A small, strict parser for {@code --name value} and {@code --flag} options. */
public final class Args {
    private final Map<String, List<String>> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Args() {}

    /**
     * @param withValue options that take a value
     * @param flags     options that do not
     */
    public static Args parse(String command, String[] argv, int from, Set<String> withValue, Set<String> flags) {
        Args a = new Args();
        for (int i = from; i < argv.length; i++) {
            String s = argv[i];
            if (s.startsWith("-") && s.length() > 1) {
                String name = s;
                String value = null;
                int eq = s.indexOf('=');
                if (eq > 0) {
                    name = s.substring(0, eq);
                    value = s.substring(eq + 1);
                }
                if (withValue.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= argv.length) {
                            throw new UsageException(command + ": " + name + " needs a value");
                        }
                        value = argv[++i];
                    }
                    a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                } else if (flags.contains(name) && value == null) {
                    a.values.put(name, List.of("true"));
                } else {
                    throw new UsageException(command + ": unknown option " + s);
                }
            } else {
                a.positional.add(s);
            }
        }
        return a;
    }

    /** The option's value (the last one when it was given more than once), or {@code dflt}. */
    public String get(String name, String dflt) {
        List<String> v = values.get(name);
        return v == null ? dflt : v.get(v.size() - 1);
    }

    /** Every value the option was given, in order, comma-separated lists split. */
    public List<String> all(String name) {
        List<String> out = new ArrayList<>();
        for (String v : values.getOrDefault(name, List.of())) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
        }
        return out;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public int intValue(String command, String name, int dflt, int min, int max) {
        String v = get(name, null);
        if (v == null) {
            return dflt;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": " + name + " must be a whole number, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(command + ": " + name + " must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    public List<String> positional() {
        return positional;
    }
}
