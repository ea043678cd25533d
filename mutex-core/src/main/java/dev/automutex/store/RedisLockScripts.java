package dev.automutex.store;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts of the AutoMutex Redis engine, one per step, each touching only the
 * keys of one mutex key (one hash slot). Sent by SHA ({@code EVALSHA}) once Redis knows
 * them. Every Redis failure comes back as a {@link DataAccessResourceFailureException}
 * that names Redis and its address.
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
	 * Issue the next fencing token of a key: above the last, and never below the server
	 * clock in microseconds.
	 */
	private static final String FENCE = """
			local function fence(key, px)
				local t = redis.call('TIME')
				local floor = tonumber(t[1]) * 1000000 + tonumber(t[2])
				local token = tonumber(redis.call('GET', key) or '0') + 1
				if token < floor then
					token = floor
				end
				redis.call('SET', key, string.format('%d', token), 'PX', px)
				return token
			end
			""";

	/**
	 * Pass a released key to the first waiting instance but {@code skip}: grant it (set
	 * it to that instance's grant value with the time-to-live it asked for, with a new
	 * fencing token) and tell it on its own channel; skip instances that are gone. On a
	 * cluster ({@code trustCount} 0: a node counts only its own subscribers) reserve the
	 * key a short while for the instance woken instead. With nobody to wake, delete the
	 * key.
	 */
	private static final String WAKE_NEXT = FENCE
			+ """
					local function wakeNext(lock, queue, ttls, fenceKey, skip, channelPrefix, key, trustCount, reserveMs, tailMs)
						local members = redis.call('ZRANGE', queue, 0, -1)
						for _, m in ipairs(members) do
							if m ~= skip then
								redis.call('ZREM', queue, m)
								local ttl = redis.call('HGET', ttls, m)
								redis.call('HDEL', ttls, m)
								if trustCount == '1' and ttl then
									local token = fence(fenceKey, tonumber(ttl) + tonumber(tailMs))
									local message = 'g ' .. string.format('%d', token) .. ' ' .. ttl .. ' ' .. key
									if redis.call('PUBLISH', channelPrefix .. m, message) > 0 then
										redis.call('SET', lock, m .. ':g:' .. string.format('%d', token), 'PX', ttl)
										return 1
									end
								elseif redis.call('PUBLISH', channelPrefix .. m, 'w ' .. key) > 0 or trustCount == '0' then
									redis.call('SET', lock, 'reserved:' .. m, 'PX', reserveMs)
									return 1
								end
							end
						end
						redis.call('DEL', lock)
						return 0
					end
					""";

	// KEYS: lock, queue, fence, ttls. ARGV: value, ttl ms, wait ms, instance id, front
	// (1/0), fence px, last grant token taken here. A key reserved for another instance
	// answers its reservation's time left plus the caller's own time-to-live: the caller
	// is woken when the key is released. A key granted to this instance and not taken
	// here yet is taken: its time-to-live is made at least the caller's, and the reply
	// is {2, token, time left}.
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> ACQUIRE = new DefaultRedisScript<>(FENCE + """
			local current = redis.call('GET', KEYS[1])
			if current == false or current == 'reserved:' .. ARGV[4] then
				redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
				redis.call('ZREM', KEYS[2], ARGV[4])
				redis.call('HDEL', KEYS[4], ARGV[4])
				return {1, fence(KEYS[3], ARGV[6])}
			end
			local granted = ARGV[4] .. ':g:'
			if string.sub(current, 1, #granted) == granted then
				local token = tonumber(string.sub(current, #granted + 1))
				if token > tonumber(ARGV[7]) then
					if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
						redis.call('PEXPIRE', KEYS[1], ARGV[2])
						redis.call('PEXPIRE', KEYS[3], ARGV[6])
					end
					redis.call('ZREM', KEYS[2], ARGV[4])
					redis.call('HDEL', KEYS[4], ARGV[4])
					return {2, token, redis.call('PTTL', KEYS[1])}
				end
			end
			local wait = tonumber(ARGV[3])
			if wait > 0 then
				local t = redis.call('TIME')
				local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
				if ARGV[5] == '1' then
					local head = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
					local score = now
					if head[2] and tonumber(head[2]) <= now then
						score = tonumber(head[2]) - 1
					end
					redis.call('ZADD', KEYS[2], score, ARGV[4])
				else
					redis.call('ZADD', KEYS[2], 'NX', now, ARGV[4])
				end
				redis.call('HSET', KEYS[4], ARGV[4], ARGV[2])
				if redis.call('PTTL', KEYS[2]) < wait then
					redis.call('PEXPIRE', KEYS[2], wait)
				end
				redis.call('PEXPIRE', KEYS[4], redis.call('PTTL', KEYS[2]))
			end
			local pttl = redis.call('PTTL', KEYS[1])
			if string.sub(current, 1, 9) == 'reserved:' then
				pttl = pttl + tonumber(ARGV[2])
			end
			return {0, pttl}
			""", List.class);

	// KEYS: lock, queue, fence, ttls. ARGV: value, wake channel prefix, key, trust count,
	// tail ms, reserve ms, instance id to take out of the queue (nobody waits there) or
	// ''.
	private static final RedisScript<Long> RELEASE = new DefaultRedisScript<>(WAKE_NEXT + """
			if redis.call('GET', KEYS[1]) ~= ARGV[1] then
				return 0
			end
			if ARGV[7] ~= '' then
				redis.call('ZREM', KEYS[2], ARGV[7])
				redis.call('HDEL', KEYS[4], ARGV[7])
			end
			redis.call('PEXPIRE', KEYS[3], ARGV[5])
			wakeNext(KEYS[1], KEYS[2], KEYS[4], KEYS[3], '', ARGV[2], ARGV[3], ARGV[4], ARGV[6], ARGV[5])
			return 1
			""", Long.class);

	// KEYS: lock, queue, fence, ttls. ARGV: old value, new value, ttl ms, may hand off
	// (1/0), instance id, wake channel prefix, key, trust count, tail ms, reserve ms,
	// unqueue (1/0: nobody else waits in this instance).
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> HAND_OFF = new DefaultRedisScript<>(WAKE_NEXT + """
			if redis.call('GET', KEYS[1]) ~= ARGV[1] then
				return {-1}
			end
			local others = redis.call('ZCARD', KEYS[2])
			if redis.call('ZSCORE', KEYS[2], ARGV[5]) then
				others = others - 1
			end
			if ARGV[4] ~= '1' and others > 0 then
				redis.call('PEXPIRE', KEYS[3], ARGV[9])
				wakeNext(KEYS[1], KEYS[2], KEYS[4], KEYS[3], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[10], ARGV[9])
				local t = redis.call('TIME')
				redis.call('ZADD', KEYS[2], 'NX', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[5])
				redis.call('HSET', KEYS[4], ARGV[5], ARGV[3])
				if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[9]) then
					redis.call('PEXPIRE', KEYS[2], ARGV[9])
				end
				redis.call('PEXPIRE', KEYS[4], redis.call('PTTL', KEYS[2]))
				return {0}
			end
			redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
			if ARGV[11] == '1' then
				redis.call('ZREM', KEYS[2], ARGV[5])
				redis.call('HDEL', KEYS[4], ARGV[5])
			end
			return {1, fence(KEYS[3], tonumber(ARGV[3]) + tonumber(ARGV[9])), others}
			""", List.class);

	// KEYS: lock, fence. ARGV: value, fence px. A fencing token for a lease passed on
	// without Redis, if the key is still held for it; else -1.
	private static final RedisScript<Long> FENCE_HELD = new DefaultRedisScript<>(FENCE + """
			if redis.call('GET', KEYS[1]) ~= ARGV[1] then
				return -1
			end
			return fence(KEYS[2], ARGV[2])
			""", Long.class);

	// KEYS: lock, queue, fence, ttls. ARGV: wake channel prefix, key, trust count,
	// reserve ms, instance id, tail ms.
	private static final RedisScript<Long> PASS_ON = new DefaultRedisScript<>(
			WAKE_NEXT
					+ """
							local current = redis.call('GET', KEYS[1])
							if current == false or current == 'reserved:' .. ARGV[5] then
								return wakeNext(KEYS[1], KEYS[2], KEYS[4], KEYS[3], ARGV[5], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[6])
							end
							return 0
							""",
			Long.class);

	// KEYS: queue, ttls. ARGV: instance id.
	private static final RedisScript<Long> UNQUEUE = new DefaultRedisScript<>("""
			redis.call('HDEL', KEYS[2], ARGV[1])
			return redis.call('ZREM', KEYS[1], ARGV[1])
			""", Long.class);

	// KEYS: lock. The time-to-live of a held key; -2 for a free or reserved one.
	private static final RedisScript<Long> LEASE_LEFT = new DefaultRedisScript<>("""
			local current = redis.call('GET', KEYS[1])
			if current == false or string.sub(current, 1, 9) == 'reserved:' then
				return -2
			end
			return redis.call('PTTL', KEYS[1])
			""", Long.class);

	/**
	 * How long a released key stays reserved for the waiting instance woken for it, in
	 * ms: long enough for the wake-up and its attempt, short enough that a woken instance
	 * that died costs little.
	 */
	static final long RESERVE_MILLIS = 250;

	// KEYS: lock, fence. ARGV: value, ttl ms, tail ms.
	private static final RedisScript<Long> RENEW = new DefaultRedisScript<>("""
			if redis.call('GET', KEYS[1]) ~= ARGV[1] then
				return 0
			end
			redis.call('PEXPIRE', KEYS[1], ARGV[2])
			redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) + tonumber(ARGV[3]))
			return 1
			""", Long.class);

	/** How long a key's last fencing token stays in Redis after its last hold, in ms. */
	static final long FENCE_TAIL_MILLIS = 60_000;

	private final StringRedisTemplate redis;

	private final String address;

	private final String channelPrefix;

	private final String trustCount;

	RedisLockScripts(StringRedisTemplate redis, String address, String channelPrefix, boolean cluster) {
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
		List<?> reply = run(ACQUIRE, keys(lockKey), value, Long.toString(ttlMillis), Long.toString(waitMillis),
				instanceId, front ? "1" : "0", Long.toString(ttlMillis + FENCE_TAIL_MILLIS), Long.toString(lastGrant));
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
		Long released = run(RELEASE, keys(lockKey), value, this.channelPrefix, key, this.trustCount,
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
		List<?> reply = run(HAND_OFF, keys(lockKey), oldValue, newValue, Long.toString(ttlMillis),
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
		return run(FENCE_HELD, List.of(lockKey, RedisKeyLayout.fenceKey(lockKey)), value,
				Long.toString(ttlMillis + FENCE_TAIL_MILLIS));
	}

	boolean renew(String lockKey, String value, long ttlMillis) {
		Long renewed = run(RENEW, List.of(lockKey, RedisKeyLayout.fenceKey(lockKey)), value, Long.toString(ttlMillis),
				Long.toString(FENCE_TAIL_MILLIS));
		return renewed != null && renewed == 1;
	}

	void passOn(String lockKey, String key, String instanceId) {
		run(PASS_ON, keys(lockKey), this.channelPrefix, key, this.trustCount, Long.toString(RESERVE_MILLIS), instanceId,
				Long.toString(FENCE_TAIL_MILLIS));
	}

	void unregister(String lockKey, String instanceId) {
		run(UNQUEUE, List.of(RedisKeyLayout.queueKey(lockKey), RedisKeyLayout.ttlKey(lockKey)), instanceId);
	}

	@Nullable String get(String lockKey) {
		try {
			return this.redis.opsForValue().get(lockKey);
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
	long leaseLeft(String lockKey) {
		return run(LEASE_LEFT, List.of(lockKey));
	}

	private <T> T run(RedisScript<T> script, List<String> keys, Object... args) {
		T result;
		try {
			result = this.redis.execute(script, keys, args);
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

	private DataAccessResourceFailureException failed(DataAccessException ex) {
		return new DataAccessResourceFailureException("Redis at " + this.address + " failed: " + ex.getMessage(), ex);
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
