package dev.automutex;

/**
 * Strategy interface for turning a key object into the text a store locks on. Used by
 * {@link MutexTemplate} for every key and by {@code @AutoMutex} for every value of its
 * {@code on} expressions.
 * <p>
 * Implementations must be thread-safe and must give equal text for objects that should
 * exclude each other.
 *
 * @since 0.1.0
 * @see DefaultMutexKeyConverter
 */
@FunctionalInterface
public interface MutexKeyConverter {

	/**
	 * Convert a key object into its text.
	 * @param key the key object; never {@code null}
	 * @return the key text; never empty
	 * @throws IllegalArgumentException if the object cannot serve as a key
	 */
	String toKey(Object key);

}
