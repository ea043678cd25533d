package dev.automutex;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The hand-over of {@link MutexOperations#withLockAsync}: a worker thread takes the keys
 * itself (locks belong to the thread that takes them), tells the caller whether it got
 * them, runs the work and releases the keys before it completes the result, so that
 * whoever continues from the result finds the keys free.
 */
final class Handover {

	private static final int PENDING = 0;

	private static final int STARTED = 1;

	private static final int ABANDONED = 2;

	private Handover() {
	}

	/**
	 * The request the worker makes: the keys already converted (so they are converted
	 * once), the caller's settings, and no wait unless the caller gave one.
	 * @param request the caller's request
	 * @param keys the caller's keys, converted to text
	 * @return the request for the worker thread
	 */
	static MutexRequest workerRequest(MutexRequest request, List<String> keys) {
		List<MutexKey> texts = keys.stream().map(MutexKey::new).toList();
		MutexRequest converted = (request.isAll() ? MutexRequest.ofAll(texts) : MutexRequest.of(texts.get(0)))
			.block((request.getBlock() != null) ? request.getBlock() : Duration.ZERO);
		if (request.getExpire() != null) {
			converted = converted.expire(request.getExpire());
		}
		Boolean renew = request.renewOrNull();
		if (renew != null) {
			converted = converted.renew(renew);
		}
		return converted;
	}

	/**
	 * Hand the work to the executor, and wait until the worker thread has taken the keys
	 * (or failed to).
	 * @param <T> the type of the work's result
	 * @param lock takes the keys on the worker thread
	 * @param keys the keys, for messages
	 * @param executor the executor that runs the work
	 * @param startTimeout how long the caller waits for the executor to start the work
	 * @param action the work, run while the keys are held
	 * @return the result of the work, completed once the keys are released
	 */
	static <T extends @Nullable Object> CompletableFuture<T> run(Supplier<MutexLock> lock, List<String> keys,
			Executor executor, Duration startTimeout, Supplier<T> action) {
		CompletableFuture<Void> acquired = new CompletableFuture<>();
		CompletableFuture<T> result = new CompletableFuture<>();
		// Whoever moves it first decides: the worker (STARTED) runs the work; the
		// caller (ABANDONED), once it stops waiting, makes a late worker skip it.
		AtomicInteger state = new AtomicInteger(PENDING);
		executor.execute(() -> {
			if (!state.compareAndSet(PENDING, STARTED)) {
				result.cancel(false);
				return;
			}
			MutexLock held;
			try {
				held = lock.get();
			}
			catch (Throwable ex) {
				acquired.completeExceptionally(ex);
				return;
			}
			acquired.complete(null);
			complete(result, held, action);
		});
		awaitStart(acquired, state, keys, startTimeout);
		return result;
	}

	private static <T extends @Nullable Object> void complete(CompletableFuture<T> result, MutexLock held,
			Supplier<T> action) {
		T value = null;
		Throwable failure = null;
		try {
			value = action.get();
		}
		catch (Throwable ex) {
			failure = ex;
		}
		boolean clean = held.release();
		if (failure == null && !clean && held.isLost()) {
			failure = new MutexLostException(held.keys(), "Mutex " + held.keys() + " was lost while the handed-over "
					+ "work ran (it expired or was taken over), so the work may have overlapped with another holder's");
		}
		if (failure != null) {
			result.completeExceptionally(failure);
		}
		else {
			result.complete(value);
		}
	}

	private static void awaitStart(CompletableFuture<Void> acquired, AtomicInteger state, List<String> keys,
			Duration startTimeout) {
		long start = System.nanoTime();
		String key = Acquirer.describe(keys);
		try {
			try {
				acquired.get(Durations.nanos(startTimeout), TimeUnit.NANOSECONDS);
			}
			catch (TimeoutException ex) {
				if (state.compareAndSet(PENDING, ABANDONED)) {
					Duration waited = Duration.ofNanos(System.nanoTime() - start);
					throw new MutexLockException(keys, waited,
							"Could not hand " + key + " to another thread: the "
									+ "executor did not start the work within " + Durations.text(startTimeout)
									+ "; the work will not run",
							ex);
				}
				// The worker started just now: its answer comes within the block time.
				acquired.get();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			boolean stopped = state.compareAndSet(PENDING, ABANDONED);
			throw new MutexException("Interrupted while handing " + key + " to another thread; the work "
					+ (stopped ? "will not run" : "may still run there"), ex);
		}
		catch (ExecutionException ex) {
			throw rethrow(ex.getCause(),
					(cause) -> new MutexException("Could not hand " + key + " to another thread", cause));
		}
	}

	private static RuntimeException rethrow(Throwable cause, Function<Throwable, RuntimeException> wrap) {
		if (cause instanceof RuntimeException runtime) {
			return runtime;
		}
		if (cause instanceof Error error) {
			throw error;
		}
		return wrap.apply(cause);
	}

}
