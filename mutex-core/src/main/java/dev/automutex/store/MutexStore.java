package dev.automutex.store;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Strategy interface for where keys are held: the SPI under {@link dev.automutex.MutexTemplate}.
 * <p>
 * Implementations are thread-safe. A held key belongs to the thread that acquired it, and is re-entrant for
 * that thread: each acquire returns its own {@link Held}, and the key is free once each has been released.
 *
 * @since 0.1.0
 * @see LockRegistryMutexStore
 */
public interface MutexStore {

	/**
	 * Take the key for the calling thread, waiting up to {@code wait} while someone else holds it.
	 * @param key the key text, as converted by the template
	 * @param wait how long to wait; {@link Duration#ZERO} means do not wait
	 * @param expire how long the store keeps the key if it is never released, or {@code null} for the store's
	 * default; ignored by stores without expiry
	 * @return the held key, or {@code null} if it could not be had in time
	 * @throws InterruptedException if the calling thread was interrupted while waiting
	 */
	@Nullable Held tryAcquire(String key, Duration wait, @Nullable Duration expire) throws InterruptedException;

	/**
	 * Whether anyone holds the key now, in this process or (for shared stores) any other.
	 * @param key the key text
	 * @return {@code true} while the key is held
	 */
	boolean isLocked(String key);

	/**
	 * One successful acquisition of a key.
	 */
	interface Held {

		/**
		 * Release this acquisition. Called at most once, by the thread that acquired it.
		 * @return {@code true} if released; {@code false} if the store had lost the key first (it expired, or
		 * was removed from the store), in which case the store has logged a warning
		 */
		boolean release();

	}

}
