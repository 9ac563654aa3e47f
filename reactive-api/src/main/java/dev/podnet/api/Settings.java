package dev.podnet.api;

/**
 * The mutable settings behind an immutable spec or options value: the one place that lists them.
 * A change is made on a {@link #copy()}, so the value holding the original never sees it change.
 *
 * @param <S> the settings class itself
 */
abstract class Settings<S extends Settings<S>> implements Cloneable {
    /** A shallow copy: the settings hold immutable values and lists. */
    @SuppressWarnings("unchecked")
    final S copy() {
        try {
            return (S) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }
}
