package dev.automutex.reliability;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;

/**
 * A key held by a thread of its own, so that what the battery checks on its own thread
 * ({@code MutexTemplate.locksOfCurrentThread()}, shared by every template of the JVM)
 * sees only the input's locks. Closing releases the key on that thread.
 */
final class BadInputHolder implements AutoCloseable {

	private final CountDownLatch release = new CountDownLatch(1);

	private final CompletableFuture<MutexLock> held = new CompletableFuture<>();

	private final CompletableFuture<Boolean> released = new CompletableFuture<>();

	private BadInputHolder(MutexTemplate mutex, String key) {
		Thread thread = new Thread(() -> {
			MutexLock lock;
			try {
				lock = mutex.lock(key, Duration.ZERO);
			}
			catch (RuntimeException ex) {
				this.held.completeExceptionally(ex);
				return;
			}
			this.held.complete(lock);
			try {
				this.release.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.released.complete(lock.release());
		}, "bad-input-holder");
		thread.setDaemon(true);
		thread.start();
	}

	/**
	 * Hold a key until closed.
	 * @param mutex the template that takes it
	 * @param key the key
	 * @return the holder, once the key is held
	 * @throws Exception if the key could not be taken
	 */
	static BadInputHolder hold(MutexTemplate mutex, String key) throws Exception {
		BadInputHolder holder = new BadInputHolder(mutex, key);
		holder.held.get(30, TimeUnit.SECONDS);
		return holder;
	}

	/**
	 * Whether the key is still held, asked of the store.
	 * @return whether held
	 */
	boolean isHeld() {
		return this.held.join().isHeld();
	}

	/**
	 * Release the key on the holder's thread.
	 * @return whether the release succeeded (the key was not lost)
	 */
	boolean release() {
		this.release.countDown();
		return this.released.join();
	}

	@Override
	public void close() {
		release();
	}

}
