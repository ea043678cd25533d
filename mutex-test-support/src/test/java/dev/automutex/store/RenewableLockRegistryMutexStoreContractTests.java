package dev.automutex.store;

import java.time.Duration;

import dev.automutex.test.RedisServerExtension;
import dev.automutex.test.store.AbstractRenewableMutexStoreContractTests;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;

/**
 * The generic adapter for an application's own renewable registry
 * ({@link LockRegistryMutexStore#of}), here a plain {@link RedisLockRegistry} seen only
 * through Spring Integration's interfaces: leases, renewal and loss detection work
 * without anything Redis-specific.
 */
class RenewableLockRegistryMutexStoreContractTests extends AbstractRenewableMutexStoreContractTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private LettuceConnectionFactory connectionFactory;

	private @Nullable LettuceConnectionFactory otherConnection;

	private @Nullable RedisLockRegistry otherRegistry;

	private RedisLockRegistry registry;

	@Override
	protected RenewableMutexStore createStore() {
		redisServer.server().flushAll();
		this.connectionFactory = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		this.registry = new RedisLockRegistry(this.connectionFactory, "registry", Duration.ofSeconds(30));
		LockRegistryMutexStore store = LockRegistryMutexStore.of(this.registry, Duration.ofSeconds(30));
		return (RenewableMutexStore) store;
	}

	@Override
	protected RenewableMutexStore createOtherInstance() {
		this.otherConnection = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		this.otherRegistry = new RedisLockRegistry(this.otherConnection, "registry", Duration.ofSeconds(30));
		return (RenewableMutexStore) LockRegistryMutexStore.of(this.otherRegistry, Duration.ofSeconds(30));
	}

	@Override
	protected void removeBehindTheHoldersBack(String key) {
		redisServer.server().command("DEL registry:" + key);
	}

	@Override
	protected void destroyStore(MutexStore store) throws Exception {
		super.destroyStore(store);
		if (this.otherConnection != null && store != null && store != store()) {
			// the other instance's store, destroyed after the test
			if (this.otherRegistry != null) {
				this.otherRegistry.destroy();
			}
			this.otherConnection.destroy();
			this.otherConnection = null;
			return;
		}
		this.registry.destroy();
		this.connectionFactory.destroy();
	}

}
