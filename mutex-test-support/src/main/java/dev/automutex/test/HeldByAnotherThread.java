package dev.automutex.test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.automutex.MutexLock;
import dev.automutex.MutexOperations;

/**
 * A key held by a thread of its own until closed: the "someone else holds it" of a test
 * of the busy path (a holder on the test's own thread would be re-entered, not refused).
 *
 * <pre class="code">
 * try (HeldByAnotherThread held = HeldByAnotherThread.hold(mutex, "Room:42")) {
 *     assertThat(mutex.tryLock("Room:42")).isEmpty();
 * }
 * </pre>
 *
 * @since 0.1.0
 */
public final class HeldByAnotherThread implements AutoCloseable {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final Thread thread;

	private final CountDownLatch release = new CountDownLatch(1);

	private final CompletableFuture<Boolean> released = new CompletableFuture<>();

	private HeldByAnotherThread(MutexOperations mutex, Object key) {
		CompletableFuture<Void> held = new CompletableFuture<>();
		this.thread = new Thread(() -> {
			MutexLock lock;
			try {
				lock = mutex.lock(key, TIMEOUT);
			}
			catch (RuntimeException ex) {
				held.completeExceptionally(ex);
				return;
			}
			held.complete(null);
			try {
				this.release.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				this.released.complete(lock.release());
			}
		}, "held-by-another-thread");
		this.thread.setDaemon(true);
		this.thread.start();
		await(held, "Could not hold '" + key + "'");
	}

	/**
	 * Hold a key on a new thread, waiting up to 30 seconds for it.
	 * @param mutex the template (or other operations) to lock with
	 * @param key the key object or text
	 * @return the hold; close it to release the key
	 * @throws IllegalStateException if the key could not be held
	 */
	public static HeldByAnotherThread hold(MutexOperations mutex, Object key) {
		return new HeldByAnotherThread(mutex, key);
	}

	/**
	 * The name of the thread that holds the key.
	 * @return the thread's name
	 */
	public String threadName() {
		return this.thread.getName();
	}

	/**
	 * Release the key on its thread and wait for it.
	 * @throws IllegalStateException if the key was lost before the release, or the
	 * release did not finish in 30 seconds
	 */
	@Override
	public void close() {
		this.release.countDown();
		if (!await(this.released, "The release did not finish")) {
			throw new IllegalStateException("The key was lost before it was released");
		}
	}

	private static <T> T await(CompletableFuture<T> future, String failure) {
		try {
			return future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(failure + ": " + ex.getCause(), ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException(failure + " within " + TIMEOUT, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(failure + ": interrupted", ex);
		}
	}

}
