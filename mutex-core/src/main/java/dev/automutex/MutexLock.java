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
 * <p>
 * A lock is owned by the thread that acquired it; only that thread may release it (the
 * Spring Integration locks underneath are bound to their thread). Locks are re-entrant:
 * each successful acquire returns its own {@code MutexLock}, and the key is free once
 * every one of them has been released.
 *
 * @since 0.1.0
 */
public interface MutexLock extends AutoCloseable {

	/**
	 * The keys this lock holds, as stored (after key conversion, before the store's
	 * prefix).
	 * @return an unmodifiable list with at least one key
	 */
	List<String> keys();

	/**
	 * Release the lock.
	 * @return {@code true} if this call released it; {@code false} if it had already been
	 * released, or was lost in the store (for example its {@code expire} time passed and
	 * another holder took the key)
	 * @throws IllegalStateException if called from a thread other than the one that
	 * acquired the lock
	 */
	boolean release();

	/**
	 * Whether the store still holds every key of this lock for its holder, asking the
	 * store (Redis: is the key still ours?). Use it before an irreversible step in long
	 * work.
	 * @return {@code false} once released, or once a key was lost (expired, taken over)
	 */
	boolean isHeld();

	/**
	 * Whether a key of this lock was found lost while held: by renewal, by
	 * {@link #isHeld()}, by a refused {@link #fencingToken()}, or by {@link #release()}.
	 * Unlike {@code release() == false}, never true for a lock that was merely released
	 * already (by {@link MutexOperations#releaseAll()}, say). Does not ask the store.
	 * @return {@code true} once a loss was found
	 */
	boolean isLost();

	/**
	 * The fencing token of this acquisition (single-key locks): a number greater than
	 * that of every earlier acquisition of the key, in every instance sharing the store.
	 * Pass it to the resource you protect and have it refuse writes with a token smaller
	 * than one it has seen: a holder whose lease lapsed then cannot overwrite its
	 * successor's work. The same on every call.
	 * @return the token
	 * @throws MutexLostException if the key is no longer held by this acquisition
	 * @throws IllegalStateException if this lock holds several keys (use
	 * {@link #fencingToken(String)})
	 * @throws UnsupportedOperationException if the store issues no tokens (an
	 * application's own registry)
	 */
	long fencingToken();

	/**
	 * The fencing token of one key of this lock.
	 * @param key one of {@link #keys()}
	 * @return the token
	 * @throws MutexLostException if the key is no longer held by this acquisition
	 */
	long fencingToken(String key);

	/**
	 * Run {@code callback} if a key of this lock is found lost while it is held (it
	 * expired during a pause, Redis restarted, someone removed it): by renewal,
	 * {@link #isHeld()} or a refused fencing token. Runs at most once per lock, on
	 * AutoMutex's notification thread (never on a renewal thread, so a slow callback
	 * delays no renewal); if the loss was already found, it runs at once on the calling
	 * thread. Use it to stop work whose exclusion is gone.
	 * @param callback what to run
	 * @return this lock
	 */
	MutexLock onLost(Runnable callback);

	/**
	 * Interrupt the thread that holds this lock if a key of it is lost (see
	 * {@link #onLost(Runnable)}), so that blocking work stops with an
	 * {@link InterruptedException}.
	 * @return this lock
	 */
	MutexLock interruptOnLoss();

	/**
	 * Release the lock, quietly: same as {@link #release()} with the result ignored, and
	 * never throwing. Called from a thread that does not own the lock, it logs a warning
	 * and leaves the lock held.
	 */
	@Override
	void close();

}
