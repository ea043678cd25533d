package dev.automutex.store;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * What one instance of the AutoMutex Redis engine knows about one key: its local waiters
 * in arrival order, whether it holds the key now, and the signals that tell the first
 * waiter (the only one that talks to Redis) to try again. One record per key, present
 * while a thread of this instance waits for or holds the key, guarded by its own monitor.
 */
final class KeyWaitQueue {

	final String key;

	final String lockKey;

	private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

	/** Waiters and leases of this instance that use this record. */
	private int users;

	private boolean retired;

	/** Leases of this key held by this instance now (0 or 1). */
	int localLeases;

	/**
	 * The lease of this instance granted last, while it is not released: the one that may
	 * hold the key in Redis now. A lapsed lease that was not released yet still counts in
	 * {@link #localLeases}, but is no longer the holder once a newer lease was granted.
	 */
	@Nullable RedisLease holder;

	/** When {@link #holder} ends, in {@link System#nanoTime()}. */
	long heldUntil;

	/** Counts the attempts at Redis started, so that a late unqueue can be detected. */
	int attempts;

	/** Local hand-offs in a row since the key last came from Redis. */
	int handOffs;

	/** Bumped by every event after which the first waiter should ask Redis again. */
	int signals;

	/**
	 * Whether the next attempt follows a wake-up from Redis (and keeps its place on
	 * failure).
	 */
	boolean wokenByRedis;

	/** Whether this instance may be queued for the key in Redis. */
	boolean registered;

	/**
	 * The highest fencing token of a key granted to this instance and taken here (by a
	 * waiter, or released again): a grant's message and an attempt that finds the grant
	 * in Redis both come here, and only the first takes it.
	 */
	long lastGrant;

	/**
	 * The fencing token of the last key granted to this instance, with the grant's
	 * time-to-live in ms: taken here once {@link #lastGrant} has reached it.
	 */
	long pendingGrant;

	long pendingGrantMillis;

	KeyWaitQueue(String key, String lockKey) {
		this.key = key;
		this.lockKey = lockKey;
	}

	/**
	 * Count one more user, unless the record was retired.
	 * @return {@code false} if retired: take a new record
	 */
	synchronized boolean enter() {
		if (this.retired) {
			return false;
		}
		this.users++;
		return true;
	}

	/**
	 * Count one user less.
	 * @return {@code true} if this was the last: the record is retired
	 */
	synchronized boolean leave() {
		if (--this.users == 0) {
			this.retired = true;
			return true;
		}
		return false;
	}

	// The methods below are called with this record's monitor held.

	/**
	 * Whether the one user left would leave a grant nobody here took.
	 * @return {@code true} if the last user holds the only count and a grant is pending
	 */
	boolean leavesGrantBehind() {
		return this.users == 1 && this.pendingGrant > this.lastGrant;
	}

	boolean isIdle() {
		return this.waiters.isEmpty() && this.localLeases == 0;
	}

	boolean hasWaiters() {
		return !this.waiters.isEmpty();
	}

	void add(Waiter waiter) {
		this.waiters.addLast(waiter);
	}

	void addFirst(Waiter waiter) {
		this.waiters.addFirst(waiter);
	}

	@Nullable Waiter first() {
		return this.waiters.peekFirst();
	}

	@Nullable Waiter pollFirst() {
		return this.waiters.pollFirst();
	}

	/**
	 * Remove a waiter; if it was first, the next one becomes first and asks Redis at
	 * once.
	 * @param waiter the waiter
	 */
	void remove(Waiter waiter) {
		boolean wasFirst = this.waiters.peekFirst() == waiter;
		if (this.waiters.remove(waiter) && wasFirst) {
			wakeFirst(true);
		}
	}

	/**
	 * Tell the first waiter that something changed.
	 * @param tryNow whether it should ask Redis now even without a signal
	 */
	void wakeFirst(boolean tryNow) {
		Waiter first = this.waiters.peekFirst();
		if (first != null) {
			if (tryNow) {
				// A fresh start for the new first waiter: it asks Redis now, unless this
				// instance holds the key (then it watches that lease).
				first.signalsSeen = this.signals;
				first.nextTry = System.nanoTime();
			}
			LockSupport.unpark(first.thread);
		}
	}

	void signal() {
		this.signals++;
		wakeFirst(false);
	}

	/**
	 * One thread waiting for the key.
	 */
	static final class Waiter {

		final Thread thread;

		final long ttlMillis;

		/**
		 * Whether its holder renews the lease: it may then get a lease passed on without
		 * Redis, whose time-to-live started before the grant.
		 */
		final boolean renewed;

		/** When the waiter asks Redis again without a signal, in nano time. */
		long nextTry;

		/** The signals seen at its last attempt. */
		int signalsSeen;

		/** A holder is handing its lease to this waiter now. */
		boolean handing;

		@Nullable RedisLease handed;

		/** Its thread has left (with its own lease, or empty-handed). */
		boolean left;

		Waiter(Thread thread, long ttlMillis, boolean renewed, long nextTry, int signalsSeen) {
			this.thread = thread;
			this.ttlMillis = ttlMillis;
			this.renewed = renewed;
			this.nextTry = nextTry;
			this.signalsSeen = signalsSeen;
		}

	}

}
