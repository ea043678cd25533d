package dev.automutex.store;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Runs the Lua scripts of the AutoMutex Redis engine ({@link RedisLockLua}), one per
 * step, each touching only the keys of one mutex key (one hash slot). Sent by SHA
 * ({@code EVALSHA}) once Redis knows them. Every Redis failure comes back as a
 * {@link DataAccessResourceFailureException} that names Redis and its address.
 * <p>
 * Values stored: the lock key holds {@code <instance id>:<random lease token>} with the
 * lease's time-to-live, or {@code <instance id>:g:<fencing token>} for a key a release
 * granted to a waiting instance; on Redis Cluster, where a release cannot tell whether
 * the waiting instance is alive, a released key is instead {@code reserved:<instance id>}
 * for {@value #RESERVE_MILLIS} ms for the instance woken. The fence key holds the last
 * fencing token issued for the key, kept a tail after the last hold; the queue is a
 * sorted set of waiting instance ids by arrival, and the time-to-live hash the lease each
 * of them asks for; both end with their last waiter's wait.
 * <p>
 * Wake-up messages, on the woken instance's own channel: {@code g <token> <ttl ms> <key>}
 * for a granted key, {@code w <key>} for a reserved one.
 */
final class RedisLockScripts {

	/**
	 * How long a released key stays reserved for the waiting instance woken for it, in
	 * ms: long enough for the wake-up and its attempt, short enough that a woken instance
	 * that died costs little.
	 */
	static final long RESERVE_MILLIS = 250;

	/** How long a key's last fencing token stays in Redis after its last hold, in ms. */
	static final long FENCE_TAIL_MILLIS = 60_000;

	private final RedisScriptRunner redis;

	private final String address;

	private final String channelPrefix;

	private final String trustCount;

	RedisLockScripts(RedisScriptRunner redis, String address, String channelPrefix, boolean cluster) {
		this.redis = redis;
		this.address = address;
		this.channelPrefix = channelPrefix;
		// A cluster node counts only its own subscribers in PUBLISH's answer.
		this.trustCount = cluster ? "0" : "1";
	}

	String address() {
		return this.address;
	}

	/**
	 * Set the key if it is free, with its fencing token, or take a key granted to this
	 * instance that it has not taken yet; else, when the caller waits, queue this
	 * instance for the key's wake-up.
	 * @param lockKey the Redis key
	 * @param value the new lease's value
	 * @param ttlMillis the time-to-live
	 * @param waitMillis how long the caller waits; 0 to not queue
	 * @param instanceId this instance
	 * @param front whether to queue before the others (after a wake-up that another
	 * client beat)
	 * @param lastGrant the highest token of a grant this instance has taken already
	 * @return the outcome
	 */
	Attempt acquire(String lockKey, String value, long ttlMillis, long waitMillis, String instanceId, boolean front,
			long lastGrant) {
		long sentAt = System.nanoTime();
		List<?> reply = run(RedisLockLua.ACQUIRE, keys(lockKey), value, Long.toString(ttlMillis),
				Long.toString(waitMillis), instanceId, front ? "1" : "0", Long.toString(ttlMillis + FENCE_TAIL_MILLIS),
				Long.toString(lastGrant));
		long outcome = ((Number) reply.get(0)).longValue();
		long number = ((Number) reply.get(1)).longValue();
		if (outcome == 1) {
			return new Attempt(number, ttlMillis, false, sentAt);
		}
		if (outcome == 2) {
			return new Attempt(number, ((Number) reply.get(2)).longValue(), true, sentAt);
		}
		return new Attempt(0, Math.max(0, number), false, sentAt);
	}

	private static List<String> keys(String lockKey) {
		return List.of(lockKey, RedisKeyLayout.queueKey(lockKey), RedisKeyLayout.fenceKey(lockKey),
				RedisKeyLayout.ttlKey(lockKey));
	}

	/**
	 * The value a release sets for a key it grants to a waiting instance.
	 * @param instanceId the instance
	 * @param token the grant's fencing token
	 * @return the lease value
	 */
	static String grantValue(String instanceId, long token) {
		return instanceId + ":g:" + token;
	}

	/**
	 * Release the key if it is held for the value, and wake or grant the next waiting
	 * instance.
	 * @param lockKey the Redis key
	 * @param value the lease's value
	 * @param key the key, sent to the instance woken
	 * @param unqueue this instance, to be taken out of the key's queue (when nobody waits
	 * for the key here: a stale place would have the key granted back to it), or
	 * {@code ""}
	 * @return whether the key was held for the value
	 */
	boolean release(String lockKey, String value, String key, String unqueue) {
		Long released = run(RedisLockLua.RELEASE, keys(lockKey), value, this.channelPrefix, key, this.trustCount,
				Long.toString(FENCE_TAIL_MILLIS), Long.toString(RESERVE_MILLIS), unqueue);
		return released != null && released == 1;
	}

	/**
	 * Pass a held key to a new lease of this instance, unless other instances wait and
	 * this instance may not hand off again: then release it to the first of them.
	 * @param lockKey the Redis key
	 * @param oldValue the releasing lease's value
	 * @param newValue the new lease's value
	 * @param ttlMillis the new lease's time-to-live
	 * @param mayHandOff whether a hand-off is allowed while others wait
	 * @param instanceId this instance
	 * @param key the key, sent to the instance woken
	 * @param unqueue whether to take this instance out of the key's queue (nobody else
	 * waits here)
	 * @return the new lease's fencing token, negated if other instances wait for the key;
	 * {@code 0} if released to another instance; {@link Long#MIN_VALUE} if the old lease
	 * was lost
	 */
	long handOff(String lockKey, String oldValue, String newValue, long ttlMillis, boolean mayHandOff,
			String instanceId, String key, boolean unqueue) {
		List<?> reply = run(RedisLockLua.HAND_OFF, keys(lockKey), oldValue, newValue, Long.toString(ttlMillis),
				mayHandOff ? "1" : "0", instanceId, this.channelPrefix, key, this.trustCount,
				Long.toString(FENCE_TAIL_MILLIS), Long.toString(RESERVE_MILLIS), unqueue ? "1" : "0");
		long outcome = ((Number) reply.get(0)).longValue();
		if (outcome == 1) {
			long token = ((Number) reply.get(1)).longValue();
			return (((Number) reply.get(2)).longValue() > 0) ? -token : token;
		}
		return (outcome == 0) ? 0 : Long.MIN_VALUE;
	}

	/**
	 * Issue a fencing token for a lease passed on without Redis, if Redis still holds the
	 * key for its value.
	 * @param lockKey the Redis key
	 * @param value the lease's value
	 * @param ttlMillis the lease's time-to-live
	 * @return the token, or {@code -1} if the key is no longer held for the value
	 */
	long fencingToken(String lockKey, String value, long ttlMillis) {
		return run(RedisLockLua.FENCE_HELD, List.of(lockKey, RedisKeyLayout.fenceKey(lockKey)), value,
				Long.toString(ttlMillis + FENCE_TAIL_MILLIS));
	}

	boolean renew(String lockKey, String value, long ttlMillis) {
		Long renewed = run(RedisLockLua.RENEW, List.of(lockKey, RedisKeyLayout.fenceKey(lockKey)), value,
				Long.toString(ttlMillis), Long.toString(FENCE_TAIL_MILLIS));
		return renewed != null && renewed == 1;
	}

	void passOn(String lockKey, String key, String instanceId) {
		run(RedisLockLua.PASS_ON, keys(lockKey), this.channelPrefix, key, this.trustCount,
				Long.toString(RESERVE_MILLIS), instanceId, Long.toString(FENCE_TAIL_MILLIS));
	}

	void unregister(String lockKey, String instanceId) {
		run(RedisLockLua.UNQUEUE, List.of(RedisKeyLayout.queueKey(lockKey), RedisKeyLayout.ttlKey(lockKey)),
				instanceId);
	}

	@Nullable String get(String lockKey) {
		try {
			return this.redis.get(lockKey);
		}
		catch (DataAccessException ex) {
			throw failed(ex);
		}
	}

	/**
	 * Whether a lease holds the key (a key reserved for a woken waiter is not held).
	 * @param lockKey the Redis key
	 * @return whether held
	 */
	boolean isHeld(String lockKey) {
		String value = get(lockKey);
		return value != null && !value.startsWith("reserved:");
	}

	/**
	 * The time-to-live of a held key.
	 * @param lockKey the Redis key
	 * @return the time left in ms, or -2 if the key is free or only reserved
	 */
	/**
	 * Free a held key whoever holds it, telling its holder's instance, and grant or wake
	 * the next waiting instance.
	 * @param lockKey the Redis key
	 * @param key the key, sent to the instances told
	 * @return whether the key was held
	 */
	boolean forceRelease(String lockKey, String key) {
		Long released = run(RedisLockLua.FORCE_RELEASE, keys(lockKey), this.channelPrefix, key, this.trustCount,
				Long.toString(FENCE_TAIL_MILLIS), Long.toString(RESERVE_MILLIS));
		return released == 1;
	}

	/**
	 * Who holds a key, for a listing.
	 * @param lockKey the Redis key
	 * @param instanceId this instance
	 * @return {time-to-live in ms (-2: not held), 1 if this instance holds it}
	 */
	long[] heldBy(String lockKey, String instanceId) {
		List<?> reply = run(RedisLockLua.HELD_BY, List.of(lockKey), instanceId + ":");
		return new long[] { ((Number) reply.get(0)).longValue(), ((Number) reply.get(1)).longValue() };
	}

	long leaseLeft(String lockKey) {
		return run(RedisLockLua.LEASE_LEFT, List.of(lockKey));
	}

	private <T> T run(RedisScript<T> script, List<String> keys, String... args) {
		T result;
		try {
			result = this.redis.run(script, keys, args);
		}
		catch (DataAccessException ex) {
			throw failed(ex);
		}
		if (result == null) {
			throw new DataAccessResourceFailureException("Redis at " + this.address + " answered nothing to a "
					+ "lock script (was the connection in a transaction or a pipeline?)");
		}
		return result;
	}

	// Redis's own reply (NOPERM ..., WRONGTYPE ...) is in the innermost cause: Spring
	// Data Redis's message alone says only "Error in execution".
	private DataAccessResourceFailureException failed(DataAccessException ex) {
		String message = String.valueOf(ex.getMessage());
		String cause = ex.getMostSpecificCause().getMessage();
		if (cause != null && !message.contains(cause)) {
			message = message + ": " + cause;
		}
		return new DataAccessResourceFailureException("Redis at " + this.address + " failed: " + message, ex);
	}

	/**
	 * The outcome of an attempt at a key.
	 *
	 * @param token the fencing token if the key was taken, else {@code 0}
	 * @param millis the key's time-to-live: the lease's if taken, else the time until it
	 * may be free
	 * @param grant whether the key was taken as a grant to this instance (its value is
	 * {@link #grantValue(String, long)}, not the caller's)
	 * @param sentAt {@link System#nanoTime()} before the attempt went out: a key taken is
	 * held at least until then plus {@code millis}
	 */
	record Attempt(long token, long millis, boolean grant, long sentAt) {

		boolean taken() {
			return this.token > 0;
		}

	}

}
