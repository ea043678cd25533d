package dev.automutex.annotation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import dev.automutex.MutexLock;
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
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabase;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * An {@code @AutoMutex} method called inside a caller's transaction (a
 * {@code @Transactional} method of another bean) keeps its key until that transaction has
 * committed or rolled back, so the key covers the commit of the work done under it;
 * without a transaction the key is released when the method returns. Proven on a real
 * transaction manager over an H2 database.
 */
@Timeout(60)
class AutoMutexInCallerTransactionTests {

	private static final String KEY = "stock";

	private AnnotationConfigApplicationContext context;

	private Orders orders;

	private Stock stock;

	private MutexTemplate mutex;

	private Queue<String> observations;

	private OtherThread otherThread;

	@BeforeEach
	void startContext() {
		this.context = new AnnotationConfigApplicationContext(Config.class);
		this.orders = this.context.getBean(Orders.class);
		this.stock = this.context.getBean(Stock.class);
		this.mutex = this.context.getBean(MutexTemplate.class);
		this.observations = this.context.getBean(Observations.class).events;
		this.otherThread = this.context.getBean(OtherThread.class);
	}

	@AfterEach
	void closeContext() {
		this.context.close();
	}

	/**
	 * Each caller's transaction reads and writes the counter under the key; no increment
	 * is lost.
	 */
	@Test
	void concurrentCallerTransactionsLoseNoIncrement() throws Exception {
		int threads = 8;
		int perThread = 25;
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> workers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				workers.add(executor.submit(() -> {
					start.await();
					for (int i = 0; i < perThread; i++) {
						this.orders.place();
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
		assertThat(this.observations).as("the @AutoMutex method ran in the caller's transaction")
			.containsOnly("in transaction: true, locked: true");
		assertThat(value()).isEqualTo(threads * perThread);
	}

	@Test
	void keyTakenInCallersTransactionIsHeldAfterTheMethodReturnsUntilTheCommit() {
		this.orders.placeAndObserve();
		assertThat(this.observations).containsExactly("in transaction: true, locked: true",
				"after the @AutoMutex method returned, another thread took the key: false",
				"before completion, locked: true");
		assertThat(this.mutex.isLocked(KEY)).as("locked after the commit").isFalse();
		assertThat(takenByAnotherThread()).as("another thread takes the key after the commit").isTrue();
		assertThat(value()).isOne();
	}

	@Test
	void keyTakenInCallersTransactionIsHeldAfterTheMethodReturnsUntilTheRollback() {
		assertThatIllegalStateException().isThrownBy(this.orders::placeAndObserveThenFail)
			.withMessage("rolled back on purpose");
		assertThat(this.observations).containsExactly("in transaction: true, locked: true",
				"after the @AutoMutex method returned, another thread took the key: false",
				"before completion, locked: true");
		assertThat(this.mutex.isLocked(KEY)).as("locked after the rollback").isFalse();
		assertThat(takenByAnotherThread()).as("another thread takes the key after the rollback").isTrue();
		assertThat(value()).as("rolled back").isZero();
	}

	@Test
	void withoutTransactionKeyIsReleasedWhenTheMethodReturns() {
		this.stock.increment();
		assertThat(this.observations).containsExactly("in transaction: false, locked: true");
		assertThat(this.mutex.isLocked(KEY)).isFalse();
		assertThat(takenByAnotherThread()).isTrue();
		assertThat(value()).isOne();
	}

	private boolean takenByAnotherThread() {
		return this.otherThread.takesKey();
	}

	private int value() {
		Integer value = this.context.getBean(JdbcTemplate.class)
			.queryForObject("select v from counter where id = 1", Integer.class);
		return (value != null) ? value : -1;
	}

	static class Observations {

		final Queue<String> events = new ConcurrentLinkedQueue<>();

	}

	/**
	 * Tries the key from a thread other than the caller's.
	 */
	static class OtherThread {

		private final ExecutorService executor = Executors.newSingleThreadExecutor();

		private final MutexTemplate mutex;

		OtherThread(MutexTemplate mutex) {
			this.mutex = mutex;
		}

		/**
		 * Whether another thread can take the key now; if it can, it releases it again.
		 */
		boolean takesKey() {
			try {
				return this.executor.submit(() -> {
					Optional<MutexLock> lock = this.mutex.tryLock(KEY);
					lock.ifPresent(MutexLock::close);
					return lock.isPresent();
				}).get(10, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}

		void shutdown() {
			this.executor.shutdownNow();
		}

	}

	/**
	 * The {@code @AutoMutex} bean: reads the counter and writes it plus one, in whatever
	 * transaction its caller has (it declares none of its own).
	 */
	static class Stock {

		private final JdbcTemplate jdbc;

		private final MutexTemplate mutex;

		private final Observations observations;

		Stock(JdbcTemplate jdbc, MutexTemplate mutex, Observations observations) {
			this.jdbc = jdbc;
			this.mutex = mutex;
			this.observations = observations;
		}

		@AutoMutex(name = KEY, block = "30s")
		public void increment() {
			boolean inTransaction = TransactionSynchronizationManager.isActualTransactionActive();
			this.observations.events.add("in transaction: " + inTransaction + ", locked: " + this.mutex.isLocked(KEY));
			Integer current = this.jdbc.queryForObject("select v from counter where id = 1", Integer.class);
			this.jdbc.update("update counter set v = ? where id = 1", current + 1);
		}

	}

	/**
	 * The caller: a {@code @Transactional} service that calls {@link Stock} and goes on
	 * working in its transaction after that call returned.
	 */
	static class Orders {

		private final Stock stock;

		private final JdbcTemplate jdbc;

		private final MutexTemplate mutex;

		private final Observations observations;

		private final OtherThread otherThread;

		Orders(Stock stock, JdbcTemplate jdbc, MutexTemplate mutex, Observations observations,
				OtherThread otherThread) {
			this.stock = stock;
			this.jdbc = jdbc;
			this.mutex = mutex;
			this.observations = observations;
			this.otherThread = otherThread;
		}

		@Transactional
		public void place() {
			this.stock.increment();
			// More work in the same transaction after the locked call: a query and a
			// few milliseconds of processing before the commit.
			this.jdbc.queryForObject("select count(*) from counter", Integer.class);
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
		}

		@Transactional
		public void placeAndObserve() {
			this.stock.increment();
			observe();
		}

		@Transactional
		public void placeAndObserveThenFail() {
			this.stock.increment();
			observe();
			throw new IllegalStateException("rolled back on purpose");
		}

		private void observe() {
			this.observations.events.add("after the @AutoMutex method returned, another thread took the key: "
					+ this.otherThread.takesKey());
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void beforeCompletion() {
					Orders.this.observations.events
						.add("before completion, locked: " + Orders.this.mutex.isLocked(KEY));
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
		EmbeddedDatabase dataSource() {
			return new EmbeddedDatabaseBuilder().setType(EmbeddedDatabaseType.H2)
				.generateUniqueName(true)
				.addScript("classpath:counter.sql")
				.build();
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
		Stock stock(JdbcTemplate jdbcTemplate, MutexTemplate mutexTemplate, Observations observations) {
			return new Stock(jdbcTemplate, mutexTemplate, observations);
		}

		@Bean(destroyMethod = "shutdown")
		OtherThread otherThread(MutexTemplate mutexTemplate) {
			return new OtherThread(mutexTemplate);
		}

		@Bean
		Orders orders(Stock stock, JdbcTemplate jdbcTemplate, MutexTemplate mutexTemplate, Observations observations,
				OtherThread otherThread) {
			return new Orders(stock, jdbcTemplate, mutexTemplate, observations, otherThread);
		}

	}

}
