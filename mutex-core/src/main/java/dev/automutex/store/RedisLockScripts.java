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
 * lease's time-to-live, or, for {@value #RESERVE_MILLIS} ms after a release,
 * {@code reserved:<instance id>} for the waiting instance that was woken; the fence key
 * holds the last fencing token issued for the key, kept a tail after the last hold; the
 * queue is a sorted set of waiting instance ids by arrival, which ends with its last
 * waiter's wait.
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
	 * Wake the first waiting instance but {@code skip}, on its own channel, and reserve
	 * the key for it a short while, so that nobody else takes it first; skip instances
	 * that are gone. With nobody to wake, delete the key.
	 */
	private static final String WAKE_NEXT = """
			local function wakeNext(lock, queue, skip, channelPrefix, key, trustCount, reserveMs)
				local members = redis.call('ZRANGE', queue, 0, -1)
				for _, m in ipairs(members) do
					if m ~= skip then
						redis.call('ZREM', queue, m)
						local received = redis.call('PUBLISH', channelPrefix .. m, key)
						if received > 0 or trustCount == '0' then
							redis.call('SET', lock, 'reserved:' .. m, 'PX', reserveMs)
							return 1
						end
					end
				end
				redis.call('DEL', lock)
				return 0
			end
			""";

	// KEYS: lock, queue, fence. ARGV: value, ttl ms, wait ms, instance id, front (1/0),
	// fence px. A key reserved for another instance answers its reservation's time left
	// plus the caller's own time-to-live: the caller is woken when the key is released.
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> ACQUIRE = new DefaultRedisScript<>(FENCE + """
			local current = redis.call('GET', KEYS[1])
			if current == false or current == 'reserved:' .. ARGV[4] then
				redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
				redis.call('ZREM', KEYS[2], ARGV[4])
				return {1, fence(KEYS[3], ARGV[6])}
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
				if redis.call('PTTL', KEYS[2]) < wait then
					redis.call('PEXPIRE', KEYS[2], wait)
				end
			end
			local pttl = redis.call('PTTL', KEYS[1])
			if string.sub(current, 1, 9) == 'reserved:' then
				pttl = pttl + tonumber(ARGV[2])
			end
			return {0, pttl}
			""", List.class);

	// KEYS: lock, queue, fence. ARGV: value, wake channel prefix, key, trust count,
	// tail ms, reserve ms.
	private static final RedisScript<Long> RELEASE = new DefaultRedisScript<>(WAKE_NEXT + """
			if redis.call('GET', KEYS[1]) ~= ARGV[1] then
				return 0
			end
			redis.call('PEXPIRE', KEYS[3], ARGV[5])
			wakeNext(KEYS[1], KEYS[2], '', ARGV[2], ARGV[3], ARGV[4], ARGV[6])
			return 1
			""", Long.class);

	// KEYS: lock, queue, fence. ARGV: old value, new value, ttl ms, may hand off (1/0),
	// instance id, wake channel prefix, key, trust count, tail ms, reserve ms, unqueue
	// (1/0: nobody else waits in this instance).
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> HAND_OFF = new DefaultRedisScript<>(
			FENCE + WAKE_NEXT
					+ """
							if redis.call('GET', KEYS[1]) ~= ARGV[1] then
								return {-1}
							end
							if ARGV[4] ~= '1' then
								local others = redis.call('ZCARD', KEYS[2])
								if redis.call('ZSCORE', KEYS[2], ARGV[5]) then
									others = others - 1
								end
								if others > 0 then
									redis.call('PEXPIRE', KEYS[3], ARGV[9])
									wakeNext(KEYS[1], KEYS[2], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[10])
									local t = redis.call('TIME')
									redis.call('ZADD', KEYS[2], 'NX', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[5])
									if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[9]) then
										redis.call('PEXPIRE', KEYS[2], ARGV[9])
									end
									return {0}
								end
							end
							redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
							if ARGV[11] == '1' then
								redis.call('ZREM', KEYS[2], ARGV[5])
							end
							return {1, fence(KEYS[3], tonumber(ARGV[3]) + tonumber(ARGV[9]))}
							""",
			List.class);

	// KEYS: lock, queue. ARGV: wake channel prefix, key, trust count, reserve ms,
	// instance id.
	private static final RedisScript<Long> PASS_ON = new DefaultRedisScript<>(WAKE_NEXT + """
			local current = redis.call('GET', KEYS[1])
			if current == false or current == 'reserved:' .. ARGV[5] then
				return wakeNext(KEYS[1], KEYS[2], ARGV[5], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
			end
			return 0
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
	 * Set the key if it is free, with its fencing token; else, when the caller waits,
	 * queue this instance for the key's wake-up.
	 * @param lockKey the Redis key
	 * @param value the new lease's value
	 * @param ttlMillis the time-to-live
	 * @param waitMillis how long the caller waits; 0 to not queue
	 * @param instanceId this instance
	 * @param front whether to queue before the others (after a wake-up that another
	 * client beat)
	 * @return the fencing token if acquired, else {@code -1 - pttl} (at most -1)
	 */
	long acquire(String lockKey, String value, long ttlMillis, long waitMillis, String instanceId, boolean front) {
		List<?> reply = run(ACQUIRE,
				List.of(lockKey, RedisKeyLayout.queueKey(lockKey), RedisKeyLayout.fenceKey(lockKey)), value,
				Long.toString(ttlMillis), Long.toString(waitMillis), instanceId, front ? "1" : "0",
				Long.toString(ttlMillis + FENCE_TAIL_MILLIS));
		long result = ((Number) reply.get(1)).longValue();
		return (((Number) reply.get(0)).longValue() == 1) ? result : -1 - Math.max(0, result);
	}

	boolean release(String lockKey, String value, String key) {
		Long released = run(RELEASE,
				List.of(lockKey, RedisKeyLayout.queueKey(lockKey), RedisKeyLayout.fenceKey(lockKey)), value,
				this.channelPrefix, key, this.trustCount, Long.toString(FENCE_TAIL_MILLIS),
				Long.toString(RESERVE_MILLIS));
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
	 * @return the new lease's fencing token; {@code 0} if released to another instance;
	 * {@code -1} if the old lease was lost
	 */
	long handOff(String lockKey, String oldValue, String newValue, long ttlMillis, boolean mayHandOff,
			String instanceId, String key, boolean unqueue) {
		List<?> reply = run(HAND_OFF,
				List.of(lockKey, RedisKeyLayout.queueKey(lockKey), RedisKeyLayout.fenceKey(lockKey)), oldValue,
				newValue, Long.toString(ttlMillis), mayHandOff ? "1" : "0", instanceId, this.channelPrefix, key,
				this.trustCount, Long.toString(FENCE_TAIL_MILLIS), Long.toString(RESERVE_MILLIS), unqueue ? "1" : "0");
		long outcome = ((Number) reply.get(0)).longValue();
		return (outcome == 1) ? ((Number) reply.get(1)).longValue() : outcome;
	}

	boolean renew(String lockKey, String value, long ttlMillis) {
		Long renewed = run(RENEW, List.of(lockKey, RedisKeyLayout.fenceKey(lockKey)), value, Long.toString(ttlMillis),
				Long.toString(FENCE_TAIL_MILLIS));
		return renewed != null && renewed == 1;
	}

	void passOn(String lockKey, String key, String instanceId) {
		run(PASS_ON, List.of(lockKey, RedisKeyLayout.queueKey(lockKey)), this.channelPrefix, key, this.trustCount,
				Long.toString(RESERVE_MILLIS), instanceId);
	}

	void unregister(String lockKey, String instanceId) {
		try {
			this.redis.opsForZSet().remove(RedisKeyLayout.queueKey(lockKey), instanceId);
		}
		catch (DataAccessException ex) {
			throw failed(ex);
		}
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

}
