package dev.automutex.store;

import java.time.Duration;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * The two Redis engines AutoMutex ships, for the fault tests that run on both: the store
 * an instance uses and where it keeps a key in Redis.
 */
enum RedisEngine {

	/**
	 * AutoMutex's own engine ({@link RedisLeaseMutexStore}): a key {@code k} is
	 * {@code <prefix>:{k}}, next to {@code <prefix>:{k}:f} (its last fencing token) and,
	 * while instances wait, {@code <prefix>:{k}:q}.
	 */
	AUTOMUTEX {

		@Override
		MutexStore store(RedisConnectionFactory connectionFactory, String prefix, Duration expire) {
			return new RedisLeaseMutexStore(connectionFactory, prefix, expire);
		}

		@Override
		String redisKey(String prefix, String key) {
			return new RedisKeyLayout(prefix).lockKey(key);
		}

	},

	/**
	 * Spring Integration's {@code RedisLockRegistry} ({@link RedisMutexStore}, pub/sub
	 * locks): a key {@code k} is {@code <prefix>:k}.
	 */
	SPRING_INTEGRATION {

		@Override
		MutexStore store(RedisConnectionFactory connectionFactory, String prefix, Duration expire) {
			return new RedisMutexStore(connectionFactory, prefix, expire, RedisLockType.PUB_SUB_LOCK);
		}

		@Override
		String redisKey(String prefix, String key) {
			return prefix + ":" + key;
		}

	};

	/**
	 * Create a store on this engine; destroy it when done (it is a
	 * {@link org.springframework.beans.factory.DisposableBean}).
	 * @param connectionFactory the Redis connection
	 * @param prefix the key prefix
	 * @param expire the default time-to-live of a held key
	 * @return the store
	 */
	abstract MutexStore store(RedisConnectionFactory connectionFactory, String prefix, Duration expire);

	/**
	 * The Redis key under which this engine holds a key.
	 * @param prefix the key prefix
	 * @param key the key
	 * @return the Redis key
	 */
	abstract String redisKey(String prefix, String key);

}
