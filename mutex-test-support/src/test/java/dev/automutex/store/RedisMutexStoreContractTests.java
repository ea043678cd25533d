package dev.automutex.store;

import java.time.Duration;

import dev.automutex.test.RedisServer;
import dev.automutex.test.RedisServerExtension;
import dev.automutex.test.store.AbstractRenewableMutexStoreContractTests;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * The store contract, with leases and renewal, on a real redis-server started for this
 * class.
 */
class RedisMutexStoreContractTests extends AbstractRenewableMutexStoreContractTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private LettuceConnectionFactory connectionFactory;

	private @Nullable LettuceConnectionFactory otherConnection;

	@Override
	protected RedisMutexStore createStore() {
		redisServer.server().flushAll();
		this.connectionFactory = connectionFactory(redisServer.server());
		return new RedisMutexStore(this.connectionFactory, "mutex", Duration.ofSeconds(30), RedisLockType.PUB_SUB_LOCK);
	}

	@Override
	protected RedisMutexStore createOtherInstance() {
		this.otherConnection = connectionFactory(redisServer.server());
		return new RedisMutexStore(this.otherConnection, "mutex", Duration.ofSeconds(30), RedisLockType.PUB_SUB_LOCK);
	}

	@Override
	protected void removeBehindTheHoldersBack(String key) {
		redisServer.server().command("DEL mutex:" + key);
	}

	@Override
	protected void destroyStore(MutexStore store) throws Exception {
		super.destroyStore(store);
		if (this.otherConnection != null && store != null && store != store()) {
			// the other instance's store, destroyed after the test
			this.otherConnection.destroy();
			this.otherConnection = null;
			return;
		}
		this.connectionFactory.destroy();
	}

	static LettuceConnectionFactory connectionFactory(RedisServer redis) {
		// A short command timeout, so that tests which stop Redis fail fast instead of
		// after Lettuce's 60s.
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.host(), redis.port()),
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(2)).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

}
