package dev.automutex.store;

import java.time.Duration;

import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServer;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * One application instance on a test Redis server, as the defect tests here need it: its
 * own connection, a store of one {@link RedisEngine} with the key prefix {@code mutex}
 * and a {@link MutexTemplate} over it. Tests that need two instances on one server start
 * two.
 */
final class RedisInstance implements AutoCloseable {

	private final LettuceConnectionFactory connection;

	private final MutexStore store;

	private final MutexTemplate mutex;

	private RedisInstance(RedisServer server, RedisEngine engine) {
		this.connection = RedisMutexStoreContractTests.connectionFactory(server);
		this.store = engine.store(this.connection, "mutex", Duration.ofSeconds(10));
		this.mutex = new MutexTemplate(this.store);
	}

	/**
	 * Connect a new instance.
	 * @param server the Redis server
	 * @param engine the engine its store runs on
	 * @return the instance, with a template on the template's defaults
	 */
	static RedisInstance start(RedisServer server, RedisEngine engine) {
		return new RedisInstance(server, engine);
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
		if (this.store instanceof DisposableBean disposable) {
			disposable.destroy();
		}
		this.connection.destroy();
	}

}
