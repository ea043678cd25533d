package dev.automutex.store;

import java.time.Duration;

import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServer;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * One application instance on a test Redis server, as the defect tests here need it: its
 * own connection, a {@link RedisMutexStore} with the key prefix {@code mutex} and a
 * {@link MutexTemplate} over it. Tests that need two instances on one server start two.
 */
final class RedisInstance implements AutoCloseable {

	private final LettuceConnectionFactory connection;

	private final RedisMutexStore store;

	private final MutexTemplate mutex;

	private RedisInstance(RedisServer server) {
		this.connection = RedisMutexStoreContractTests.connectionFactory(server);
		this.store = new RedisMutexStore(this.connection, "mutex", Duration.ofSeconds(10), RedisLockType.PUB_SUB_LOCK);
		this.mutex = new MutexTemplate(this.store);
	}

	/**
	 * Connect a new instance.
	 * @param server the Redis server
	 * @return the instance, with a template on the template's defaults
	 */
	static RedisInstance start(RedisServer server) {
		return new RedisInstance(server);
	}

	MutexTemplate mutex() {
		return this.mutex;
	}

	/**
	 * Destroy the template, then the store, then the connection.
	 */
	@Override
	public void close() throws Exception {
		this.mutex.destroy();
		this.store.destroy();
		this.connection.destroy();
	}

}
