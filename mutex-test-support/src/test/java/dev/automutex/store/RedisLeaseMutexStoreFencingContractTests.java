package dev.automutex.store;

import java.time.Duration;

import dev.automutex.test.RedisServerExtension;
import dev.automutex.test.store.AbstractFencingMutexStoreContractTests;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

class RedisLeaseMutexStoreFencingContractTests extends AbstractFencingMutexStoreContractTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private LettuceConnectionFactory connectionFactory;

	@Override
	protected FencingMutexStore createStore() {
		redisServer.server().flushAll();
		this.connectionFactory = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		return new RedisLeaseMutexStore(this.connectionFactory, "mutex", Duration.ofSeconds(30));
	}

	@Override
	protected void destroyStore(MutexStore store) throws Exception {
		super.destroyStore(store);
		this.connectionFactory.destroy();
	}

}
