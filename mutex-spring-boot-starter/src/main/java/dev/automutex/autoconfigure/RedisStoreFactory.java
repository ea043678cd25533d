package dev.automutex.autoconfigure;

import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisMutexStore;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * Creates the Redis store. Kept apart from {@link MutexAutoConfiguration} so that the Redis classes are only
 * loaded when Spring Data Redis is on the classpath.
 */
final class RedisStoreFactory {

	private RedisStoreFactory() {
	}

	static boolean hasConnectionFactory(ListableBeanFactory beanFactory) {
		return beanFactory.getBeanNamesForType(RedisConnectionFactory.class).length > 0;
	}

	/**
	 * Create the store.
	 * @param beanFactory where the connection factory is
	 * @param properties the settings
	 * @param required whether Redis was asked for explicitly ({@code mutex.store=redis}): then it must answer now,
	 * so that a wrong address fails startup rather than the first lock
	 */
	static MutexStore create(ListableBeanFactory beanFactory, MutexProperties properties, boolean required) {
		RedisConnectionFactory connectionFactory = beanFactory.getBeanProvider(RedisConnectionFactory.class)
			.getObject();
		if (required) {
			ping(connectionFactory);
		}
		RedisLockType lockType = (properties.getRedis().getLockType() == MutexProperties.LockType.SPIN)
				? RedisLockType.SPIN_LOCK : RedisLockType.PUB_SUB_LOCK;
		return new RedisMutexStore(connectionFactory, properties.getPrefix(), properties.getExpire(), lockType);
	}

	private static void ping(RedisConnectionFactory connectionFactory) {
		try (RedisConnection connection = connectionFactory.getConnection()) {
			connection.ping();
		}
		catch (RuntimeException ex) {
			throw new InvalidConfigurationPropertyValueException("mutex.store", "redis",
					"Redis did not answer (" + ex.getMessage() + "); start Redis or correct spring.data.redis.*, "
							+ "or set mutex.store to auto or local");
		}
	}

}
