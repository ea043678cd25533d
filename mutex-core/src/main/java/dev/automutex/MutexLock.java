package dev.automutex;

import java.util.List;

/**
 * A held key (or set of keys), returned by {@link MutexOperations#lock(Object)} and
 * {@link MutexOperations#tryLock(Object)}. Use it in try-with-resources:
 * <pre class="code">
 * try (MutexLock lock = mutex.lock(order)) {
 *     // only one holder of "Order:42" at a time
 * }
 * </pre>
 * A lock is owned by the thread that acquired it; only that thread may release it (the Spring Integration
 * locks underneath are bound to their thread). Locks are re-entrant: each successful acquire returns its own
 * {@code MutexLock}, and the key is free once every one of them has been released.
 *
 * @since 0.1.0
 */
public interface MutexLock extends AutoCloseable {

	/**
	 * The keys this lock holds, as stored (after key conversion, before the store's prefix).
	 * @return an unmodifiable list with at least one key
	 */
	List<String> keys();

	/**
	 * Release the lock.
	 * @return {@code true} if this call released it; {@code false} if it had already been released, or was
	 * lost in the store (for example its {@code expire} time passed and another holder took the key)
	 * @throws IllegalStateException if called from a thread other than the one that acquired the lock
	 */
	boolean release();

	/**
	 * Release the lock, quietly: same as {@link #release()} with the result ignored, and never throwing. Called
	 * from a thread that does not own the lock, it logs a warning and leaves the lock held.
	 */
	@Override
	void close();

}
