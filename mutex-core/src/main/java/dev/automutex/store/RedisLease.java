package dev.automutex.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One hold of a key by the AutoMutex Redis engine ({@link RedisLeaseLockRegistry}): the
 * key is held in Redis under a random token that only this object knows, with a
 * time-to-live, so that a release or a renewal can only ever touch the hold that made it.
 * Not bound to a thread: any thread may release or renew it.
 * <p>
 * Thread-safe.
 *
 * @since 0.1.0
 */
public final class RedisLease {

	/**
	 * {@link #ttlSetAt} when it is not known: the lease may end at any time.
	 */
	static final long UNKNOWN = Long.MIN_VALUE;

	private final RedisLeases engine;

	final KeyWaitQueue queue;

	final String value;

	/** The fencing token; 0 until asked for, on a lease passed on without Redis. */
	private volatile long fencingToken;

	/** The time-to-live last set, in ms. */
	volatile long ttlMillis;

	/**
	 * {@link System#nanoTime()} before the request that last set the key's time-to-live
	 * went out, so that the key is held in Redis at least until {@code ttlSetAt} plus
	 * {@link #ttlMillis}; {@link #UNKNOWN} for a key granted by another instance's
	 * release until it is renewed.
	 */
	volatile long ttlSetAt;

	/** Whether this lease was passed on without Redis from an earlier one. */
	final boolean passedOn;

	private final AtomicBoolean ended = new AtomicBoolean();

	RedisLease(RedisLeases engine, KeyWaitQueue queue, String value, long fencingToken, long ttlMillis, long ttlSetAt) {
		this(engine, queue, value, fencingToken, ttlMillis, ttlSetAt, false);
	}

	private RedisLease(RedisLeases engine, KeyWaitQueue queue, String value, long fencingToken, long ttlMillis,
			long ttlSetAt, boolean passedOn) {
		this.ttlMillis = ttlMillis;
		this.engine = engine;
		this.queue = queue;
		this.value = value;
		this.fencingToken = fencingToken;
		this.ttlSetAt = ttlSetAt;
		this.passedOn = passedOn;
	}

	/**
	 * The lease a waiting thread of this instance gets when this one is released and
	 * passed on without Redis: the same value in Redis and the same time-to-live, its
	 * fencing token issued when asked for.
	 * @return the next holder's lease
	 */
	RedisLease passOn() {
		return new RedisLease(this.engine, this.queue, this.value, 0, this.ttlMillis, this.ttlSetAt, true);
	}

	/**
	 * The key this lease holds.
	 * @return the key text
	 */
	public String key() {
		return this.queue.key;
	}

	/**
	 * The fencing token of this lease: greater than the token of every earlier hold of
	 * the key, by any instance. Issued with the lease, in the same script; a lease that
	 * another thread of this instance passed on without Redis gets it from Redis the
	 * first time it is asked for (one round trip), and only while Redis still holds the
	 * key for it.
	 * @return the token
	 * @throws IllegalStateException if the lease was passed on and Redis no longer holds
	 * the key for it (it expired or was removed), or it was released
	 * @throws org.springframework.dao.DataAccessResourceFailureException if Redis could
	 * not be reached
	 */
	public long fencingToken() {
		long token = this.fencingToken;
		if (token != 0) {
			return token;
		}
		synchronized (this) {
			if (this.fencingToken == 0) {
				if (this.ended.get()) {
					throw new IllegalStateException("Mutex '" + key() + "' was released, so it gets no fencing token");
				}
				this.fencingToken = this.engine.fencingToken(this);
			}
			return this.fencingToken;
		}
	}

	/**
	 * Release the key, if Redis still holds it for this lease, and wake the next waiter:
	 * a thread of this instance (which may get the key without it leaving Redis) or the
	 * first waiting instance.
	 * @return {@code true} if released; {@code false} if already released, or if Redis no
	 * longer held the key for this lease (it expired or was removed)
	 * @throws org.springframework.dao.DataAccessResourceFailureException if Redis could
	 * not be reached: the key is freed when its time-to-live ends
	 */
	public boolean release() {
		if (!this.ended.compareAndSet(false, true)) {
			return false;
		}
		return this.engine.release(this);
	}

	/**
	 * Set the time-to-live of the key anew, if Redis still holds it for this lease.
	 * @param ttl the new time-to-live, at least a millisecond
	 * @return {@code true} if renewed; {@code false} if released, or no longer held
	 * @throws org.springframework.dao.DataAccessResourceFailureException if Redis could
	 * not be reached
	 */
	public boolean renew(Duration ttl) {
		long millis = RedisLeaseLockRegistry.ttlMillis(ttl, "ttl");
		return !this.ended.get() && this.engine.renew(this, millis);
	}

	/**
	 * Whether Redis still holds the key for this lease (one {@code GET}).
	 * @return {@code false} once released, expired or removed
	 * @throws org.springframework.dao.DataAccessResourceFailureException if Redis could
	 * not be reached
	 */
	public boolean isHeld() {
		return !this.ended.get() && this.engine.isHeld(this);
	}

	/**
	 * Whether {@link #release()} was called.
	 * @return {@code true} once released
	 */
	public boolean isReleased() {
		return this.ended.get();
	}

	@Override
	public String toString() {
		return "RedisLease[key=" + key() + ", fencingToken="
				+ ((this.fencingToken != 0) ? this.fencingToken : "not issued yet") + "]";
	}

}
