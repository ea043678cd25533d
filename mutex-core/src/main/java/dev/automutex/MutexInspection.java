package dev.automutex;

import java.time.Duration;
import java.util.Optional;

/**
 * Interface specifying the inspection and maintenance side of AutoMutex: whether a key is
 * held and by whom, waiting for its release, and sweeping what the store keeps for keys
 * nobody holds. Part of {@link MutexOperations}, apart from locking; answers are
 * snapshots for display and monitoring, never a reason to skip locking.
 *
 * @since 0.1.0
 */
public interface MutexInspection {

	/**
	 * Whether anyone holds the key now: any thread of this process, and on a shared store
	 * such as Redis any instance. The answer may be stale as soon as it is returned; use
	 * it for display and monitoring, not to decide whether to lock.
	 * @param key the key
	 * @return {@code true} while the key is held
	 */
	boolean isLocked(Object key);

	/**
	 * Wait until nobody holds the key, without taking it (Locker's
	 * {@code wait_for_release}); returns at once when the key is free. For "wait until
	 * that job has finished" rather than "do it myself": the key may be taken again by
	 * someone else the moment this returns.
	 * @param key the key
	 * @param timeout how long to wait at most ({@code ChronoUnit.FOREVER.getDuration()}:
	 * without limit)
	 * @return {@code true} if the key was free or was released in time; {@code false} on
	 * time-out
	 * @throws MutexException if interrupted while waiting (the interrupt status is kept)
	 */
	boolean awaitRelease(Object key, Duration timeout);

	/**
	 * Who holds the key now: this instance or another, the holding thread and since when
	 * (when this instance holds it), and the lease left in stores with leases.
	 * @param key the key
	 * @return the holder, or empty if nobody holds the key
	 */
	Optional<MutexHolder> holder(Object key);

	/**
	 * Remove what the store keeps for keys nobody holds, like redis-mutex's
	 * {@code sweep}: keys abandoned by threads that ended while holding them, cached lock
	 * objects of keys not held here (Spring Integration registries). Never touches a held
	 * key.
	 * @return how many entries were removed
	 */
	int sweep();

}
