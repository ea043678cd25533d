package dev.automutex.store;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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
	 * Remove what the store keeps for keys nobody holds (cached lock objects, keys abandoned by threads that
	 * ended), like redis-mutex's {@code sweep}. Never touches a held key.
	 * @return how many entries were removed
	 */
	default int sweep() {
		return 0;
	}

	/**
	 * Whether held keys expire in this store unless renewed.
	 * @return {@code false} by default: keys are held until released
	 */
	default boolean expires() {
		return false;
	}

	/**
	 * The time-to-live of keys acquired without an explicit {@code expire}, if known.
	 * @return the default time-to-live, or {@code null}
	 */
	default @Nullable Duration defaultExpire() {
		return null;
	}

	/**
	 * Extend the time-to-live of a key this process holds. Called from a renewal thread, not the holder's.
	 * @param key the key text
	 * @param ttl the new time-to-live
	 * @return {@code true} if renewed (or nothing needs renewing); {@code false} if the store no longer holds the
	 * key for this process
	 */
	default boolean renew(String key, Duration ttl) {
		return true;
	}

	/**
	 * How long the store keeps the key if it is never released.
	 * @param key the key text
	 * @return the time left, or {@code null} if the key is not held or the store has no expiry
	 */
	default @Nullable Duration leaseLeft(String key) {
		return null;
	}

	/**
	 * Wait until the key is free, without taking it. Returns at once if it is free now. This default asks
	 * {@link #isLocked(String)} every 10 ms at first, backing off to every 100 ms; stores that can be told of a
	 * release override it.
	 * @param key the key text
	 * @param timeout how long to wait at most
	 * @return {@code true} if the key was free or was released in time
	 * @throws InterruptedException if the calling thread was interrupted while waiting
	 */
	default boolean awaitRelease(String key, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		long pause = TimeUnit.MILLISECONDS.toNanos(10);
		while (isLocked(key)) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				return false;
			}
			LockSupport.parkNanos(Math.min(pause, remaining));
			if (Thread.interrupted()) {
				throw new InterruptedException("Interrupted while waiting for '" + key + "' to be released");
			}
			pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(100));
		}
		return true;
	}

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

		/**
		 * Whether the store still holds the key for this acquisition, asking the store where it can.
		 * @return {@code false} once the key is released, or lost (expired, taken over)
		 */
		default boolean isHeld() {
			return true;
		}

		/**
		 * A fencing token for this acquisition: greater than the token of every earlier acquisition of the key,
		 * in every instance sharing the store. Issued only while the store still holds the key for this
		 * acquisition, so a holder whose lease lapsed cannot get one larger than its successor's.
		 * @return the token, the same on every call for one acquisition
		 * @throws IllegalStateException if the key is no longer held for this acquisition
		 * @throws UnsupportedOperationException if the store issues no tokens
		 */
		default long fencingToken() {
			throw new UnsupportedOperationException("This store issues no fencing tokens");
		}

	}

}
