package dev.automutex.store;

import java.time.Duration;

import dev.automutex.test.RedisServerExtension;
import dev.automutex.test.store.AbstractRenewableMutexStoreContractTests;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The store contract, with leases and renewal, on AutoMutex's own Redis engine and a real
 * redis-server started for this class.
 */
class RedisLeaseMutexStoreContractTests extends AbstractRenewableMutexStoreContractTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private LettuceConnectionFactory connectionFactory;

	private @Nullable LettuceConnectionFactory otherConnection;

	@Override
	protected RedisLeaseMutexStore createStore() {
		redisServer.server().flushAll();
		this.connectionFactory = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		return new RedisLeaseMutexStore(this.connectionFactory, "mutex", Duration.ofSeconds(30));
	}

	@Override
	protected RedisLeaseMutexStore createOtherInstance() {
		this.otherConnection = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		return new RedisLeaseMutexStore(this.otherConnection, "mutex", Duration.ofSeconds(30));
	}

	@Override
	protected void removeBehindTheHoldersBack(String key) {
		redisServer.server().command("DEL " + ((RedisLeaseMutexStore) store()).redisKey(key));
	}

	@Override
	protected void destroyStore(MutexStore store) throws Exception {
		super.destroyStore(store);
		if (this.otherConnection != null && store != null && store != store()) {
			this.otherConnection.destroy();
			this.otherConnection = null;
			return;
		}
		this.connectionFactory.destroy();
	}

}
