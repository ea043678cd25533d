package dev.automutex.store;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.automutex.AbstractMutexStoreContractTests;
import dev.automutex.test.RedisServer;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * The store contract on a real redis-server started for this class.
 */
class RedisMutexStoreContractTests extends AbstractMutexStoreContractTests {

	private static RedisServer redis;

	private LettuceConnectionFactory connectionFactory;

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() {
		if (redis != null) {
			redis.close();
		}
	}

	@Override
	protected MutexStore createStore() {
		redis.flushAll();
		this.connectionFactory = connectionFactory(redis);
		return new RedisMutexStore(this.connectionFactory, "mutex", Duration.ofSeconds(30), RedisLockType.PUB_SUB_LOCK);
	}

	@Override
	protected void destroyStore(MutexStore store) throws Exception {
		super.destroyStore(store);
		this.connectionFactory.destroy();
	}

	static LettuceConnectionFactory connectionFactory(RedisServer redis) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.host(), redis.port()));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

}
