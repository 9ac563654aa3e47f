package dev.podnet.netlink.route;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One family of a class's {@code public static final int} constants by value, read once from the
 * class's fields: the kernel's spelling of a number, without a second, hand-kept list of the same
 * names that falls behind when a constant is added.
 */
final class ConstantNames {
    private final Map<Integer, String> byValue;

    private ConstantNames(Map<Integer, String> byValue) {
        this.byValue = Map.copyOf(byValue);
    }

    /**
     * The constants of {@code holder} whose names start with {@code prefix} and with none of
     * {@code except} (other families that share the prefix).
     *
     * @throws IllegalStateException when two of them have one value: the family is not one
     */
    static ConstantNames of(Class<?> holder, String prefix, String... except) {
        Map<Integer, String> byValue = new HashMap<>();
        for (Field f : holder.getFields()) {
            String name = f.getName();
            boolean constant = f.getType() == int.class && Modifier.isStatic(f.getModifiers());
            if (!constant || !name.startsWith(prefix) || Arrays.stream(except).anyMatch(name::startsWith)) {
                continue;
            }
            int value;
            try {
                value = f.getInt(null);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            String other = byValue.putIfAbsent(value, name);
            if (other != null) {
                throw new IllegalStateException(holder.getSimpleName() + ": " + other + " and " + name + " are both "
                        + value + "; not one family");
            }
        }
        return new ConstantNames(byValue);
    }

    /** The constant's name, or null when none of the family has this value. */
    String name(int value) {
        return byValue.get(value);
    }
}
