package dev.automutex.store;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

import org.jspecify.annotations.Nullable;

import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.util.Assert;

/**
 * {@link LockRegistry} for one JVM with one re-entrant lock per key: two different keys
 * never contend (unlike Spring Integration's {@code DefaultLockRegistry}, which stripes
 * all keys over 256 shared locks).
 * <p>
 * <b>Owner death.</b> A key whose owner thread has ended without releasing it (Elixir
 * Mutex frees the keys of a crashed process) is freed for the next thread that asks for
 * it: waiters look at the owner's liveness at least every {@value #LIVENESS_CHECK_MILLIS}
 * ms, so they take such a key promptly instead of waiting out their whole block time.
 * {@link #sweep()} frees abandoned keys nobody asks for.
 * <p>
 * <b>Memory</b> follows the keys in use: a key's entry is kept after its release while
 * the registry holds at most {@link #LocalLockRegistry(int) idleEntries} entries
 * ({@value #DEFAULT_IDLE_ENTRIES} by default), so that locking the same key again costs
 * one map look-up and one compare-and-set; beyond that, a key that becomes free with
 * nobody waiting is removed at once, and {@link #sweep()} removes every idle entry. A
 * service that locks millions of distinct ids keeps its keys in use plus at most that
 * many idle ones, not every id it ever locked.
 * <p>
 * The {@link Lock} returned by {@link #obtain(Object)} is a light handle on the key; it
 * may be kept and used repeatedly, from any thread. Thread-safe. Keys are compared by
 * {@code equals}; {@code MutexTemplate} passes strings.
 *
 * @since 0.1.0
 */
public class LocalLockRegistry implements LockRegistry<Lock> {

	/**
	 * How often, at the longest, a waiter checks whether the key's owner thread is still
	 * alive.
	 */
	public static final long LIVENESS_CHECK_MILLIS = 50;

	/**
	 * How many entries a registry keeps, by default, before it removes each key that
	 * becomes free at once.
	 */
	public static final int DEFAULT_IDLE_ENTRIES = 1024;

	static final long FOREVER = -1;

	private final ConcurrentHashMap<Object, KeyEntry> entries = new ConcurrentHashMap<>();

	private final int idleEntries;

	// Fencing tokens of removed entries: a new entry for the same key continues above
	// them. It starts at the clock in microseconds, so that a restarted JVM issues
	// tokens above those of its last run.
	private final AtomicLong tokenFloor = new AtomicLong(System.currentTimeMillis() * 1000);

	/**
	 * Create a registry that keeps up to {@value #DEFAULT_IDLE_ENTRIES} entries of free
	 * keys for reuse.
	 */
	public LocalLockRegistry() {
		this(DEFAULT_IDLE_ENTRIES);
	}

	/**
	 * Create a registry that keeps up to {@code idleEntries} entries of free keys for
	 * reuse. More makes locking many distinct keys in turn faster (no map insertion and
	 * removal per key) at about 100 bytes per entry, plus the key objects it keeps.
	 * @param idleEntries how many entries the registry holds before it removes each key
	 * that becomes free
	 */
	public LocalLockRegistry(int idleEntries) {
		Assert.isTrue(idleEntries >= 0, "idleEntries must not be negative");
		this.idleEntries = idleEntries;
	}

	@Override
	public Lock obtain(Object lockKey) {
		Assert.notNull(lockKey, "lockKey must not be null");
		return new KeyLock(lockKey);
	}

	/**
	 * Whether a living thread holds the key now.
	 * @param lockKey the key
	 * @return {@code true} while the key is held
	 */
	public boolean isLocked(Object lockKey) {
		KeyEntry entry = this.entries.get(lockKey);
		return entry != null && entry.isHeldByLiveThread();
	}

