package dev.automutex.store;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

import org.jspecify.annotations.Nullable;

import org.springframework.integration.support.locks.DistributedLock;

/**
 * Spring Integration's view of a key: re-entrant and bound to the thread that locked it,
 * over one lease at a time.
 */
final class RedisLeaseLock implements DistributedLock {

	private final RedisLeaseLockRegistry registry;

	private final String key;

	private volatile @Nullable Thread owner;

	private int holds;

	private volatile @Nullable RedisLease lease;

	private volatile long lastUsed = System.currentTimeMillis();

	RedisLeaseLock(RedisLeaseLockRegistry registry, String key) {
		this.registry = registry;
		this.key = key;
	}

	@Nullable RedisLease lease() {
		return this.lease;
	}

	boolean isIdleSince(long time) {
		return this.owner == null && this.lastUsed <= time;
	}

	@Override
	public void lock() {
		lock(this.registry.getDefaultExpire());
	}

	@Override
	public void lock(Duration ttl) {
		boolean interrupted = false;
		while (true) {
			try {
				if (tryLock(Duration.ofNanos(Long.MAX_VALUE), ttl)) {
					break;
				}
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void lockInterruptibly() throws InterruptedException {
		tryLock(Duration.ofNanos(Long.MAX_VALUE), this.registry.getDefaultExpire());
	}

	@Override
	public boolean tryLock() {
		try {
			return tryLock(Duration.ZERO, this.registry.getDefaultExpire());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	@Override
	public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
		return tryLock(Duration.ofNanos(unit.toNanos(time)), this.registry.getDefaultExpire());
	}

	@Override
	public boolean tryLock(Duration waitTime, Duration ttl) throws InterruptedException {
		this.lastUsed = System.currentTimeMillis();
		if (this.owner == Thread.currentThread()) {
			this.holds++;
			return true;
		}
		RedisLease acquired = this.registry.acquire(this.key, waitTime.isNegative() ? Duration.ZERO : waitTime, ttl);
		if (acquired == null) {
			return false;
		}
		this.lease = acquired;
		this.holds = 1;
		this.owner = Thread.currentThread();
		return true;
	}

	@Override
	public void unlock() {
		if (this.owner != Thread.currentThread()) {
			throw new IllegalMonitorStateException("The current thread does not hold the lock on '" + this.key
					+ "' (Spring Integration locks are released by the thread that locked them)");
		}
		this.lastUsed = System.currentTimeMillis();
		if (--this.holds > 0) {
			return;
		}
		RedisLease held = this.lease;
		this.lease = null;
		this.owner = null;
		if (held != null && !held.release()) {
			throw new IllegalStateException("Lock on '" + this.key + "' was lost in Redis before it was "
					+ "released (it expired or was removed); the work it guarded may have overlapped");
		}
	}

	@Override
	public Condition newCondition() {
		throw new UnsupportedOperationException("Conditions are not supported by Redis locks");
	}

	@Override
	public String toString() {
		Thread holder = this.owner;
		return "RedisLeaseLock[" + this.key + ((holder != null) ? ", locked by " + holder.getName() : "") + "]";
	}

}
