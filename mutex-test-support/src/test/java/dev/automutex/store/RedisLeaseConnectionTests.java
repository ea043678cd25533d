package dev.automutex.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How the AutoMutex engine talks to Redis through the application's connection factory:
 * on Lettuce's shared connection directly, else through a template; after Redis forgets
 * its scripts; after the factory is stopped and started again.
 */
class RedisLeaseConnectionTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static final Duration TTL = Duration.ofSeconds(30);

	private final List<LettuceConnectionFactory> connections = new ArrayList<>();

	private final List<RedisLeaseLockRegistry> registries = new ArrayList<>();

	@BeforeEach
	void flush() {
		redis.server().flushAll();
	}

	@AfterEach
	void destroy() throws Exception {
		for (RedisLeaseLockRegistry registry : this.registries) {
			registry.destroy();
		}
		for (LettuceConnectionFactory connection : this.connections) {
			connection.destroy();
		}
	}

	@Test
	void scriptsThatRedisForgotAreSentAgain() throws Exception {
		RedisLeaseLockRegistry a = instance(true);
		RedisLeaseLockRegistry b = instance(true);
		release(a.acquire("k", Duration.ZERO, TTL)); // the scripts are loaded
		long scriptsBefore = RedisCommandStats.calls(redis.server(), "eval");
		assertThat(redis.server().command("SCRIPT FLUSH")).isEqualTo("+OK");
		RedisLease held = a.acquire("k", Duration.ZERO, TTL);
		assertThat(held).isNotNull();
		assertThat(b.acquire("k", Duration.ZERO, TTL)).as("excluded after the flush").isNull();
		assertThat(RedisCommandStats.calls(redis.server(), "eval")).as("sent whole once Redis said NOSCRIPT")
			.isGreaterThan(scriptsBefore);
		grantedOnRelease(b, held);
	}

	@Test
	void factoryThatGivesEachCallerAConnectionOfItsOwnWorksAsWell() throws Exception {
		RedisLeaseLockRegistry a = instance(false);
		RedisLeaseLockRegistry b = instance(false);
		RedisLease held = a.acquire("k", Duration.ZERO, TTL);
		assertThat(held).isNotNull();
		assertThat(b.acquire("k", Duration.ZERO, TTL)).isNull();
		assertThat(held.fencingToken()).isPositive();
		grantedOnRelease(b, held);
	}

	@Test
	void applicationStoppedAndStartedAgainLocksOnTheFactorysNewConnection() throws Exception {
		RedisLeaseLockRegistry a = instance(true);
		RedisLeaseLockRegistry b = instance(true);
		release(a.acquire("k", Duration.ZERO, TTL));
		// What a context's stop() and start() do, in the order of their phases: the
		// factory closes its shared connection and opens a new one.
		LettuceConnectionFactory factory = this.connections.get(0);
		a.stop();
		factory.stop();
		factory.start();
		a.start();
		RedisLease held = a.acquire("k", Duration.ZERO, TTL);
		assertThat(held).as("locked on the new connection").isNotNull();
		assertThat(b.acquire("k", Duration.ZERO, TTL)).isNull();
		grantedOnRelease(b, held);
		RedisLease again = b.acquire("k", Duration.ZERO, TTL);
		grantedOnRelease(a, again);
	}

	// The holder releases while the other instance waits: the release grants it the key.
	private static void grantedOnRelease(RedisLeaseLockRegistry waiter, RedisLease held) throws Exception {
		assertThat(held).isNotNull();
		CompletableFuture<RedisLease> waited = CompletableFuture.supplyAsync(() -> {
			try {
				return waiter.acquire("k", Duration.ofSeconds(20), TTL);
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		await().atMost(Duration.ofSeconds(10))
			.until(() -> Long.parseLong(redis.server().command("ZCARD mutex:{k}:q").substring(1)) == 1);
		assertThat(held.release()).isTrue();
		RedisLease granted = waited.get(10, TimeUnit.SECONDS);
		assertThat(granted).isNotNull();
		assertThat(granted.release()).isTrue();
	}

	private static void release(RedisLease lease) {
		assertThat(lease).isNotNull();
		assertThat(lease.release()).isTrue();
	}

	private RedisLeaseLockRegistry instance(boolean shared) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.server().host(), redis.server().port()),
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(2)).build());
		factory.setShareNativeConnection(shared);
		factory.afterPropertiesSet();
		factory.start();
		this.connections.add(factory);
		RedisLeaseLockRegistry registry = new RedisLeaseLockRegistry(factory, "mutex", TTL);
		this.registries.add(registry);
		return registry;
	}

}
