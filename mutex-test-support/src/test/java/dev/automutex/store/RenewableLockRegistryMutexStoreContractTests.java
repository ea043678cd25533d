package dev.automutex.store;

import java.time.Duration;

import dev.automutex.test.RedisServerExtension;
import dev.automutex.test.store.AbstractRenewableMutexStoreContractTests;
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
		RedisLockRegistry other = new RedisLockRegistry(
				RedisMutexStoreContractTests.connectionFactory(redisServer.server()), "registry",
				Duration.ofSeconds(30));
		return (RenewableMutexStore) LockRegistryMutexStore.of(other, Duration.ofSeconds(30));
	}

	@Override
	protected void removeBehindTheHoldersBack(String key) {
		redisServer.server().command("DEL registry:" + key);
	}

	@Override
	protected void destroyStore(MutexStore store) throws Exception {
		super.destroyStore(store);
		this.registry.destroy();
		this.connectionFactory.destroy();
	}

}
