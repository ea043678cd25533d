package dev.automutex.store;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;
import org.springframework.util.Assert;

/**
 * {@link MutexStore} on Redis, over Spring Integration's {@link RedisLockRegistry}: a key {@code k} is the Redis
 * key {@code <prefix>:k}, held with a time-to-live of {@code expire} so that a crashed holder's keys free
 * themselves. Every instance that uses the same Redis and prefix excludes every other.
 * <p>
 * Waiters are woken by pub/sub ({@link RedisLockType#PUB_SUB_LOCK}) by default; use
 * {@link RedisLockType#SPIN_LOCK} where Redis has no pub/sub (some managed or proxied setups).
 * <p>
 * Thread-safe.
 *
 * @since 0.1.0
 */
public class RedisMutexStore extends LockRegistryMutexStore {

	private final StringRedisTemplate redis;

	private final String prefix;

	private final String description;

	private final Duration expire;

	/**
	 * Create a store.
	 * @param connectionFactory the Redis connection
	 * @param prefix the prefix of every key ({@code mutex} gives {@code mutex:<key>})
	 * @param expire the default time-to-live of a held key
	 * @param lockType how waiters learn that a key was released
	 */
	public RedisMutexStore(RedisConnectionFactory connectionFactory, String prefix, Duration expire,
			RedisLockType lockType) {
		super(createRegistry(connectionFactory, prefix, expire, lockType), true);
		this.prefix = prefix;
		this.expire = expire;
		this.redis = new StringRedisTemplate(connectionFactory);
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

	@Override
	public Duration defaultExpire() {
		return this.expire;
	}

	/**
	 * The key's time-to-live in Redis.
	 */
	@Override
	public @Nullable Duration leaseLeft(String key) {
		Long millis = this.redis.getExpire(redisKey(key), TimeUnit.MILLISECONDS);
		return (millis != null && millis >= 0) ? Duration.ofMillis(millis) : null;
	}

	@Override
	public String toString() {
		return this.description;
	}

}
