package dev.automutex;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Interface specifying the locking operations of AutoMutex, implemented by
 * {@link MutexTemplate}.
 * <p>
 * Everything is built on three methods over a {@link MutexRequest}
 * ({@link #lock(MutexRequest)}, {@link #tryLock(MutexRequest)},
 * {@link MutexHandover#withLockAsync(MutexRequest, Executor, Supplier)}); the overloads
 * are shortcuts for common requests. Inspection and maintenance ({@link #isLocked},
 * {@link #holder}, {@link #awaitRelease}, {@link #sweep}) come from
 * {@link MutexInspection}.
 * <p>
 * A key is any object: strings, numbers, booleans, enums and UUIDs stand for themselves;
 * an object with an id ({@code getId()} or a record component {@code id}) becomes
 * {@code SimpleClassName:id}, as in redis-mutex ({@code Room:123}); see
 * {@link DefaultMutexKeyConverter}. {@code block} is how long a caller waits for a busy
 * key ({@link Duration#ZERO}: do not wait); {@code expire} is how long a store with
 * leases keeps a key whose holder never released it (a crashed process). Requests without
 * them use the template's defaults ({@code mutex.block} and {@code mutex.expire} in
 * Spring Boot).
 * <p>
 * A key that is busy gives {@link MutexLockException}; a store that fails (Redis
 * unreachable, say) gives {@link MutexException} with the store's exception as its cause.
 * In both cases nothing is held. Locks are re-entrant: a thread that holds a key may lock
 * it again (nested holds never go back to the store, and keep the outermost hold's
 * {@code expire}, renewal and fencing token).
 *
 * @since 0.1.0
 */
public interface MutexOperations extends MutexInspection, MutexHandover {

	// ---------------------------------------------------------------- the request-based
	// core

	/**
	 * Take the request's keys, waiting up to its {@code block}.
	 * @param request what to lock and how
	 * @return the held lock; release it (try-with-resources)
	 * @throws MutexLockException if a key could not be had in time, or the calling thread
	 * is interrupted while it waits (its interrupt status is kept); nothing is held
	 * @throws MutexLostException if the calling thread already holds a key of the request
	 * and that hold was lost (a nested acquire never takes a lost key back)
	 * @throws IllegalArgumentException if a key cannot serve as a key, or
	 * {@link MutexRequest#ofAll} has a key twice
	 */
	MutexLock lock(MutexRequest request);

	/**
	 * Take the request's keys if they can be had within its {@code block} (without one:
	 * if they are free now).
	 * @param request what to lock and how
	 * @return the held lock, or empty if a key is busy
	 * @throws MutexLockException if the calling thread is interrupted while it waits, or
	 * was interrupted when it called (its interrupt status is kept, and nothing is held)
	 */
	Optional<MutexLock> tryLock(MutexRequest request);

	/**
	 * Hold the request's keys, run the action, release them, and return the action's
	 * result. The keys are released also when the action throws; its exception reaches
	 * the caller unchanged.
	 * @param request what to lock and how
	 * @param action what to run while holding the keys
	 * @param <T> the result type
	 * @return what the action returned
	 * @throws MutexLockException if a key could not be had in time; the action has not
	 * run
	 * @throws MutexLostException if a key was lost while the action ran (it expired or
	 * was taken over, so the action may have overlapped with another holder); the
	 * action's result is withheld
	 */
	default <T extends @Nullable Object> T withLock(MutexRequest request, Supplier<T> action) {
		Assert.notNull(action, "action must not be null");
		MutexLock lock = lock(request);
		T result;
		try {
			result = action.get();
		}
		catch (Throwable ex) {
			lock.close();
			throw ex;
		}
		if (!lock.release() && lock.isLost()) {
			throw new MutexLostException(lock.keys(), "Mutex " + lock.keys() + " was lost while the action ran (it "
					+ "expired or was taken over), so the action may have overlapped with another holder's work");
		}
		return result;
	}

	/**
	 * Like {@link #withLock(MutexRequest, Supplier)} for an action without a result.
	 * @param request what to lock and how
	 * @param action what to run while holding the keys
	 */
	default void withLock(MutexRequest request, Runnable action) {
		Assert.notNull(action, "action must not be null");
		withLock(request, () -> {
			action.run();
			return null;
		});
	}

	// ---------------------------------------------------------------- shortcuts

	/**
	 * Wait up to the default block time for the key, run the action, release the key (see
	 * {@link #withLock(MutexRequest, Supplier)}).
	 * @param key the key
	 * @param action what to run while holding the key
	 * @param <T> the result type
	 * @return what the action returned
	 */
	default <T extends @Nullable Object> T withLock(Object key, Supplier<T> action) {
		return withLock(MutexRequest.of(key), action);
	}

	/**
	 * Like {@link #withLock(Object, Supplier)} with an explicit wait.
	 * @param key the key
	 * @param block how long to wait for the key; {@link Duration#ZERO} means do not wait
	 * @param action what to run while holding the key
	 * @param <T> the result type
	 * @return what the action returned
	 */
	default <T extends @Nullable Object> T withLock(Object key, Duration block, Supplier<T> action) {
		return withLock(MutexRequest.of(key).block(block), action);
	}

	/**
	 * Wait up to the default block time for the key, run the action and release the key.
	 * @param key the key
	 * @param action what to run while holding the key
	 */
	default void withLock(Object key, Runnable action) {
		withLock(MutexRequest.of(key), action);
	}

	/**
	 * Like {@link #withLock(Object, Runnable)} with an explicit wait.
	 * @param key the key
	 * @param block how long to wait for the key; {@link Duration#ZERO} means do not wait
	 * @param action what to run while holding the key
	 */
	default void withLock(Object key, Duration block, Runnable action) {
		withLock(MutexRequest.of(key).block(block), action);
	}

	/**
	 * Take the key if it is free now; never waits.
	 * @param key the key
	 * @return the held lock, or empty if someone else holds the key
	 */
	default Optional<MutexLock> tryLock(Object key) {
		return tryLock(MutexRequest.of(key).block(Duration.ZERO));
	}

	/**
	 * Wait up to the default block time for the key.
	 * @param key the key
	 * @return the held lock; release it (try-with-resources)
	 * @throws MutexLockException if the key could not be had in time
	 */
	default MutexLock lock(Object key) {
		return lock(MutexRequest.of(key));
	}

	/**
	 * Wait up to {@code block} for the key.
	 * @param key the key
	 * @param block how long to wait; {@link Duration#ZERO} means do not wait
	 * @return the held lock; release it (try-with-resources)
	 * @throws MutexLockException if the key could not be had in time
	 */
	default MutexLock lock(Object key, Duration block) {
		return lock(MutexRequest.of(key).block(block));
	}

	/**
	 * Wait up to {@code block} for the key, and have a store with leases keep it for at
	 * most {@code expire} if it is never released (for example when this process dies).
	 * @param key the key
	 * @param block how long to wait, or {@code null} for the default;
	 * {@link Duration#ZERO} means do not wait
	 * @param expire how long the store keeps an unreleased key (at least 1 ms), or
	 * {@code null} for the default; ignored by stores without leases
	 * @return the held lock; release it (try-with-resources)
	 * @throws MutexLockException if the key could not be had in time
	 */
	default MutexLock lock(Object key, @Nullable Duration block, @Nullable Duration expire) {
		return lock(request(MutexRequest.of(key), block, expire));
	}

	/**
	 * Like {@link #lock(Object, Duration, Duration)}, choosing whether the key is renewed
	 * while held (in stores with leases).
	 * @param key the key
	 * @param block how long to wait, or {@code null} for the default
	 * @param expire how long the store keeps an unreleased key, or {@code null} for the
	 * default
	 * @param renew whether to renew the key while held
	 * @return the held lock
	 * @throws MutexLockException if the key could not be had in time
	 */
	default MutexLock lock(Object key, @Nullable Duration block, @Nullable Duration expire, boolean renew) {
		return lock(request(MutexRequest.of(key), block, expire).renew(renew));
	}

	/**
	 * Wait up to the default block time for every key, and hold them all, or none (see
	 * {@link MutexRequest#ofAll(Collection)}).
	 * @param keys the keys; each once (two objects that convert to the same text count as
	 * one key twice)
	 * @return one lock holding every key; releasing it releases them all
	 * @throws MutexLockException if a key could not be had in time; none is held
	 * @throws IllegalArgumentException if {@code keys} is empty or has a key twice
	 */
	default MutexLock lockAll(Collection<?> keys) {
		return lock(MutexRequest.ofAll(keys));
	}

	/**
	 * Like {@link #lockAll(Collection)} with an explicit wait, which covers all the keys
	 * together.
	 * @param keys the keys; each once
	 * @param block how long to wait for all of them; {@link Duration#ZERO} means do not
	 * wait
	 * @return one lock holding every key
	 */
	default MutexLock lockAll(Collection<?> keys, Duration block) {
		return lock(MutexRequest.ofAll(keys).block(block));
	}

	/**
	 * Like {@link #lockAll(Collection, Duration)} with an explicit time-to-live.
	 * @param keys the keys; each once
	 * @param block how long to wait, or {@code null} for the default
	 * @param expire how long the store keeps unreleased keys, or {@code null} for the
	 * default
	 * @return one lock holding every key
	 */
	default MutexLock lockAll(Collection<?> keys, @Nullable Duration block, @Nullable Duration expire) {
		return lock(request(MutexRequest.ofAll(keys), block, expire));
	}

	/**
	 * Like {@link #lockAll(Collection, Duration, Duration)}, choosing whether the keys
	 * are renewed while held.
	 * @param keys the keys; each once
	 * @param block how long to wait, or {@code null} for the default
	 * @param expire how long the store keeps unreleased keys, or {@code null} for the
	 * default
	 * @param renew whether to renew the keys while held
	 * @return one lock holding every key
	 */
	default MutexLock lockAll(Collection<?> keys, @Nullable Duration block, @Nullable Duration expire, boolean renew) {
		return lock(request(MutexRequest.ofAll(keys), block, expire).renew(renew));
	}

	/**
	 * Hold every key, run the action, release them all (Elixir Mutex's
	 * {@code with_lock_all}).
	 * @param keys the keys; each once
	 * @param action what to run while holding the keys
	 * @param <T> the result type
	 * @return what the action returned
	 */
	default <T extends @Nullable Object> T withLockAll(Collection<?> keys, Supplier<T> action) {
		return withLock(MutexRequest.ofAll(keys), action);
	}

	/**
	 * Like {@link #withLockAll(Collection, Supplier)} with an explicit wait.
	 * @param keys the keys; each once
	 * @param block how long to wait for all of them
	 * @param action what to run while holding the keys
	 * @param <T> the result type
	 * @return what the action returned
	 */
	default <T extends @Nullable Object> T withLockAll(Collection<?> keys, Duration block, Supplier<T> action) {
		return withLock(MutexRequest.ofAll(keys).block(block), action);
	}

	/**
	 * Hold every key, run the action, release them all.
	 * @param keys the keys; each once
	 * @param action what to run while holding the keys
	 */
	default void withLockAll(Collection<?> keys, Runnable action) {
		withLock(MutexRequest.ofAll(keys), action);
	}

	/**
	 * Like {@link #withLockAll(Collection, Runnable)} with an explicit wait.
	 * @param keys the keys; each once
	 * @param block how long to wait for all of them
	 * @param action what to run while holding the keys
	 */
	default void withLockAll(Collection<?> keys, Duration block, Runnable action) {
		withLock(MutexRequest.ofAll(keys).block(block), action);
	}

	/**
	 * Release every lock the calling thread holds through this instance, newest first
	 * (Elixir Mutex's {@code goodbye}): for clean-up at the end of a task or in an error
	 * handler. Locks of other threads are not touched; a released lock's own
	 * {@link MutexLock#release()} then returns {@code false}. A key released this way is
	 * not a lost key: an {@code @AutoMutex} method or {@code withLock} action that calls
	 * this returns normally.
	 */
	void releaseAll();

	private static MutexRequest request(MutexRequest request, @Nullable Duration block, @Nullable Duration expire) {
		MutexRequest result = (block != null) ? request.block(block) : request;
		return (expire != null) ? result.expire(expire) : result;
	}

}
