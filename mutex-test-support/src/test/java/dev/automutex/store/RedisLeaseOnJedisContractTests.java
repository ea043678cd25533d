package dev.automutex.store;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.automutex.test.RedisServer;
import dev.automutex.test.RedisServerExtension;
import dev.automutex.test.store.AbstractRenewableMutexStoreContractTests;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The store contract on AutoMutex's Redis engine over Jedis instead of Lettuce, and a
 * wake-up from another instance through Jedis' blocking subscription.
 */
class RedisLeaseOnJedisContractTests extends AbstractRenewableMutexStoreContractTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private JedisConnectionFactory connectionFactory;

	private @Nullable JedisConnectionFactory otherConnection;

	@Override
	protected RedisLeaseMutexStore createStore() {
		redisServer.server().flushAll();
		this.connectionFactory = jedis(redisServer.server());
		return new RedisLeaseMutexStore(this.connectionFactory, "mutex", Duration.ofSeconds(30));
	}

	@Override
	protected RedisLeaseMutexStore createOtherInstance() {
		this.otherConnection = jedis(redisServer.server());
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

	@Test
	void waiterOfAnotherInstanceIsWokenByTheReleaseAndErrorsNameTheAddress() throws Exception {
		JedisConnectionFactory other = jedis(redisServer.server());
		RedisLeaseLockRegistry a = ((RedisLeaseMutexStore) store()).getRegistry();
		RedisLeaseLockRegistry b = new RedisLeaseLockRegistry(other, "mutex", Duration.ofSeconds(60));
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			assertThat(b.toString()).contains("127.0.0.1:" + redisServer.server().port());
			await().atMost(Duration.ofSeconds(10))
				.until(() -> redisServer.server().command("PUBSUB CHANNELS mutex:wake:*"), "*2"::equals);
			RedisLease held = a.acquire("k", Duration.ZERO, Duration.ofSeconds(60));
			// B waits less than A's key lives: only the wake-up can grant it.
			Future<RedisLease> waiter = executor
				.submit(() -> b.acquire("k", Duration.ofSeconds(20), Duration.ofSeconds(60)));
			await().atMost(Duration.ofSeconds(10))
				.until(() -> redisServer.server().command("ZCARD mutex:{k}:q"), ":1"::equals);
			assertThat(held.release()).isTrue();
			RedisLease granted = waiter.get(30, TimeUnit.SECONDS);
			assertThat(granted).isNotNull();
			assertThat(granted.release()).isTrue();
		}
		finally {
			executor.shutdownNow();
			b.destroy();
			other.destroy();
		}
	}

	static JedisConnectionFactory jedis(RedisServer redis) {
		JedisConnectionFactory factory = new JedisConnectionFactory(
				new RedisStandaloneConfiguration(redis.host(), redis.port()),
				JedisClientConfiguration.builder()
					.connectTimeout(Duration.ofSeconds(2))
					.readTimeout(Duration.ofSeconds(2))
					.usePooling()
					.build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

}
