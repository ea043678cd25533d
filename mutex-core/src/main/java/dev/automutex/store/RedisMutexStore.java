package dev.automutex.store;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;
import org.springframework.util.Assert;
import org.springframework.util.ReflectionUtils;

/**
 * {@link MutexStore} on Redis, over Spring Integration's {@link RedisLockRegistry}: a key
 * {@code k} is the Redis key {@code <prefix>:k}, held with a time-to-live of
 * {@code expire} so that a crashed holder's keys free themselves. Every instance that
 * uses the same Redis and prefix excludes every other.
 * <p>
 * Waiters are woken by pub/sub ({@link RedisLockType#PUB_SUB_LOCK}) by default; use
 * {@link RedisLockType#SPIN_LOCK} where Redis has no pub/sub (some managed or proxied
 * setups).
 * <p>
 * Thread-safe.
 *
 * @since 0.1.0
 */
public class RedisMutexStore extends RenewableLockRegistryMutexStore
		implements FencingMutexStore, ForceReleasableMutexStore, ListableMutexStore {

	private final StringRedisTemplate redis;

	private final String prefix;

	private final String description;

	private final String clientId;

	private final String fencingKey;

	// The counter never goes below the server's clock in microseconds: a Redis that
	// lost the counter (restart without persistence, failover, eviction) still issues
	// tokens above every one issued before.
	private static final RedisScript<Long> TOKEN_IF_OWNER = new DefaultRedisScript<>("""
			if redis.call('GET', KEYS[1]) ~= ARGV[1] then
				return -1
			end
			local now = redis.call('TIME')
			local floor = tonumber(now[1]) * 1000000 + tonumber(now[2])
			local token = redis.call('INCR', KEYS[2])
			if token < floor then
				redis.call('SET', KEYS[2], floor)
				token = floor
			end
			return token
			""", Long.class);

	// Free a key whoever holds it, and tell the registry's waiters as its own unlock
	// does: the Redis key, on the channel <prefix>-channel:<Redis key> (its waiters
	// listen to the pattern <prefix>-channel:*).
	private static final RedisScript<Boolean> FORCE_RELEASE = new DefaultRedisScript<>("""
			if redis.call('UNLINK', KEYS[1]) == 1 then
				redis.call('PUBLISH', ARGV[1], KEYS[1])
				return true
			end
			return false
			""", Boolean.class);

	/**
	 * Create a store.
	 * @param connectionFactory the Redis connection
	 * @param prefix the prefix of every key ({@code mutex} gives {@code mutex:<key>})
	 * @param expire the default time-to-live of a held key
	 * @param lockType how waiters learn that a key was released
	 */
	public RedisMutexStore(RedisConnectionFactory connectionFactory, String prefix, Duration expire,
			RedisLockType lockType) {
		super(createRegistry(connectionFactory, prefix, expire, lockType), expire, true);
		this.prefix = prefix;
		this.redis = new StringRedisTemplate(connectionFactory);
		this.clientId = clientId((RedisLockRegistry) getRegistry());
		this.fencingKey = prefix + "-fencing";
		this.description = "RedisMutexStore[prefix=" + prefix + ", expire=" + expire + ", lockType=" + lockType + "]";
	}

	private static RedisLockRegistry createRegistry(RedisConnectionFactory connectionFactory, String prefix,
			Duration expire, RedisLockType lockType) {
		Assert.notNull(connectionFactory, "RedisConnectionFactory must not be null");
		Assert.hasText(prefix, "prefix must not be empty");
		Assert.isTrue(expire.compareTo(Duration.ofMillis(1)) >= 0, "expire must be at least 1ms");
		Assert.notNull(lockType, "lockType must not be null");
		RedisLockRegistry registry = new RedisLockRegistry(connectionFactory, prefix, expire);
		registry.setRedisLockType(lockType);
		return registry;
	}

	/**
	 * The Redis key under which a mutex key is stored.
	 * @param key the mutex key
	 * @return {@code <prefix>:<key>}
	 */
	public String redisKey(String key) {
		return this.prefix + ":" + key;
	}

	/**
	 * Ask Redis whether the key exists: held by this or any other instance.
	 */
	@Override
	public boolean isLocked(String key) {
		return Boolean.TRUE.equals(this.redis.hasKey(redisKey(key)));
	}

	/**
	 * The value RedisLockRegistry stores under the keys it holds. It is not public;
	 * without it we could not tell our own hold from another instance's.
	 * @param registry the registry
	 * @return the registry's client id
	 */
	private static String clientId(RedisLockRegistry registry) {
		Field field = ReflectionUtils.findField(RedisLockRegistry.class, "clientId", String.class);
		Assert.state(field != null, "This Spring Integration version's RedisLockRegistry has no clientId field; "
				+ "AutoMutex needs it to check ownership and issue fencing tokens");
		ReflectionUtils.makeAccessible(field);
		String id = (String) ReflectionUtils.getField(field, registry);
		Assert.state(id != null, "RedisLockRegistry has no clientId");
		return id;
	}

	/**
	 * Whether Redis still has the key for this instance ({@code GET} compared with the
	 * registry's client id).
	 */
	@Override
	protected boolean isStillHeld(RegistryHeld held) {
		return this.clientId.equals(this.redis.opsForValue().get(redisKey(held.key())));
	}

	/**
	 * A token from one counter ({@code <prefix>-fencing}), issued by a script that checks
	 * ownership first.
	 */
	@Override
	public long fencingToken(Held held) {
		Assert.isInstanceOf(RegistryHeld.class, held, "Not an acquisition of this store");
		Long issued = ((RegistryHeld) held).isReleased() ? null
				: this.redis.execute(TOKEN_IF_OWNER, List.of(redisKey(held.key()), this.fencingKey), this.clientId);
		if (issued == null || issued < 0) {
			throw new IllegalStateException("Mutex '" + held.key() + "' is no longer held by this instance in Redis "
					+ "(it expired or was taken over), so it gets no fencing token");
		}
		return issued;
	}

	/**
	 * The key's time-to-live in Redis.
	 */
	@Override
	public @Nullable Duration leaseLeft(String key) {
		Long millis = this.redis.getExpire(redisKey(key), TimeUnit.MILLISECONDS);
		return (millis != null && millis >= 0) ? Duration.ofMillis(millis) : null;
	}

	/**
	 * Delete the key whoever holds it, and wake the registry's waiters. A holder in
	 * another instance finds it lost at its next renewal or release; threads of the
	 * holder's own instance still wait for its holder thread to unlock (Spring
	 * Integration locks a key in the JVM before Redis).
	 */
	@Override
	public boolean forceRelease(String key) {
		String redisKey = redisKey(key);
		return Boolean.TRUE
			.equals(this.redis.execute(FORCE_RELEASE, List.of(redisKey), this.prefix + "-channel:" + redisKey));
	}

	/**
	 * The keys held under this store's prefix ({@code SCAN <prefix>:*}, on every master
	 * of a cluster).
	 */
	@Override
	public List<StoredHold> heldKeys(int limit) {
		Assert.isTrue(limit > 0, "limit must be at least 1");
		List<StoredHold> held = new ArrayList<>();
		RedisConnectionFactory factory = this.redis.getRequiredConnectionFactory();
		RedisKeyScan.scan(factory, RedisKeyScan.escapeGlob(this.prefix + ":") + "*", (redisKey) -> {
			List<?> holder = this.redis.execute(RedisLockLua.HELD_BY, List.of(redisKey), this.clientId);
			long pttl = (holder != null) ? ((Number) holder.get(0)).longValue() : -2;
			if (pttl != -2) {
				held.add(new StoredHold(redisKey.substring(this.prefix.length() + 1),
						((Number) holder.get(1)).longValue() == 1, (pttl >= 0) ? Duration.ofMillis(pttl) : null));
			}
			return held.size() < limit;
		});
		return held;
	}

	@Override
	public String toString() {
		return this.description;
	}

}
