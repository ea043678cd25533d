package dev.automutex.store;

import java.util.List;

import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua of the AutoMutex Redis engine's scripts, one per step, each touching only the
 * keys of one mutex key (one hash slot); {@link RedisLockScripts} runs them. What the
 * keys hold is described there.
 */
final class RedisLockLua {

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
	static final RedisScript<List> ACQUIRE = new DefaultRedisScript<>(FENCE + """
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
	static final RedisScript<Long> RELEASE = new DefaultRedisScript<>(WAKE_NEXT + """
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
	static final RedisScript<List> HAND_OFF = new DefaultRedisScript<>(WAKE_NEXT + """
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
	static final RedisScript<Long> FENCE_HELD = new DefaultRedisScript<>(FENCE + """
			if redis.call('GET', KEYS[1]) ~= ARGV[1] then
				return -1
			end
			return fence(KEYS[2], ARGV[2])
			""", Long.class);

	// KEYS: lock, queue, fence, ttls. ARGV: wake channel prefix, key, trust count, tail
	// ms, reserve ms. Free a held key whoever holds it (an operator's force-release):
	// tell its holder's instance ('l <key>': it must not pass that lease on without
	// Redis), and grant or wake the next waiter as a release does. 0 if it was not held.
	static final RedisScript<Long> FORCE_RELEASE = new DefaultRedisScript<>(WAKE_NEXT + """
			local current = redis.call('GET', KEYS[1])
			if current == false or string.sub(current, 1, 9) == 'reserved:' then
				return 0
			end
			local holder = string.match(current, '^([^:]+):')
			if holder then
				redis.call('PUBLISH', ARGV[1] .. holder, 'l ' .. ARGV[2])
			end
			redis.call('PEXPIRE', KEYS[3], ARGV[4])
			wakeNext(KEYS[1], KEYS[2], KEYS[4], KEYS[3], '', ARGV[1], ARGV[2], ARGV[3], ARGV[5], ARGV[4])
			return 1
			""", Long.class);

	// KEYS: lock. ARGV: this instance's value prefix. {time-to-live, 1 if this instance
	// holds it}; {-2, 0} for a free or reserved key.
	@SuppressWarnings("rawtypes")
	static final RedisScript<List> HELD_BY = new DefaultRedisScript<>("""
			local current = redis.call('GET', KEYS[1])
			if current == false or string.sub(current, 1, 9) == 'reserved:' then
				return {-2, 0}
			end
			local mine = 0
			if string.sub(current, 1, #ARGV[1]) == ARGV[1] then
				mine = 1
			end
			return {redis.call('PTTL', KEYS[1]), mine}
			""", List.class);

	// KEYS: lock, queue, fence, ttls. ARGV: wake channel prefix, key, trust count,
	// reserve ms, instance id, tail ms.
	static final RedisScript<Long> PASS_ON = new DefaultRedisScript<>(
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
	static final RedisScript<Long> UNQUEUE = new DefaultRedisScript<>("""
			redis.call('HDEL', KEYS[2], ARGV[1])
			return redis.call('ZREM', KEYS[1], ARGV[1])
			""", Long.class);

	// KEYS: lock. The time-to-live of a held key; -2 for a free or reserved one.
	static final RedisScript<Long> LEASE_LEFT = new DefaultRedisScript<>("""
			local current = redis.call('GET', KEYS[1])
			if current == false or string.sub(current, 1, 9) == 'reserved:' then
				return -2
			end
			return redis.call('PTTL', KEYS[1])
			""", Long.class);

	// KEYS: lock, fence. ARGV: value, ttl ms, tail ms.
	static final RedisScript<Long> RENEW = new DefaultRedisScript<>("""
			if redis.call('GET', KEYS[1]) ~= ARGV[1] then
				return 0
			end
			redis.call('PEXPIRE', KEYS[1], ARGV[2])
			redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) + tonumber(ARGV[3]))
			return 1
			""", Long.class);

	private RedisLockLua() {
	}

}
