package dev.automutex.store;

import java.time.Duration;

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

}