	/**
	 * The thread that holds the key now.
	 * @param lockKey the key
	 * @return the owner, or {@code null} if the key is free (or its owner has ended)
	 */
	public @Nullable Thread owner(Object lockKey) {
		KeyEntry entry = this.entries.get(lockKey);
		if (entry == null) {
			return null;
		}
		Thread owner = entry.owner();
		return (owner != null && owner.isAlive()) ? owner : null;
	}

	/**
	 * Free the key whoever holds it: an operator's way out of a stuck key. The first
	 * thread waiting for it takes it; the holder goes on running, and its
	 * {@code unlock()} then throws {@link IllegalMonitorStateException}.
	 * @param lockKey the key
	 * @return {@code true} if the key was held and is now free
	 */
	public boolean forceRelease(Object lockKey) {
		return forceReleaseHolder(lockKey) != null;
	}

	/**
	 * {@link #forceRelease(Object)}, telling whose hold it ended.
	 * @param lockKey the key
	 * @return the thread that held the key, or {@code null} if it was free
	 */
	@Nullable Thread forceReleaseHolder(Object lockKey) {
		KeyEntry entry = this.entries.get(lockKey);
		return (entry != null) ? entry.forceRelease() : null;
	}

	/**
	 * Wait until the key is free, without taking it (Locker's {@code wait_for_release}).
	 * Returns at once if it is free now; otherwise as soon as its holder releases it
	 * (even if someone else takes it right after) or its owner thread is found to have
	 * ended.
	 * @param lockKey the key
	 * @param timeout how long to wait at most
	 * @return {@code true} if the key was free or was released in time
	 * @throws InterruptedException if the calling thread was interrupted while waiting
	 */
	public boolean awaitRelease(Object lockKey, Duration timeout) throws InterruptedException {
		KeyEntry entry = this.entries.get(lockKey);
		return entry == null || ReleaseAwait.await(entry, saturatedNanos(timeout));
	}

	/**
	 * Free the keys whose owner threads have ended without releasing them, and remove the
	 * entries of keys nobody holds or waits for.
	 * @return how many keys were freed or entries removed (an abandoned key whose entry
	 * is then removed counts once)
	 */
	public int sweep() {
		Set<KeyEntry> freed = new HashSet<>();
		for (KeyEntry entry : this.entries.values()) {
			if (entry.freeIfOwnerDead()) {
				freed.add(entry);
			}
		}
		return freed.size() + removeIdle(freed);
	}

	/**
	 * How many entries the registry keeps now: keys held or waited for, plus idle keys
	 * not yet cleaned up.
	 * @return the number of entries
	 */
	public int size() {
		return this.entries.size();
	}

	@Override
	public String toString() {
		return "LocalLockRegistry[entries: " + this.entries.size() + "]";
	}

	/**
	 * Take the key for the calling thread.
	 * @param key the key
	 * @param nanos how long to wait: 0 not at all, {@link #FOREVER} without limit
	 * @param interruptible whether an interrupt ends the wait with
	 * {@link InterruptedException} (else the interrupt status is kept and the wait goes
	 * on)
	 * @return the key's entry, now held by the calling thread, or {@code null} on
	 * time-out
	 */
	@Nullable KeyEntry acquire(Object key, long nanos, boolean interruptible) throws InterruptedException {
		long deadline = 0; // read from the clock only if an entry was retired under us
		while (true) {
			KeyEntry entry = this.entries.get(key);
			if (entry == null) {
				KeyEntry fresh = new KeyEntry(key, Thread.currentThread(), this.tokenFloor.get());
				KeyEntry existing = this.entries.putIfAbsent(key, fresh);
				if (existing == null) {
					return fresh;
				}
				entry = existing;
			}
			long wait = nanos;
			if (deadline != 0) {
				wait = Math.max(0, deadline - System.nanoTime());
			}
			int outcome = entry.acquire(wait, interruptible);
			if (outcome == KeyEntry.ACQUIRED) {
				return entry;
			}
			if (outcome == KeyEntry.BUSY) {
				return null;
			}
			// The entry was retired as idle between our look-up and our attempt: finish
			// its removal (its tokens first) and look up the key again, within what is
			// left of the wait.
			retire(key, entry);
			if (nanos > 0 && deadline == 0) {
				deadline = System.nanoTime() + nanos;
			}
		}
	}

