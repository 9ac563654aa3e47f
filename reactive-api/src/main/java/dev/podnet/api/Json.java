package dev.podnet.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * podnet's one way to JSON (CNI results, the command line's output, the configurations it reads):
 * Jackson, with one shared mapper. Objects are maps whose keys keep the order they were put in;
 * whole numbers read back as {@code Long}.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .build();

    private Json() {}

    /** An object whose keys keep the order they were put in. */
    public static Map<String, Object> object() {
        return new LinkedHashMap<>();
    }

    /** {@code value} (maps, lists, strings, numbers, booleans, null, records) as compact JSON. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * JSON text as maps (key order kept), lists, strings, {@code Long}s, {@code Double}s, booleans and null.
     *
     * @throws IllegalArgumentException saying where the text is not JSON
     */
    public static Object read(String text) {
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "not JSON: " + e.getOriginalMessage() + " (line "
                            + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")",
                    e);
        }
    }

    /** The shared mapper, for reading into types. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
