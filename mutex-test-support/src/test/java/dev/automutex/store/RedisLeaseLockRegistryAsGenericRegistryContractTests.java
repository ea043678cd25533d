package dev.automutex.store;

import java.time.Duration;

import dev.automutex.test.RedisServerExtension;
import dev.automutex.test.store.AbstractRenewableMutexStoreContractTests;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The store contract on AutoMutex's Redis engine used as any Spring Integration registry
 * is
 * ({@link LockRegistryMutexStore#of(org.springframework.integration.support.locks.LockRegistry)}):
 * its locks, renewed through {@code renewLock} from the template's renewal threads.
 */
class RedisLeaseLockRegistryAsGenericRegistryContractTests extends AbstractRenewableMutexStoreContractTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private LettuceConnectionFactory connectionFactory;

	private RedisLeaseLockRegistry registry;

	private @Nullable LettuceConnectionFactory otherConnection;

	private @Nullable RedisLeaseLockRegistry otherRegistry;

	@Override
	protected RenewableMutexStore createStore() {
		redisServer.server().flushAll();
		this.connectionFactory = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		this.registry = new RedisLeaseLockRegistry(this.connectionFactory, "mutex", Duration.ofSeconds(30));
		return (RenewableMutexStore) LockRegistryMutexStore.of(this.registry, Duration.ofSeconds(30));
	}

	@Override
	protected ExpiringMutexStore createOtherInstance() {
		this.otherConnection = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		this.otherRegistry = new RedisLeaseLockRegistry(this.otherConnection, "mutex", Duration.ofSeconds(30));
		return (ExpiringMutexStore) LockRegistryMutexStore.of(this.otherRegistry, Duration.ofSeconds(30));
	}

	@Override
	protected void removeBehindTheHoldersBack(String key) {
		redisServer.server().command("DEL " + this.registry.redisKey(key));
	}

	@Override
	protected void destroyStore(MutexStore store) throws Exception {
		super.destroyStore(store);
		if (this.otherConnection != null && store != null && store != store()) {
			this.otherRegistry.destroy();
			this.otherConnection.destroy();
			this.otherConnection = null;
			return;
		}
		this.registry.destroy();
		this.connectionFactory.destroy();
	}

}
