package dev.automutex.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import dev.automutex.annotation.AutoMutex;
import dev.automutex.store.JdbcMutexStore;
import dev.automutex.store.MutexStore;
import dev.automutex.test.TestDatabase;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.EnumSource.Mode;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Spring Boot applications (separate contexts, pools and lock clients, as two
 * instances of a service have) run {@code @AutoMutex} methods concurrently on one
 * database with {@code mutex.store=jdbc}, on the real PostgreSQL and MariaDB. Only the
 * lock table keeps them apart: an overlap detector shared by both must never fire, and a
 * counter that is not thread-safe must not lose an update.
 */
@Timeout(120)
class TwoInstancesOnOneDatabaseTests {

	private static final int THREADS_PER_INSTANCE = 4;

	private static final int CALLS_PER_THREAD = 15;

	static final AtomicInteger inside = new AtomicInteger();

	static final AtomicInteger overlaps = new AtomicInteger();

	static final int[] balance = new int[1];

	@ParameterizedTest
	@EnumSource(value = TestDatabase.class, names = "H2", mode = Mode.EXCLUDE)
	void autoMutexExcludesAcrossInstancesAndLosesNoUpdate(TestDatabase database) throws Exception {
		// Fails at once, with how to start it, when the database does not answer.
		database.dataSource().close();
		overlaps.set(0);
		balance[0] = 0;
		String region = "two-" + UUID.randomUUID().toString().substring(0, 8);
		try (ConfigurableApplicationContext first = start(database, region);
				ConfigurableApplicationContext second = start(database, region)) {
			assertThat(first.getBean(MutexStore.class)).isInstanceOf(JdbcMutexStore.class);
			assertThat(first.getBean(HikariDataSource.class)).isNotSameAs(second.getBean(HikariDataSource.class));
			Ledger a = first.getBean(Ledger.class);
			Ledger b = second.getBean(Ledger.class);
			ExecutorService executor = Executors.newFixedThreadPool(2 * THREADS_PER_INSTANCE);
			try {
				CountDownLatch go = new CountDownLatch(1);
				List<Future<?>> workers = new ArrayList<>();
				for (int t = 0; t < 2 * THREADS_PER_INSTANCE; t++) {
					Ledger ledger = (t % 2 == 0) ? a : b;
					workers.add(executor.submit(() -> {
						go.await();
						for (int i = 0; i < CALLS_PER_THREAD; i++) {
							ledger.deposit("acct-1");
						}
						return null;
					}));
				}
				go.countDown();
				for (Future<?> worker : workers) {
					worker.get(100, TimeUnit.SECONDS);
				}
			}
			finally {
				executor.shutdownNow();
			}
		}
		assertThat(overlaps).hasValue(0);
		assertThat(balance[0]).isEqualTo(2 * THREADS_PER_INSTANCE * CALLS_PER_THREAD);
	}

	private static ConfigurableApplicationContext start(TestDatabase database, String region) {
		return new SpringApplicationBuilder(LedgerApplication.class).web(WebApplicationType.NONE)
			.properties("spring.datasource.url=" + database.url(), "spring.datasource.username=" + database.user(),
					"spring.datasource.password=", "spring.main.banner-mode=off", "mutex.store=jdbc",
					"mutex.jdbc.initialize-schema=always", "mutex.jdbc.table-prefix=AMBOOT_", "mutex.prefix=" + region,
					"mutex.block=60s", "mutex.expire=30s")
			.run();
	}

	static class Ledger {

		@AutoMutex(on = "#account")
		public void deposit(String account) {
			if (inside.incrementAndGet() > 1) {
				overlaps.incrementAndGet();
			}
			int read = balance[0];
			Thread.yield(); // widen the read-modify-write window
			balance[0] = read + 1;
			inside.decrementAndGet();
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class LedgerApplication {

		@Bean
		Ledger ledger() {
			return new Ledger();
		}

	}

}
