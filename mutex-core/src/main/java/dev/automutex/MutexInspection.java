package dev.automutex;

import java.time.Duration;
import java.util.List;
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

	/**
	 * Free a key whoever holds it: an operator's way out of a stuck key (the Actuator
	 * endpoint's {@code DELETE /actuator/mutex/{key}}). The first waiter may take it at
	 * once. The holder is not stopped, so its work may overlap the next holder's; it is
	 * told that it lost the key as any holder is (loss callbacks, the loss listener,
	 * {@code MutexLostEvent}, {@code isHeld()} false): at once when this instance holds
	 * it, at its next renewal or check when another instance does.
	 * @param key the key
	 * @return {@code true} if the key was held and is now free; {@code false} if nobody
	 * held it
	 * @throws UnsupportedOperationException if the store cannot free a key it does not
	 * hold (see {@link dev.automutex.store.ForceReleasableMutexStore})
	 */
	default boolean forceRelease(Object key) {
		throw new UnsupportedOperationException(getClass().getName() + " cannot force-release a key");
	}

	/**
	 * The keys held now, sorted by key, up to {@code limit}: in a shared store that can
	 * list them (Redis), those held by every instance; otherwise those held through this
	 * instance. A snapshot for display and monitoring.
	 * @param limit how many keys to return at most, at least 1
	 * @return one entry per held key
	 */
	default List<MutexHolder> holders(int limit) {
		throw new UnsupportedOperationException(getClass().getName() + " cannot list held keys");
	}

}
