package dev.podnet.stress;

import dev.podnet.api.Json;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The harnesses' one report writer: what a churn mode found, as text lines (printed as they come, so
 * a long run shows its progress), then, with {@code --json}, the same as one last line of JSON (an
 * ordered map written by the one JSON library) that the scripts and tests parse. Text goes out
 * whether or not {@code --json} was given, except the {@link #detail} lines; the JSON line only from
 * {@link #end}.
 */
final class Report {
    private final Map<String, Object> fields = Json.object();
    private final PrintStream out;
    private final boolean json;

    Report(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /** A text line, {@code format} (without its line end) formatted in {@link Locale#ROOT}. */
    Report line(String format, Object... args) {
        out.printf(Locale.ROOT, format + "%n", args);
        return this;
    }

    /** A text line as it is. */
    Report text(String line) {
        out.println(line);
        return this;
    }

    /** A text line only without {@code --json}, as {@link #line}: a detail the JSON report leaves out. */
    Report detail(String format, Object... args) {
        return json ? this : line(format, args);
    }

    /** The problems, one {@code "  ! "} line each. */
    Report problems(List<String> problems) {
        for (String p : problems) {
            out.println("  ! " + p);
        }
        return this;
    }

    /** Adds a field to the JSON line; {@code double}s go through {@link #round} first where the report wants fewer digits. */
    Report put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    /** {@code value} rounded half-up to {@code digits} decimals (as the reports always printed them). */
    static BigDecimal round(double value, int digits) {
        return Double.isFinite(value)
                ? BigDecimal.valueOf(value).setScale(digits, RoundingMode.HALF_UP)
                : BigDecimal.ZERO;
    }

    /** Ends the report: with {@code --json}, the fields as one line of JSON. */
    void end() {
        if (json) {
            out.println(Json.write(fields));
        }
    }
}
