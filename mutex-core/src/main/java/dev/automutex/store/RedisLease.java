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

	private final RedisLeases engine;

	final KeyWaitQueue queue;

	final String value;

	private final long fencingToken;

	/** The time-to-live last set, in ms. */
	volatile long ttlMillis;

	private final AtomicBoolean ended = new AtomicBoolean();

	RedisLease(RedisLeases engine, KeyWaitQueue queue, String value, long fencingToken, long ttlMillis) {
		this.ttlMillis = ttlMillis;
		this.engine = engine;
		this.queue = queue;
		this.value = value;
		this.fencingToken = fencingToken;
	}

	/**
	 * The key this lease holds.
	 * @return the key text
	 */
	public String key() {
		return this.queue.key;
	}

	/**
	 * The fencing token issued with this lease: greater than the token of every earlier
	 * hold of the key, by any instance.
	 * @return the token
	 */
	public long fencingToken() {
		return this.fencingToken;
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
		return "RedisLease[key=" + key() + ", fencingToken=" + this.fencingToken + "]";
	}

}
