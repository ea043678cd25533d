package dev.automutex.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.automutex.MutexLock;
import dev.automutex.MutexOperations;
import dev.automutex.annotation.AutoMutex;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.store.RedisMutexStore;
import dev.automutex.store.RenewableLockRegistryMutexStore;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Spring Boot applications (separate contexts, registries and Redis connections, as
 * two instances of a service have) run {@code @AutoMutex} methods concurrently on one
 * Redis. Only Redis can keep them apart: an overlap detector shared by both must never
 * fire, and a shared counter that is not thread-safe must not lose an update.
 */
@Timeout(120)
class TwoInstancesOnOneRedisTests {

	private static final int ACCOUNTS = 3;

	private static final int THREADS_PER_INSTANCE = 4;

	private static final int CALLS_PER_THREAD = 40;

	/**
	 * Per account: how many calls are inside the critical section now. Shared by both
	 * instances.
	 */
	static final Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();

	/** Per account: a counter protected only by the mutex. */
	static final Map<String, int[]> balances = new ConcurrentHashMap<>();

	static final AtomicInteger overlaps = new AtomicInteger();

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	/**
	 * On both Redis engines (AutoMutex's, the default, and Spring Integration's), and on
	 * an application's own {@code RedisLockRegistry} bean (the generic store for
	 * registries with leases).
	 */
	@ParameterizedTest
	@ValueSource(classes = { RedisLeaseMutexStore.class, RedisMutexStore.class, RenewableLockRegistryMutexStore.class })
	void autoMutexExcludesAcrossInstancesAndLosesNoUpdate(Class<?> storeType) throws Exception {
		redisServer.server().flushAll();
		overlaps.set(0);
		for (int a = 0; a < ACCOUNTS; a++) {
			inside.put("acct-" + a, new AtomicInteger());
			balances.put("acct-" + a, new int[1]);
		}
		String ownRegistry = "--ledger.own-registry=" + (storeType == RenewableLockRegistryMutexStore.class);
		String engine = "--mutex.redis.engine="
				+ ((storeType == RedisLeaseMutexStore.class) ? "automutex" : "spring-integration");
		try (ConfigurableApplicationContext first = start(ownRegistry, engine);
				ConfigurableApplicationContext second = start(ownRegistry, engine)) {
			assertThat(first.getBean(MutexStore.class)).isExactlyInstanceOf(storeType);
			assertThat(second.getBean(MutexStore.class)).isExactlyInstanceOf(storeType);
			Ledger ledgerA = first.getBean(Ledger.class);
			Ledger ledgerB = second.getBean(Ledger.class);
			assertThat(ledgerA).isNotSameAs(ledgerB);

			ExecutorService executor = Executors.newFixedThreadPool(2 * THREADS_PER_INSTANCE);
			try {
				CountDownLatch start = new CountDownLatch(1);
				List<Future<?>> workers = new ArrayList<>();
				for (int t = 0; t < 2 * THREADS_PER_INSTANCE; t++) {
					Ledger ledger = (t % 2 == 0) ? ledgerA : ledgerB;
					int offset = t;
					workers.add(executor.submit(() -> {
						start.await();
						for (int i = 0; i < CALLS_PER_THREAD; i++) {
							ledger.deposit("acct-" + ((i + offset) % ACCOUNTS));
						}
						return null;
					}));
				}
				start.countDown();
				for (Future<?> worker : workers) {
					worker.get(100, TimeUnit.SECONDS);
				}
			}
			finally {
				executor.shutdownNow();
			}
		}
		assertThat(overlaps).hasValue(0);
		int total = balances.values().stream().mapToInt((balance) -> balance[0]).sum();
		assertThat(total).isEqualTo(2 * THREADS_PER_INSTANCE * CALLS_PER_THREAD);
		// Nothing held or queued is left; AutoMutex's engine keeps each key's last
		// fencing token for a minute after its last hold.
		assertThat(redisServer.server().command("KEYS *")).isIn("*0", "*" + ACCOUNTS);
		assertThat(redisServer.server().command("KEYS *}")).isEqualTo("*0");
		assertThat(redisServer.server().command("KEYS *:q")).isEqualTo("*0");
	}

	@Test
	void exclusionComesFromRedisNotFromSharingThisJvm() {
		// Control for the test above: the same two applications on local stores hold
		// one key at once.
		try (ConfigurableApplicationContext first = start("--mutex.store=local");
				ConfigurableApplicationContext second = start("--mutex.store=local")) {
			assertThat(holdBoth(first, second)).isTrue();
		}
		try (ConfigurableApplicationContext first = start(); ConfigurableApplicationContext second = start()) {
			assertThat(holdBoth(first, second)).isFalse();
		}
	}

	private static boolean holdBoth(ConfigurableApplicationContext first, ConfigurableApplicationContext second) {
		try (MutexLock held = first.getBean(MutexOperations.class).lock("acct-0")) {
			Optional<MutexLock> other = second.getBean(MutexOperations.class).tryLock("acct-0");
			other.ifPresent(MutexLock::release);
			return other.isPresent();
		}
	}

	private static ConfigurableApplicationContext start(String... args) {
		return new SpringApplicationBuilder(LedgerApplication.class).web(WebApplicationType.NONE)
			.properties("spring.data.redis.host=" + redisServer.server().host(),
					"spring.data.redis.port=" + redisServer.server().port(), "spring.main.banner-mode=off",
					"mutex.block=30s", "mutex.expire=30s")
			.run(args);
	}

	static class Ledger {

		@AutoMutex(on = "#account")
		public void deposit(String account) {
			if (inside.get(account).incrementAndGet() > 1) {
				overlaps.incrementAndGet();
			}
			int[] balance = balances.get(account);
			int read = balance[0];
			Thread.yield(); // widen the read-modify-write window
			balance[0] = read + 1;
			inside.get(account).decrementAndGet();
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class LedgerApplication {

		@Bean
		Ledger ledger() {
			return new Ledger();
		}

		@Bean
		@ConditionalOnProperty(name = "ledger.own-registry", havingValue = "true")
		RedisLockRegistry ownRegistry(RedisConnectionFactory connectionFactory) {
			return new RedisLockRegistry(connectionFactory, "own", Duration.ofSeconds(30));
		}

	}

}
