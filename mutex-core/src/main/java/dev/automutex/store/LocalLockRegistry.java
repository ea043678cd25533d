package dev.automutex.store;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.util.Assert;

/**
 * {@link LockRegistry} for one JVM with one re-entrant lock per key: two different keys never contend
 * (unlike Spring Integration's {@code DefaultLockRegistry}, which stripes all keys over 256 shared locks).
 * <p>
 * Memory follows the keys in use now: an entry lives while a thread holds or waits for its key and is removed
 * when the last one lets go, so a service that locks millions of distinct ids keeps only the current ones.
 * <p>
 * The {@link Lock} returned by {@link #obtain(Object)} is a light handle on the key; it may be kept and used
 * repeatedly. Thread-safe. Keys are compared by {@code equals}; {@code MutexTemplate} passes strings.
 *
 * @since 0.1.0
 */
public class LocalLockRegistry implements LockRegistry<Lock> {

	private final ConcurrentMap<Object, Entry> entries = new ConcurrentHashMap<>();

	@Override
	public Lock obtain(Object lockKey) {
		Assert.notNull(lockKey, "lockKey must not be null");
		return new KeyLock(lockKey);
	}

	/**
	 * Whether any thread holds the key now.
	 * @param lockKey the key
	 * @return {@code true} while the key is held
	 */
	public boolean isLocked(Object lockKey) {
		Entry entry = this.entries.get(lockKey);
		return entry != null && entry.lock.isLocked();
	}

	/**
	 * Wait until the key is free, without taking it (Locker's {@code wait_for_release}). Returns at once if it
	 * is free now; otherwise as soon as its holder releases it (even if someone else takes it right after).
	 * @param lockKey the key
	 * @param timeout how long to wait at most
	 * @return {@code true} if the key was free or was released in time
	 * @throws InterruptedException if the calling thread was interrupted while waiting
	 */
	public boolean awaitRelease(Object lockKey, Duration timeout) throws InterruptedException {
		if (!isLocked(lockKey)) {
			return true;
		}
		Entry entry = retain(lockKey); // keeps the entry, and so its monitor, alive while we wait
		try {
			long deadline = System.nanoTime() + timeout.toNanos();
			synchronized (entry) {
				long releasesBefore = entry.releases;
				entry.awaiting++;
				try {
					while (entry.lock.isLocked() && entry.releases == releasesBefore) {
						long remaining = deadline - System.nanoTime();
						if (remaining <= 0) {
							return false;
						}
						TimeUnit.NANOSECONDS.timedWait(entry, remaining);
					}
					return true;
				}
				finally {
					entry.awaiting--;
				}
			}
		}
		finally {
			letGo(lockKey);
		}
	}

	/**
	 * How many keys are held or waited for now (the registry's size in memory).
	 * @return the number of live entries
	 */
	public int size() {
		return this.entries.size();
	}

	@Override
	public String toString() {
		return "LocalLockRegistry[keys in use: " + this.entries.size() + "]";
	}

	// An entry counts its users: one per hold (re-entrant holds count each) and one per waiting thread. It is
	// created by the first and removed by the last, both inside compute(), so two threads can never end up
	// with different ReentrantLocks for one key.
	private Entry retain(Object key) {
		return this.entries.compute(key, (k, entry) -> {
			Entry result = (entry != null) ? entry : new Entry();
			result.users++;
			return result;
		});
	}

	private void letGo(Object key) {
		this.entries.computeIfPresent(key, (k, entry) -> (--entry.users == 0) ? null : entry);
	}

	private static final class Entry {

		final ReentrantLock lock = new ReentrantLock();

		int users; // guarded by the map's per-key compute

		volatile int awaiting; // threads in awaitRelease; written under the entry's monitor

		long releases; // full releases seen by awaiters; guarded by the entry's monitor

		void released() {
			// Only pay for the monitor when someone waits for a release without taking the key.
			if (this.awaiting > 0) {
				synchronized (this) {
					this.releases++;
					notifyAll();
				}
			}
		}

	}

	private final class KeyLock implements Lock {

		private final Object key;

		KeyLock(Object key) {
			this.key = key;
		}

		@Override
		public void lock() {
			retain(this.key).lock.lock();
		}

		@Override
		public void lockInterruptibly() throws InterruptedException {
			Entry entry = retain(this.key);
			try {
				entry.lock.lockInterruptibly();
			}
			catch (InterruptedException ex) {
				letGo(this.key);
				throw ex;
			}
		}

		@Override
		public boolean tryLock() {
			Entry entry = retain(this.key);
			if (entry.lock.tryLock()) {
				return true;
			}
			letGo(this.key);
			return false;
		}

		@Override
		public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
			Entry entry = retain(this.key);
			boolean acquired = false;
			try {
				acquired = entry.lock.tryLock(time, unit);
				return acquired;
			}
			finally {
				if (!acquired) {
					letGo(this.key);
				}
			}
		}

		@Override
		public void unlock() {
			@Nullable Entry entry = LocalLockRegistry.this.entries.get(this.key);
			if (entry == null || !entry.lock.isHeldByCurrentThread()) {
				throw new IllegalMonitorStateException("Lock '" + this.key + "' is not held by " + Thread.currentThread());
			}
			entry.lock.unlock();
			if (!entry.lock.isHeldByCurrentThread()) {
				entry.released();
			}
			letGo(this.key);
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
