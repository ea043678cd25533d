package dev.automutex;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.Optional;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Interface specifying the locking operations of AutoMutex, implemented by {@link MutexTemplate}.
 * <p>
 * A key is any object: strings, numbers, booleans, enums and UUIDs stand for themselves; an object with an id
 * ({@code getId()} or a record component {@code id}) becomes {@code SimpleClassName:id}, as in redis-mutex
 * ({@code Room:123}); any other object uses its own {@code toString()}. See {@link DefaultMutexKeyConverter}.
 * <p>
 * {@code block} is how long a caller waits for a busy key ({@link Duration#ZERO}: do not wait); {@code expire}
 * is how long the store keeps a key whose holder never released it (a crashed process), where the store
 * supports expiry. Methods without these arguments use the template's defaults ({@code mutex.block} and
 * {@code mutex.expire} in Spring Boot).
 * <p>
 * A key that is busy gives {@link MutexLockException}; a store that fails (Redis unreachable, say) gives
 * {@link MutexException} with the store's exception as its cause. In both cases nothing is held.
 *
 * @since 0.1.0
 */
public interface MutexOperations {

	/**
	 * Wait up to the default block time for the key, run the action, release the key, and return the action's
	 * result. The key is released also when the action throws; its exception reaches the caller unchanged.
	 * @param key the key
	 * @param action what to run while holding the key
	 * @param <T> the result type
	 * @return what the action returned
	 * @throws MutexLockException if the key could not be had in time; the action has not run
	 */
	<T extends @Nullable Object> T withLock(Object key, Supplier<T> action);

	/**
	 * Like {@link #withLock(Object, Supplier)} with an explicit wait.
	 * @param key the key
	 * @param block how long to wait for the key; {@link Duration#ZERO} means do not wait
	 * @param action what to run while holding the key
	 * @param <T> the result type
	 * @return what the action returned
	 * @throws MutexLockException if the key could not be had in time; the action has not run
	 */
	<T extends @Nullable Object> T withLock(Object key, Duration block, Supplier<T> action);

	/**
	 * Wait up to the default block time for the key, run the action and release the key (also when the action
	 * throws; its exception reaches the caller unchanged).
	 * @param key the key
	 * @param action what to run while holding the key
	 * @throws MutexLockException if the key could not be had in time; the action has not run
	 */
	void withLock(Object key, Runnable action);

	/**
	 * Like {@link #withLock(Object, Runnable)} with an explicit wait.
	 * @param key the key
	 * @param block how long to wait for the key; {@link Duration#ZERO} means do not wait
	 * @param action what to run while holding the key
	 * @throws MutexLockException if the key could not be had in time; the action has not run
	 */
	void withLock(Object key, Duration block, Runnable action);

	/**
	 * Take the key if it is free now; never waits.
	 * @param key the key
	 * @return the held lock, or empty if someone else holds the key
	 */
	Optional<MutexLock> tryLock(Object key);

	/**
	 * Wait up to the default block time for the key.
	 * @param key the key
	 * @return the held lock; release it (try-with-resources)
	 * @throws MutexLockException if the key could not be had in time
	 */
	MutexLock lock(Object key);

	/**
	 * Wait up to {@code block} for the key.
	 * @param key the key
	 * @param block how long to wait; {@link Duration#ZERO} means do not wait
	 * @return the held lock; release it (try-with-resources)
	 * @throws MutexLockException if the key could not be had in time
	 */
	MutexLock lock(Object key, Duration block);

	/**
	 * Wait up to {@code block} for the key, and have the store keep it for at most {@code expire} if it is
	 * never released (for example when this process dies).
	 * @param key the key
	 * @param block how long to wait, or {@code null} for the default; {@link Duration#ZERO} means do not wait
	 * @param expire how long the store keeps an unreleased key, or {@code null} for the default; ignored by
	 * stores without expiry (the local store frees a key only on release)
	 * @return the held lock; release it (try-with-resources)
	 * @throws MutexLockException if the key could not be had in time
	 */
	MutexLock lock(Object key, @Nullable Duration block, @Nullable Duration expire);

	/**
	 * Like {@link #lock(Object, Duration, Duration)}, choosing whether the key is renewed while held (in stores
	 * with expiry).
	 * @param key the key
	 * @param block how long to wait, or {@code null} for the default
	 * @param expire how long the store keeps an unreleased key, or {@code null} for the default
	 * @param renew whether to renew the key while held, or {@code null} for the template's setting
	 * @return the held lock
	 * @throws MutexLockException if the key could not be had in time
	 */
	MutexLock lock(Object key, @Nullable Duration block, @Nullable Duration expire, @Nullable Boolean renew);

	/**
	 * Wait up to the default block time for every key, and hold them all, or none: on a time-out nothing stays
	 * held (Elixir Mutex's {@code await_all}). Keys are taken in a fixed order whatever the order given, so two
	 * callers asking for overlapping sets in opposite orders never deadlock.
	 * @param keys the keys; each once (two objects that convert to the same text count as one key twice)
	 * @return one lock holding every key; releasing it releases them all
	 * @throws MutexLockException if a key could not be had in time; none is held
	 * @throws IllegalArgumentException if {@code keys} is empty or has a key twice
	 */
	MutexLock lockAll(Collection<?> keys);

	/**
	 * Like {@link #lockAll(Collection)} with an explicit wait, which covers all the keys together.
	 * @param keys the keys; each once
	 * @param block how long to wait for all of them; {@link Duration#ZERO} means do not wait
	 * @return one lock holding every key
	 * @throws MutexLockException if a key could not be had in time; none is held
	 */
	MutexLock lockAll(Collection<?> keys, Duration block);

	/**
	 * Like {@link #lockAll(Collection, Duration)} with an explicit time-to-live.
	 * @param keys the keys; each once
	 * @param block how long to wait, or {@code null} for the default
	 * @param expire how long the store keeps unreleased keys, or {@code null} for the default
	 * @return one lock holding every key
	 * @throws MutexLockException if a key could not be had in time; none is held
	 */
	MutexLock lockAll(Collection<?> keys, @Nullable Duration block, @Nullable Duration expire);

	/**
	 * Like {@link #lockAll(Collection, Duration, Duration)}, choosing whether the keys are renewed while held.
	 * @param keys the keys; each once
	 * @param block how long to wait, or {@code null} for the default
	 * @param expire how long the store keeps unreleased keys, or {@code null} for the default
	 * @param renew whether to renew the keys while held, or {@code null} for the template's setting
	 * @return one lock holding every key
	 * @throws MutexLockException if a key could not be had in time; none is held
	 */
	MutexLock lockAll(Collection<?> keys, @Nullable Duration block, @Nullable Duration expire,
			@Nullable Boolean renew);

	/**
	 * Hold every key (see {@link #lockAll(Collection)}), run the action, release them all (Elixir Mutex's
	 * {@code with_lock_all}).
	 * @param keys the keys; each once
	 * @param action what to run while holding the keys
	 * @param <T> the result type
	 * @return what the action returned
	 * @throws MutexLockException if a key could not be had in time; the action has not run and no key is held
	 */
	<T extends @Nullable Object> T withLockAll(Collection<?> keys, Supplier<T> action);

	/**
	 * Like {@link #withLockAll(Collection, Supplier)} with an explicit wait.
	 * @param keys the keys; each once
	 * @param block how long to wait for all of them
	 * @param action what to run while holding the keys
	 * @param <T> the result type
	 * @return what the action returned
	 */
	<T extends @Nullable Object> T withLockAll(Collection<?> keys, Duration block, Supplier<T> action);

	/**
	 * Hold every key, run the action, release them all.
	 * @param keys the keys; each once
	 * @param action what to run while holding the keys
	 */
	void withLockAll(Collection<?> keys, Runnable action);

	/**
	 * Like {@link #withLockAll(Collection, Runnable)} with an explicit wait.
	 * @param keys the keys; each once
	 * @param block how long to wait for all of them
	 * @param action what to run while holding the keys
	 */
	void withLockAll(Collection<?> keys, Duration block, Runnable action);

	/**
	 * Hand work that needs the key to another thread (Elixir Mutex's {@code give_away}): a thread of
	 * {@code executor} takes the key without waiting, and this call returns as soon as it has; the worker holds
	 * the key while the work runs and releases it when the work ends. The caller learns at once whether the key
	 * was free: if not, this call throws and the work never runs. Locks belong to the thread that takes them,
	 * which is why the worker takes the key rather than the caller passing one over. If the executor does not
	 * start the task within 5 seconds (a saturated pool), this call gives up with {@link MutexLockException} and
	 * the work will not run.
	 * @param key the key
	 * @param executor where the work runs; this call waits (up to 5 seconds) for it to start the task
	 * @param action the work
	 * @param <T> the result type
	 * @return the work's result, completed after the key has been released
	 * @throws MutexLockException if the key is busy; the work has not run
	 */
	<T extends @Nullable Object> CompletableFuture<T> withLockAsync(Object key, Executor executor, Supplier<T> action);

	/**
	 * Like {@link #withLockAsync(Object, Executor, Supplier)}, with the worker waiting up to {@code block} for
	 * the key (and this call waiting for the worker's answer).
	 * @param key the key
	 * @param block how long the worker waits for the key
	 * @param executor where the work runs
	 * @param action the work
	 * @param <T> the result type
	 * @return the work's result, completed after the key has been released
	 * @throws MutexLockException if the key could not be had in time; the work has not run
	 */
	<T extends @Nullable Object> CompletableFuture<T> withLockAsync(Object key, Duration block, Executor executor,
			Supplier<T> action);

	/**
	 * Release every lock the calling thread holds through this instance, newest first (Elixir Mutex's
	 * {@code goodbye}): for clean-up at the end of a task or in an error handler. Locks of other threads are not
	 * touched; a released lock's own {@link MutexLock#release()} then returns {@code false}.
	 */
	void releaseAll();

	/**
	 * Wait until nobody holds the key, without taking it (Locker's {@code wait_for_release}); returns at once
	 * when the key is free. For "wait until that job has finished" rather than "do it myself": the key may be
	 * taken again by someone else the moment this returns.
	 * @param key the key
	 * @param timeout how long to wait at most
	 * @return {@code true} if the key was free or was released in time; {@code false} on time-out
	 * @throws MutexException if interrupted while waiting (the interrupt status is kept)
	 */
	boolean awaitRelease(Object key, Duration timeout);

	/**
	 * Who holds the key now: this instance or another, the holding thread and since when (when this instance
	 * holds it), and the lease left in stores with expiry.
	 * @param key the key
	 * @return the holder, or empty if nobody holds the key
	 */
	Optional<MutexHolder> holder(Object key);

	/**
	 * Remove what the store keeps for keys nobody holds, like redis-mutex's {@code sweep}: keys abandoned by
	 * threads that ended while holding them (local store), cached lock objects of keys not held here (Spring
	 * Integration registries). Never touches a held key.
	 * @return how many entries were removed
	 */
	int sweep();

	/**
	 * Whether anyone holds the key now: any thread of this process, and on a shared store such as Redis any
	 * instance. The answer may be stale as soon as it is returned; use it for display and monitoring, not to
	 * decide whether to lock.
	 * @param key the key
	 * @return {@code true} while the key is held
	 */
	boolean isLocked(Object key);

}
