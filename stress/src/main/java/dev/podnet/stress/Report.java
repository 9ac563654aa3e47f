package dev.podnet.stress;

import dev.podnet.api.Json;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/** The harnesses' one-line JSON reports: built as ordered maps, written by the one JSON library. */
final class Report {
    private final Map<String, Object> fields = Json.object();

    /** Adds a field; {@code double}s go through {@link #round} first where the report wants fewer digits. */
    Report put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    /** {@code value} rounded half-up to {@code digits} decimals (as the reports always printed them). */
    static BigDecimal round(double value, int digits) {
        return Double.isFinite(value) ? BigDecimal.valueOf(value).setScale(digits, RoundingMode.HALF_UP) : BigDecimal.ZERO;
    }

    /** The report as one line of JSON. */
    String json() {
        return Json.write(fields);
    }
}
