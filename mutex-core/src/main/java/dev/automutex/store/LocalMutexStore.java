package dev.automutex.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;

/**
 * {@link MutexStore} for one JVM, over a {@link LocalLockRegistry}: the default when no Redis is configured.
 * Needs no setup; keys are free as soon as they are released, and {@code expire} does not apply: a key is held
 * until its holder releases it, or its holder thread ends (see {@link LocalLockRegistry}).
 * <p>
 * Thread-safe.
 *
 * @since 0.1.0
 */
public class LocalMutexStore extends LockRegistryMutexStore {

	private final LocalLockRegistry registry;

	private final AtomicLong tokens = new AtomicLong();

	/**
	 * Create a store with a new, empty registry.
	 */
	public LocalMutexStore() {
		this(new LocalLockRegistry());
	}

	private LocalMutexStore(LocalLockRegistry registry) {
		super(registry, true);
		this.registry = registry;
	}

	@Override
	public LocalLockRegistry getRegistry() {
		return this.registry;
	}

	/**
	 * Local holds know their owner thread, and get a token from one counter for the whole store, taken while the
	 * key is held (so in the order of acquisition).
	 */
	@Override
	protected Held newHeld(String key, Lock lock) {
		Thread owner = Thread.currentThread();
		// Never below the clock in microseconds, so a restarted JVM issues tokens above those of the last run.
		long token = this.tokens.accumulateAndGet(System.currentTimeMillis() * 1000,
				(previous, now) -> Math.max(previous + 1, now));
		return new Held() {

			private volatile boolean released;

			@Override
			public boolean release() {
				this.released = true;
				return LocalMutexStore.this.release(key, lock);
			}

			@Override
			public boolean isHeld() {
				return !this.released && LocalMutexStore.this.registry.owner(key) == owner;
			}

			@Override
			public long fencingToken() {
				if (!isHeld()) {
					throw new IllegalStateException("Mutex '" + key + "' is no longer held by this acquisition");
				}
				return token;
			}

		};
	}

	@Override
	public boolean isLocked(String key) {
		return this.registry.isLocked(key);
	}

	/**
	 * Free keys abandoned by threads that ended while holding them.
	 */
	@Override
	public int sweep() {
		return this.registry.sweep();
	}

	/**
	 * Wait for the release itself: woken by the holder's release, not by polling.
	 */
	@Override
	public boolean awaitRelease(String key, Duration timeout) throws InterruptedException {
		return this.registry.awaitRelease(key, timeout);
	}

}
