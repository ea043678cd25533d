package dev.automutex.store;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * {@link MutexStore} for one JVM, over a {@link LocalLockRegistry}: the default when no
 * Redis is configured. Needs no setup; keys are free as soon as they are released, and
 * there is no {@code expire}: a key is held until its holder releases it, or its holder
 * thread ends (see {@link LocalLockRegistry}).
 * <p>
 * Fencing tokens count per key, starting above the clock in microseconds when a key is
 * first used, so they grow with every acquisition of a key in this JVM. Thread-safe.
 *
 * @since 0.1.0
 */
public class LocalMutexStore
		implements FencingMutexStore, SweepableMutexStore, AwaitableMutexStore, ForceReleasableMutexStore {

	private final LocalLockRegistry registry;

	/**
	 * Create a store with a new, empty registry.
	 */
	public LocalMutexStore() {
		this(new LocalLockRegistry());
	}

	/**
	 * Create a store over a registry, which may be shared with code that locks on it
	 * directly.
	 * @param registry the registry
	 */
	public LocalMutexStore(LocalLockRegistry registry) {
		Assert.notNull(registry, "LocalLockRegistry must not be null");
		this.registry = registry;
	}

	/**
	 * The registry this store locks in.
	 * @return the registry
	 */
	public LocalLockRegistry getRegistry() {
		return this.registry;
	}

	@Override
	public @Nullable Held tryAcquire(String key, Duration wait) throws InterruptedException {
		long nanos = wait.isZero() ? 0 : LocalLockRegistry.saturatedNanos(wait);
		KeyEntry entry = this.registry.acquire(key, (nanos == Long.MAX_VALUE) ? LocalLockRegistry.FOREVER : nanos,
				true);
		return (entry != null) ? new LocalHeld(this.registry, key, entry, Thread.currentThread(), entry.nextToken())
				: null;
	}

	@Override
	public boolean isLocked(String key) {
		return this.registry.isLocked(key);
	}

	@Override
	public long fencingToken(Held held) {
		Assert.isInstanceOf(LocalHeld.class, held, "Not an acquisition of this store");
		LocalHeld local = (LocalHeld) held;
		if (!local.isHeld()) {
			throw new IllegalStateException("Mutex '" + local.key + "' is no longer held by this acquisition");
		}
		return local.token;
	}

	/**
	 * Free keys abandoned by threads that ended while holding them, and drop idle
	 * entries.
	 */
	@Override
	public int sweep() {
		return this.registry.sweep();
	}

	/**
	 * Free the key whoever holds it; the holder's {@link Held#isHeld()} answers
	 * {@code false} from then on, and its release returns {@code false}.
	 */
	@Override
	public boolean forceRelease(String key) {
		return this.registry.forceRelease(key);
	}

	/**
	 * Wait for the release itself: woken by the holder's release, not by polling.
	 */
	@Override
	public boolean awaitRelease(String key, Duration timeout) throws InterruptedException {
		return this.registry.awaitRelease(key, timeout);
	}

	@Override
	public String toString() {
		return "LocalMutexStore[" + this.registry + "]";
	}

	/**
	 * One acquisition: released once, by its owner thread.
	 */
	private static final class LocalHeld implements Held {

		private final LocalLockRegistry registry;

		private final String key;

		private final KeyEntry entry;

		private final Thread owner;

		private final long token;

		private boolean released; // read and written by the owner thread only

		LocalHeld(LocalLockRegistry registry, String key, KeyEntry entry, Thread owner, long token) {
			this.registry = registry;
			this.key = key;
			this.entry = entry;
			this.owner = owner;
			this.token = token;
		}

		@Override
		public String key() {
			return this.key;
		}

		@Override
		public boolean release() {
			if (this.released) {
				return false;
			}
			this.released = true;
			try {
				this.registry.release(this.key, this.entry);
				return true;
			}
			catch (IllegalMonitorStateException ex) {
				return false; // force-released
			}
		}

		@Override
		public boolean isHeld() {
			// The template asks only for holds it has not ended; the entry's owner is
			// published by its state.
			return this.entry.owner() == this.owner && (Thread.currentThread() != this.owner || !this.released);
		}

		/**
		 * Make the other thread the entry's owner: it can then release it, and the holder
		 * thread, no longer the owner, cannot take the key again meanwhile.
		 */
		@Override
		public boolean handOver(Thread newOwner) {
			return !this.released && this.entry.transferOwner(this.owner, newOwner);
		}

	}

}
