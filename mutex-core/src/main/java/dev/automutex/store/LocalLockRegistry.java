package dev.automutex.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.util.Assert;

/**
 * {@link LockRegistry} for one JVM with one re-entrant lock per key: two different keys never contend
 * (unlike Spring Integration's {@code DefaultLockRegistry}, which stripes all keys over 256 shared locks).
 * <p>
 * <b>Owner death.</b> A key whose owner thread has ended without releasing it (Elixir Mutex frees the keys of a
 * crashed process) is freed for the next thread that asks for it: waiters look at the owner's liveness at
 * least every {@value #LIVENESS_CHECK_MILLIS} ms, so they take such a key promptly instead of waiting out their
 * whole block time. {@link #sweep()} frees abandoned keys nobody asks for.
 * <p>
 * <b>Memory</b> follows the keys in use now: an entry lives while a thread holds or waits for its key and is
 * removed when the last one lets go, so a service that locks millions of distinct ids keeps only the current
 * ones (plus, until a sweep, keys abandoned by dead threads).
 * <p>
 * The {@link Lock} returned by {@link #obtain(Object)} is a light handle on the key; it may be kept and used
 * repeatedly. Thread-safe. Keys are compared by {@code equals}; {@code MutexTemplate} passes strings.
 *
 * @since 0.1.0
 */
public class LocalLockRegistry implements LockRegistry<Lock> {

	/**
	 * How often, at the longest, a waiter checks whether the key's owner thread is still alive.
	 */
	public static final long LIVENESS_CHECK_MILLIS = 50;

	private static final long LIVENESS_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(LIVENESS_CHECK_MILLIS);

	private static final Logger logger = LoggerFactory.getLogger(LocalLockRegistry.class);

