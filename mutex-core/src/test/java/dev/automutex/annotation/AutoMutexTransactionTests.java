package dev.automutex.annotation;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.automutex.MutexLostException;
import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@code @AutoMutex} wraps {@code @Transactional}: the key is taken before the
 * transaction begins and released after it commits or rolls back, proven on a real
 * transaction manager over an H2 database.
 */
@Timeout(60)
class AutoMutexTransactionTests {

	private AnnotationConfigApplicationContext context;

	private Counter counter;

	private JdbcTemplate jdbc;

	@BeforeEach
	void startContext() {
		this.context = new AnnotationConfigApplicationContext(Config.class);
		this.counter = this.context.getBean(Counter.class);
		this.jdbc = this.context.getBean(JdbcTemplate.class);
		this.context.getBean(Observations.class).clear();
	}

	@AfterEach
	void closeContext() {
		this.context.close();
	}

	@Test
	void keyIsHeldBeforeTransactionBeginsAndUntilAfterItCommits() {
		Observations seen = this.context.getBean(Observations.class);
		this.counter.increment();
		assertThat(seen.lockedWhenConnectionTaken).containsExactly(true);
		assertThat(seen.lockedAfterCompletion).containsExactly("committed:true");
		assertThat(this.context.getBean(MutexTemplate.class).isLocked("counter")).isFalse();
		assertThat(value()).isEqualTo(1);
	}

	@Test
	void keyIsHeldUntilAfterRollback() {
		Observations seen = this.context.getBean(Observations.class);
		assertThatIllegalStateException().isThrownBy(() -> this.counter.incrementThenFail())
			.withMessage("rolled back on purpose");
		assertThat(seen.lockedWhenConnectionTaken).containsExactly(true);
		assertThat(seen.lockedAfterCompletion).containsExactly("rolled back:true");
		assertThat(value()).isZero();
		assertThat(this.context.getBean(MutexTemplate.class).isLocked("counter")).isFalse();
	}

	@Test
	void concurrentTransactionalIncrementsLoseNoUpdate() throws Exception {
		int threads = 6;
		int perThread = 25;
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> workers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				workers.add(executor.submit(() -> {
					start.await();
					for (int i = 0; i < perThread; i++) {
						this.counter.increment();
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> worker : workers) {
				worker.get(50, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(value()).isEqualTo(threads * perThread);
	}

	@Test
	void keyLostBeforeTheCommitRollsTheTransactionBack() {
		try (AnnotationConfigApplicationContext losing = new AnnotationConfigApplicationContext(LosingConfig.class)) {
			Counter counter = losing.getBean(Counter.class);
			assertThatExceptionOfType(MutexLostException.class).isThrownBy(counter::increment)
				.withMessageContaining("[counter] was lost before the transaction")
				.withMessageContaining("rolled back");
			Integer value = losing.getBean(JdbcTemplate.class)
				.queryForObject("select v from counter where id = 1", Integer.class);
			assertThat(value).as("nothing committed").isZero();
		}
	}

	@Test
	void guardLetsTransactionsWhoseKeyIsHeldCommit() {
		try (AnnotationConfigApplicationContext guarded = new AnnotationConfigApplicationContext(GuardedConfig.class)) {
			guarded.getBean(Counter.class).increment();
			Integer value = guarded.getBean(JdbcTemplate.class)
				.queryForObject("select v from counter where id = 1", Integer.class);
			assertThat(value).isOne();
		}
	}

	private int value() {
		Integer value = this.jdbc.queryForObject("select v from counter where id = 1", Integer.class);
		return (value != null) ? value : -1;
	}

	/**
	 * The same application, with the guard on its transaction manager.
	 */
	@Configuration(proxyBeanMethods = false)
	static class GuardedConfig extends Config {

		@Override
		@Bean
		PlatformTransactionManager transactionManager(DataSource dataSource) {
			DataSourceTransactionManager manager = new DataSourceTransactionManager(dataSource);
			manager.addListener(new MutexTransactionGuard());
			return manager;
		}

	}

	/**
	 * With a store that has lost every key by the time anyone asks (as Redis after a
	 * restart).
	 */
	@Configuration(proxyBeanMethods = false)
	static class LosingConfig extends GuardedConfig {

		@Override
		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(ForgetfulStore.losingEveryKey());
		}

	}

	static class Observations {

		final Queue<Boolean> lockedWhenConnectionTaken = new ConcurrentLinkedQueue<>();

		final Queue<String> lockedAfterCompletion = new ConcurrentLinkedQueue<>();

		volatile boolean recording;

		void clear() {
			this.lockedWhenConnectionTaken.clear();
			this.lockedAfterCompletion.clear();
			this.recording = true;
		}

	}

	static class Counter {

		private final JdbcTemplate jdbc;

		private final MutexTemplate mutex;

		private final Observations observations;

		Counter(JdbcTemplate jdbc, MutexTemplate mutex, Observations observations) {
			this.jdbc = jdbc;
			this.mutex = mutex;
			this.observations = observations;
		}

		@AutoMutex(name = "counter", block = "30s")
		@Transactional
		public void increment() {
			observeCompletion();
			Integer current = this.jdbc.queryForObject("select v from counter where id = 1", Integer.class);
			Thread.yield(); // widen the read-modify-write window
			this.jdbc.update("update counter set v = ? where id = 1", current + 1);
		}

		@AutoMutex(name = "counter", block = "30s")
		@Transactional
		public void incrementThenFail() {
			increment();
			throw new IllegalStateException("rolled back on purpose");
		}

		private void observeCompletion() {
			if (!TransactionSynchronizationManager.isSynchronizationActive()) {
				throw new IllegalStateException("no transaction");
			}
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCompletion(int status) {
					if (Counter.this.observations.recording) {
						Counter.this.observations.lockedAfterCompletion
							.add(((status == STATUS_COMMITTED) ? "committed:" : "rolled back:")
									+ Counter.this.mutex.isLocked("counter"));
					}
				}
			});
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex
	@EnableTransactionManagement
	static class Config {

		@Bean
		Observations observations() {
			return new Observations();
		}

		@Bean(destroyMethod = "shutdown")
		org.springframework.jdbc.datasource.embedded.EmbeddedDatabase database() {
			return new EmbeddedDatabaseBuilder().setType(EmbeddedDatabaseType.H2)
				.generateUniqueName(true)
				.addScript("classpath:counter.sql")
				.build();
		}

		@Bean
		DataSource dataSource(org.springframework.jdbc.datasource.embedded.EmbeddedDatabase database,
				MutexTemplate mutex, Observations observations) {
			// Records, when a transaction takes its connection, whether the mutex is
			// already held.
			return new DelegatingDataSource(database) {
				@Override
				public Connection getConnection() throws java.sql.SQLException {
					if (observations.recording) {
						observations.lockedWhenConnectionTaken.add(mutex.isLocked("counter"));
					}
					return super.getConnection();
				}
			};
		}

		@Bean
		PlatformTransactionManager transactionManager(DataSource dataSource) {
			return new DataSourceTransactionManager(dataSource);
		}

		@Bean
		JdbcTemplate jdbcTemplate(DataSource dataSource) {
			return new JdbcTemplate(dataSource);
		}

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new LocalMutexStore());
		}

		@Bean
		Counter counter(JdbcTemplate jdbcTemplate, MutexTemplate mutexTemplate, Observations observations) {
			return new Counter(jdbcTemplate, mutexTemplate, observations);
		}

	}

}
