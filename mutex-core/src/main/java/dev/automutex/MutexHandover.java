package dev.automutex;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Interface specifying the hand-over of AutoMutex (Elixir Mutex's {@code give_away}):
 * work that needs a key runs on another thread, which takes the key itself, while the
 * caller learns at once whether the key was free. Part of {@link MutexOperations}.
 *
 * @since 0.1.0
 */
public interface MutexHandover {

	/**
	 * Hand work that needs the key to another thread (Elixir Mutex's {@code give_away}):
	 * a thread of {@code executor} takes the request's keys, waiting up to its
	 * {@code block} (without one: not at all), and this call returns as soon as it has;
	 * the worker holds the keys while the work runs and releases them when it ends. The
	 * caller learns at once whether the keys were free: if not, this call throws and the
	 * work never runs. Locks belong to the thread that takes them, which is why the
	 * worker takes the keys rather than the caller passing a lock over. If the executor
	 * does not start the task within the template's hand-over timeout (5 seconds unless
	 * set), this call gives up with {@link MutexLockException} and the work will not run.
	 * @param request what to lock and how
	 * @param executor where the work runs
	 * @param action the work
	 * @param <T> the result type
	 * @return the work's result, completed after the keys have been released; completed
	 * with {@link MutexLostException} if a key was lost while the work ran
	 * @throws MutexLockException if a key is busy; the work has not run
	 */
	<T extends @Nullable Object> CompletableFuture<T> withLockAsync(MutexRequest request, Executor executor,
			Supplier<T> action);

	/**
	 * Hand work to another thread that takes the key without waiting (see
	 * {@link #withLockAsync(MutexRequest, Executor, Supplier)}).
	 * @param key the key
	 * @param executor where the work runs
	 * @param action the work
	 * @param <T> the result type
	 * @return the work's result, completed after the key has been released
	 * @throws MutexLockException if the key is busy; the work has not run
	 */
	default <T extends @Nullable Object> CompletableFuture<T> withLockAsync(Object key, Executor executor,
			Supplier<T> action) {
		return withLockAsync(MutexRequest.of(key).block(Duration.ZERO), executor, action);
	}

	/**
	 * Like {@link #withLockAsync(Object, Executor, Supplier)}, with the worker waiting up
	 * to {@code block} for the key (and this call waiting for the worker's answer).
	 * @param key the key
	 * @param block how long the worker waits for the key
	 * @param executor where the work runs
	 * @param action the work
	 * @param <T> the result type
	 * @return the work's result, completed after the key has been released
	 * @throws MutexLockException if the key could not be had in time; the work has not
	 * run
	 */
	default <T extends @Nullable Object> CompletableFuture<T> withLockAsync(Object key, Duration block,
			Executor executor, Supplier<T> action) {
		return withLockAsync(MutexRequest.of(key).block(block), executor, action);
	}

}
