package dev.automutex.store;

import java.time.Duration;

import dev.automutex.test.RedisServerExtension;
import dev.automutex.test.store.AbstractForceReleasableMutexStoreContractTests;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

class RedisMutexStoreForceReleaseContractTests extends AbstractForceReleasableMutexStoreContractTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private LettuceConnectionFactory connectionFactory;

	private LettuceConnectionFactory otherFactory;

	@Override
	protected ForceReleasableMutexStore createStore() {
		redisServer.server().flushAll();
		this.connectionFactory = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		return new RedisMutexStore(this.connectionFactory, "mutex", Duration.ofSeconds(30), RedisLockType.PUB_SUB_LOCK);
	}

	@Override
	protected MutexStore createStoreOfAnotherInstance() {
		this.otherFactory = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		return new RedisMutexStore(this.otherFactory, "mutex", Duration.ofSeconds(30), RedisLockType.PUB_SUB_LOCK);
	}

	@Override
	protected void destroyStore(MutexStore store) throws Exception {
		super.destroyStore(store);
		((store == store()) ? this.connectionFactory : this.otherFactory).destroy();
	}

}
