package dev.automutex.store;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A {@link MutexStore} that holds keys with a time-to-live (a lease), so that the key of
 * a holder that died (a crashed process) frees itself after {@code expire}. Redis and
 * database stores are of this kind; the local store is not.
 *
 * @since 0.1.0
 * @see RenewableMutexStore
 */
public interface ExpiringMutexStore extends MutexStore {

	/**
	 * Take the key with the given time-to-live, waiting up to {@code wait} while someone
	 * else holds it.
	 * @param key the key text
	 * @param wait how long to wait; {@link Duration#ZERO} means do not wait
	 * @param expire how long the store keeps the key if it is never released
	 * @return the held key, or {@code null} if it could not be had in time
	 * @throws InterruptedException if the calling thread was interrupted while waiting
	 */
	@Nullable Held tryAcquire(String key, Duration wait, Duration expire) throws InterruptedException;

	/**
	 * Take the key with the {@link #defaultExpire() default time-to-live}.
	 */
	@Override
	default @Nullable Held tryAcquire(String key, Duration wait) throws InterruptedException {
		return tryAcquire(key, wait, defaultExpire());
	}

	/**
	 * The time-to-live of keys acquired without an explicit one.
	 * @return the default time-to-live
	 */
	Duration defaultExpire();

	/**
	 * How long the store keeps the key if it is never released, whoever holds it.
	 * @param key the key text
	 * @return the time left, or {@code null} if the key is not held
	 */
	@Nullable Duration leaseLeft(String key);

}