	/**
	 * The duration in nanoseconds, or {@link Long#MAX_VALUE} for durations too long to
	 * count in them (about 292 years and more, such as
	 * {@code ChronoUnit.FOREVER.getDuration()}).
	 * @param duration the duration
	 * @return the duration in nanoseconds, at most {@link Long#MAX_VALUE}
	 */
	static long saturatedNanos(Duration duration) {
		return (duration.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) ? Long.MAX_VALUE : duration.toNanos();
	}

	/**
	 * Release one hold of the calling thread on an entry it owns. Past the registry's
	 * idle entries, a key that becomes free with nobody waiting is removed at once, so
	 * memory stays bounded whatever the number of keys ever used; below it, free entries
	 * stay for the next use of their key.
	 * @param key the key
	 * @param entry the key's entry, owned by the calling thread
	 */
	void release(Object key, KeyEntry entry) {
		if (entry.release() && this.entries.size() > this.idleEntries && entry.retireIfIdle()) {
			retire(key, entry);
		}
	}

	/**
	 * Remove a retired entry. Its last token goes into the floor before the entry leaves
	 * the map, so that a new entry for the key, which starts from the floor, can never
	 * issue a token at or below it.
	 * @param key the key
	 * @param entry the key's retired entry
	 */
	private void retire(Object key, KeyEntry entry) {
		long lastToken = entry.lastToken();
		if (lastToken > this.tokenFloor.get()) {
			this.tokenFloor.accumulateAndGet(lastToken, Math::max);
		}
		this.entries.remove(key, entry);
		entry.wakeQueued();
	}

	/**
	 * Remove every entry nobody holds or waits for.
	 * @param counted entries the caller counted already (keys it freed)
	 * @return how many entries were removed, not counting those in {@code counted}
	 */
	private int removeIdle(Set<KeyEntry> counted) {
		int removed = 0;
		for (Map.Entry<Object, KeyEntry> candidate : this.entries.entrySet()) {
			KeyEntry entry = candidate.getValue();
			if (entry.retireIfIdle()) {
				retire(candidate.getKey(), entry);
				if (!counted.contains(entry)) {
					removed++;
				}
			}
		}
		return removed;
	}

	/**
	 * The re-entrant lock of one key.
	 */
	private final class KeyLock implements Lock {

		private final Object key;

		KeyLock(Object key) {
			this.key = key;
		}

		@Override
		public void lock() {
			try {
				acquire(this.key, FOREVER, false);
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException("lock() is not interruptible", ex); // cannot
																					// happen
			}
		}

		@Override
		public void lockInterruptibly() throws InterruptedException {
			acquire(this.key, FOREVER, true);
		}

		@Override
		public boolean tryLock() {
			try {
				return acquire(this.key, 0, false) != null;
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException("tryLock() is not interruptible", ex); // cannot
																						// happen
			}
		}

		@Override
		public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
			long nanos = unit.toNanos(time);
			return acquire(this.key, (nanos > 0) ? nanos : 0, true) != null;
		}

		@Override
		public void unlock() {
			KeyEntry entry = LocalLockRegistry.this.entries.get(this.key);
			if (entry == null || entry.owner() != Thread.currentThread()) {
				throw new IllegalMonitorStateException(
						"Lock '" + this.key + "' is not held by " + Thread.currentThread());
			}
			release(this.key, entry);
		}

		@Override
		public Condition newCondition() {
			throw new UnsupportedOperationException("Conditions are not supported");
		}

		@Override
		public String toString() {
			return "LocalLock[" + this.key + "]";
		}

	}

}
