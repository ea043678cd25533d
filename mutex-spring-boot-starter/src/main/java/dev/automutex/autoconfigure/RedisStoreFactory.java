package dev.automutex.autoconfigure;

import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisMutexStore;

import org.springframework.beans.factory.ListableBeanFactory;
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

	static MutexStore create(ListableBeanFactory beanFactory, MutexProperties properties) {
		RedisConnectionFactory connectionFactory = beanFactory.getBeanProvider(RedisConnectionFactory.class)
			.getObject();
		RedisLockType lockType = (properties.getRedis().getLockType() == MutexProperties.LockType.SPIN)
				? RedisLockType.SPIN_LOCK : RedisLockType.PUB_SUB_LOCK;
		return new RedisMutexStore(connectionFactory, properties.getPrefix(), properties.getExpire(), lockType);
	}

}
