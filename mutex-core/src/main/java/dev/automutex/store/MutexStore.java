package dev.automutex.store;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Strategy interface for where keys are held: the SPI under
 * {@link dev.automutex.MutexTemplate}. A base store takes and releases keys and says
 * whether a key is held; further abilities are separate interfaces that a store
 * implements or not, and the template uses only what a store implements:
 * <ul>
 * <li>{@link ExpiringMutexStore}: keys held with a time-to-live, freed by the store when
 * a holder dies;</li>
 * <li>{@link RenewableMutexStore}: such leases extended while held;</li>
 * <li>{@link FencingMutexStore}: a fencing token per acquisition;</li>
 * <li>{@link SweepableMutexStore}: idle or abandoned entries removed on request;</li>
 * <li>{@link AwaitableMutexStore}: a wait for a release without polling.</li>
 * </ul>
 * <p>
 * Implementations are thread-safe. The template calls a store only for the outermost hold
 * of a key by a thread (it counts re-entrant holds itself), and releases a {@link Held}
 * on the thread that acquired it. {@code mutex-test-support} has the contract tests every
 * store passes: extend them to check your own.
 *
 * @since 0.1.0
 * @see LocalMutexStore
 * @see LockRegistryMutexStore
 */
public interface MutexStore {

	/**
	 * Take the key for the calling thread, waiting up to {@code wait} while someone else
	 * holds it.
	 * @param key the key text, as converted by the template
	 * @param wait how long to wait; {@link Duration#ZERO} means do not wait
	 * @return the held key, or {@code null} if it could not be had in time
	 * @throws InterruptedException if the calling thread was interrupted while waiting
	 */
	@Nullable Held tryAcquire(String key, Duration wait) throws InterruptedException;

	/**
	 * Whether anyone holds the key now, in this process or (for shared stores) any other.
	 * Never takes the key in a way that another caller could observe as a release of
	 * someone else's hold.
	 * @param key the key text
	 * @return {@code true} while the key is held
	 */
	boolean isLocked(String key);

	/**
	 * One successful acquisition of a key: the handle through which it is released.
	 */
	interface Held {

		/**
		 * The key this acquisition holds.
		 * @return the key text
		 */
		String key();

		/**
		 * Release this acquisition. Called at most once, by the thread that acquired it.
		 * @return {@code true} if released; {@code false} if the store had lost the key
		 * first (it expired, or was removed from the store), in which case the store has
		 * logged a warning
		 * @throws RuntimeException if the store could not be reached, which says nothing
		 * about the key: the template logs it and reports no loss
		 */
		boolean release();

		/**
		 * Whether the store still holds the key for this acquisition, asking the store
		 * where keys can be lost. A store without leases answers {@code true} until the
		 * acquisition is released.
		 * @return {@code false} once the key is released, or lost (expired, taken over)
		 */
		boolean isHeld();

		/**
		 * Give this acquisition to another thread, which will release it: for a key kept
		 * past its holder's release (a minimum hold). The holder thread calls it, once,
		 * instead of releasing.
		 * @param newOwner the thread that will call {@link #release()}
		 * @return {@code true} if the other thread may now release it; {@code false} (the
		 * default) for stores whose locks stay bound to the thread that took them: the
		 * holder then releases it itself
		 */
		default boolean handOver(Thread newOwner) {
			return false;
		}

	}

}
