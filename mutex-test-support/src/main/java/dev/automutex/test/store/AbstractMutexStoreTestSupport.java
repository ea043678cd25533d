package dev.automutex.test.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.MutexLostException;
import dev.automutex.MutexTemplate;
import dev.automutex.store.MutexStore;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * Base class of the store contract tests: a new store and a {@link MutexTemplate} over it
 * for every test, a thread pool for other callers, and helpers to hold a key on another
 * thread. Losses the template reports are collected in {@link #reportedLosses}.
 *
 * @since 0.1.0
 */
@Timeout(60)
public abstract class AbstractMutexStoreTestSupport {

	/**
	 * The template's default time-to-live in stores with leases.
	 */
	protected static final Duration EXPIRE = Duration.ofSeconds(30);

	/**
	 * The template under test, over {@link #createStore()}.
	 */
	protected MutexTemplate mutex;

	/**
	 * The losses the template reported to its loss listener.
	 */
	protected final List<MutexLostException> reportedLosses = new CopyOnWriteArrayList<>();

	/**
	 * Other callers.
	 */
	protected final ExecutorService executor = Executors.newCachedThreadPool();

	private MutexStore store;

	/**
	 * A new store for one test; keys from earlier tests must not be held in it.
	 * @return the store
	 * @throws Exception if it cannot be created
	 */
	protected abstract MutexStore createStore() throws Exception;

	/**
	 * Release what the store holds (threads, connections).
	 * @param store the store of the test that ended
	 * @throws Exception if it cannot be released
	 */
	protected void destroyStore(MutexStore store) throws Exception {
		if (store instanceof org.springframework.beans.factory.DisposableBean disposable) {
			disposable.destroy();
		}
	}

	/**
	 * The store of the running test.
	 * @return the store
	 */
	protected MutexStore store() {
		return this.store;
	}

	@BeforeEach
	void createTemplate() throws Exception {
		this.store = createStore();
		this.mutex = new MutexTemplate(this.store);
		this.mutex.setDefaultExpire(EXPIRE);
		this.mutex.setLossListener(this.reportedLosses::add);
	}

	@AfterEach
	void shutdown() throws Exception {
		this.executor.shutdownNow();
		this.mutex.destroy();
		destroyStore(this.store);
	}

	/**
	 * Whether a thread is parked waiting for a key, rather than running or talking to a
	 * store server.
	 * @param thread the thread, or {@code null}
	 * @return {@code true} if the thread is parked, and not in a Redis client call
	 */
	protected static boolean isWaitingForKey(@Nullable Thread thread) {
		if (thread == null || thread.getState() != Thread.State.TIMED_WAITING) {
			return false;
		}
		for (StackTraceElement frame : thread.getStackTrace()) {
			if (frame.getClassName().startsWith("io.lettuce")) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Hold a key on another thread (another caller) until closed.
	 * @param key the key to hold
	 * @return the hold, which releases the key when closed
	 * @throws InterruptedException if interrupted while waiting for the key to be held
	 */
	protected HeldElsewhere holdOnOtherThread(String key) throws InterruptedException {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(1);
		AtomicReference<String> thread = new AtomicReference<>();
		Future<?> holder = this.executor.submit(() -> this.mutex.withLock(key, () -> {
			thread.set(Thread.currentThread().getName());
			held.countDown();
			awaitLatch(done);
		}));
		held.await();
		return new HeldElsewhere(thread.get(), done, holder);
	}

	protected <T> T onOtherThread(java.util.concurrent.Callable<T> action) throws Exception {
		return this.executor.submit(action).get(30, TimeUnit.SECONDS);
	}

	protected static void awaitLatch(CountDownLatch latch) {
		try {
			if (!latch.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("latch timed out");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@SuppressWarnings("NullAway")
	protected static Object nullKey() {
		return null;
	}

	/**
	 * A key held by another thread; closing lets it release the key, and waits for that.
	 *
	 * @param thread the name of the thread that holds the key
	 * @param done counted down to let the thread release the key
	 * @param holder the holding thread's task, done once the key is released
	 */
	protected record HeldElsewhere(String thread, CountDownLatch done, Future<?> holder) implements AutoCloseable {

		@Override
		public void close() throws Exception {
			this.done.countDown();
			this.holder.get(10, TimeUnit.SECONDS);
		}

	}

}