	private final ConcurrentMap<Object, Entry> entries = new ConcurrentHashMap<>();

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
		Entry entry = this.entries.get(lockKey);
		if (entry == null) {
			return false;
		}
		synchronized (entry) {
			return entry.owner != null && entry.owner.isAlive();
		}
	}

	/**
	 * The thread that holds the key now.
	 * @param lockKey the key
	 * @return the owner, or {@code null} if the key is free (or its owner has ended)
	 */
	public @Nullable Thread owner(Object lockKey) {
		Entry entry = this.entries.get(lockKey);
		if (entry == null) {
			return null;
		}
		synchronized (entry) {
			return (entry.owner != null && entry.owner.isAlive()) ? entry.owner : null;
		}
	}

	/**
	 * Wait until the key is free, without taking it (Locker's {@code wait_for_release}). Returns at once if it
	 * is free now; otherwise as soon as its holder releases it (even if someone else takes it right after) or
	 * its owner thread is found to have ended.
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
				while (entry.owner != null && entry.owner.isAlive() && entry.releases == releasesBefore) {
					long remaining = deadline - System.nanoTime();
					if (remaining <= 0) {
						return false;
					}
					entry.park(remaining);
				}
				return true;
			}
		}
		finally {
			letGo(lockKey);
		}
	}

	/**
	 * Free the keys whose owner threads have ended without releasing them and that nobody is waiting for, and
	 * drop their entries.
	 * @return how many keys were freed
	 */
	public int sweep() {
		int freed = 0;
		for (Map.Entry<Object, Entry> candidate : new ArrayList<>(this.entries.entrySet())) {
			Entry entry = candidate.getValue();
			int abandonedHolds;
			synchronized (entry) {
				if (entry.owner == null || entry.owner.isAlive()) {
					continue;
				}
				abandonedHolds = entry.abandon(candidate.getKey(), "a sweep");
			}
			letGo(candidate.getKey(), abandonedHolds);
			freed++;
		}
		return freed;
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
	// with different entries for one key.
	private Entry retain(Object key) {
		return this.entries.compute(key, (k, entry) -> {
			Entry result = (entry != null) ? entry : new Entry();
			result.users++;
			return result;
		});
	}

	private void letGo(Object key) {
		letGo(key, 1);
	}

	private void letGo(Object key, int count) {
		if (count > 0) {
			this.entries.computeIfPresent(key, (k, entry) -> ((entry.users -= count) == 0) ? null : entry);
		}
	}

	/**
	 * One key: its owner and hold count, guarded by the entry's monitor, on which waiters wait.
	 */
	private static final class Entry {

		int users; // guarded by the map's per-key compute

		@Nullable Thread owner;

		int holds;

		int waiting;

		long releases; // full releases, for awaitRelease

		/**
		 * Take the key for the current thread, waiting up to {@code nanos} ({@code -1}: for ever).
		 * @param abandoned adds the holds of a dead owner this call cleared, which the caller must let go
		 * @return whether the key was acquired
		 */
		boolean acquire(Object key, long nanos, boolean interruptible, int[] abandoned) throws InterruptedException {
			Thread me = Thread.currentThread();
			if (this.owner == me) {
				this.holds++;
				return true;
			}
			long deadline = System.nanoTime() + Math.max(nanos, 0);
			boolean interrupted = false;
			try {
				while (true) {
					if (this.owner != null && !this.owner.isAlive()) {
						abandoned[0] += abandon(key, "thread '" + me.getName() + "'");
					}
					if (this.owner == null) {
						this.owner = me;
						this.holds = 1;
						return true;
					}
					long remaining = (nanos < 0) ? LIVENESS_CHECK_NANOS : deadline - System.nanoTime();
					if (remaining <= 0) {
						return false;
					}
					try {
						park(remaining);
					}
					catch (InterruptedException ex) {
						if (interruptible) {
							throw ex;
						}
						interrupted = true;
					}
				}
			}
			finally {
				if (interrupted) {
					me.interrupt();
				}
			}
		}

		void park(long remainingNanos) throws InterruptedException {
			this.waiting++;
			try {
				TimeUnit.NANOSECONDS.timedWait(this, Math.min(remainingNanos, LIVENESS_CHECK_NANOS));
			}
			finally {
				this.waiting--;
			}
		}

		void release(Object key) {
			if (this.owner != Thread.currentThread()) {
				throw new IllegalMonitorStateException("Lock '" + key + "' is not held by " + Thread.currentThread());
			}
			if (--this.holds == 0) {
				freed();
			}
		}

		/**
		 * Free a key whose owner has ended. Returns the dead owner's holds, which the caller lets go.
		 */
		int abandon(Object key, String by) {
			Thread dead = this.owner;
			int abandonedHolds = this.holds;
			logger.warn("Mutex '{}' was held by thread '{}', which ended without releasing it; freed by {}", key,
					(dead != null) ? dead.getName() : "?", by);
			freed();
			return abandonedHolds;
		}

		private void freed() {
			this.owner = null;
			this.holds = 0;
			this.releases++;
			if (this.waiting > 0) {
				notifyAll();
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
			try {
				acquire(-1, false);
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException("lock() is not interruptible", ex); // cannot happen
			}
		}

		@Override
		public void lockInterruptibly() throws InterruptedException {
			acquire(-1, true);
		}

		@Override
		public boolean tryLock() {
			try {
				return acquire(0, false);
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException("tryLock() is not interruptible", ex); // cannot happen
			}
		}

		@Override
		public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
			return acquire(Math.max(unit.toNanos(time), 0), true);
		}

		/**
		 * @param nanos how long to wait: 0 not at all, -1 for ever
		 */
		private boolean acquire(long nanos, boolean interruptible) throws InterruptedException {
			Entry entry = retain(this.key);
			int[] abandoned = new int[1];
			boolean acquired = false;
			try {
				synchronized (entry) {
					acquired = entry.acquire(this.key, nanos, interruptible, abandoned);
				}
				return acquired;
			}
			finally {
				// A dead owner's holds we cleared, and our own retain unless it now counts as our hold.
				letGo(this.key, abandoned[0] + (acquired ? 0 : 1));
			}
		}

		@Override
		public void unlock() {
			Entry entry = LocalLockRegistry.this.entries.get(this.key);
			if (entry == null) {
				throw new IllegalMonitorStateException("Lock '" + this.key + "' is not held by " + Thread.currentThread());
			}
			synchronized (entry) {
				entry.release(this.key);
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
