package dev.automutex.store;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * An {@link ExpiringMutexStore} whose leases can be extended while held: the template
 * renews held keys every third of their time-to-live, so that work longer than
 * {@code expire} keeps its key.
 *
 * @since 0.1.0
 */
public interface RenewableMutexStore extends ExpiringMutexStore {

	/**
	 * Extend the time-to-live of one acquisition, only if the store still holds the key
	 * for it. Called from a renewal thread, not the holder's, and never for a released
	 * acquisition.
	 * @param held an acquisition made by this store
	 * @param ttl the new time-to-live
	 * @return {@code true} if renewed; {@code false} if the store no longer holds the key
	 * for this acquisition
	 * @throws RuntimeException if the store could not be reached (the template tries
	 * again until the lease is over)
	 */
	boolean renew(Held held, Duration ttl);

	/**
	 * Take the key for a holder whose lease the template renews every third of its
	 * time-to-live. A store may then give the holder a lease whose time-to-live started
	 * before this call returned (one released by another thread of this process, passed
	 * on without a round trip); {@link #leaseStart(Held, long)} tells when. By default,
	 * the same as {@link #tryAcquire(String, Duration, Duration)}.
	 * @param key the key
	 * @param wait how long to wait; {@link Duration#ZERO} means do not wait
	 * @param expire the time-to-live
	 * @return the acquisition, or {@code null} if the key stayed busy
	 * @throws InterruptedException if interrupted while waiting
	 * @since 0.1.0
	 */
	default @Nullable Held tryAcquireRenewed(String key, Duration wait, Duration expire) throws InterruptedException {
		return tryAcquire(key, wait, expire);
	}

	/**
	 * When the time-to-live of an acquisition started, at the latest.
	 * @param held an acquisition made by this store
	 * @param returnedAt {@link System#nanoTime()} when the acquisition returned (or
	 * before the request went out, for one that did not wait)
	 * @return a {@link System#nanoTime()} no later than the start of the key's
	 * time-to-live in the store; by default {@code returnedAt}
	 * @since 0.1.0
	 */
	default long leaseStart(Held held, long returnedAt) {
		return returnedAt;
	}

}
