package dev.automutex;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

import org.jspecify.annotations.Nullable;

import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.RenewableLockRegistry;

/**
 * A registry like Spring Integration's {@code JdbcLockRegistry}: per-key lock objects
 * with leases in a shared table (one per instance over the same table), whose renewal is
 * refused unless it runs on the thread holding the lock.
 */
final class ThreadBoundRegistry implements RenewableLockRegistry<DistributedLock> {

	private final Map<String, Lease> table;

	private final Map<String, TLock> locks = new ConcurrentHashMap<>();

	ThreadBoundRegistry(Map<String, Lease> table) {
		this.table = table;
	}

	@Override
	public DistributedLock obtain(Object key) {
		return this.locks.computeIfAbsent((String) key, TLock::new);
	}

	@Override
	public void renewLock(Object key) {
		renewLock(key, Duration.ofSeconds(10));
	}

	@Override
	public void renewLock(Object key, Duration ttl) {
		TLock lock = this.locks.get((String) key);
		if (lock == null) {
			throw new IllegalStateException("Could not find mutex at " + key);
		}
		if (!lock.renew(ttl)) {
			throw new IllegalStateException("Could not renew mutex at " + key);
		}
	}

	record Lease(Object owner, long expiresAt) {

		boolean live() {
			return System.nanoTime() - this.expiresAt < 0;
		}

	}

	final class TLock implements DistributedLock {

		final String key;

		volatile @Nullable Thread holder;

		TLock(String key) {
			this.key = key;
		}

		boolean renew(Duration ttl) {
			if (this.holder != Thread.currentThread()) {
				throw new IllegalMonitorStateException("The current thread doesn't own mutex at " + this.key);
			}
			Lease now = ThreadBoundRegistry.this.table.get(this.key);
			if (now == null || now.owner() != this || !now.live()) {
				return false;
			}
			ThreadBoundRegistry.this.table.put(this.key, new Lease(this, System.nanoTime() + ttl.toNanos()));
			return true;
		}

		@Override
		public boolean tryLock(Duration wait, Duration ttl) {
			Lease fresh = new Lease(this, System.nanoTime() + ttl.toNanos());
			Lease result = ThreadBoundRegistry.this.table.compute(this.key,
					(k, cur) -> (cur == null || !cur.live()) ? fresh : cur);
			if (result == fresh) {
				this.holder = Thread.currentThread();
				return true;
			}
			return false;
		}

		@Override
		public void lock(Duration ttl) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void lock() {
			throw new UnsupportedOperationException();
		}

		@Override
		public void lockInterruptibly() {
			throw new UnsupportedOperationException();
		}

		@Override
		public boolean tryLock() {
			return tryLock(Duration.ZERO, Duration.ofSeconds(10));
		}

		@Override
		public boolean tryLock(long time, TimeUnit unit) {
			return tryLock();
		}

		@Override
		public void unlock() {
			this.holder = null;
			Lease now = ThreadBoundRegistry.this.table.get(this.key);
			if (now == null || now.owner() != this || !now.live()) {
				throw new IllegalStateException("expired");
			}
			ThreadBoundRegistry.this.table.remove(this.key, now);
		}

		@Override
		public Condition newCondition() {
			throw new UnsupportedOperationException();
		}

	}

}
