package dev.automutex.store;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.test.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.EnumSource.Mode;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What only a database store must prove, on the real PostgreSQL and MariaDB: lock rows
 * stay out of the caller's transaction, a missing table fails with the fix, and the key
 * of a killed holder process is free after its expire.
 */
class JdbcMutexStoreTests {

	private JdbcTestStores stores;

	private MutexTemplate mutex;

	private MutexTemplate other;

	private Process holder;

	@AfterEach
	void close() throws Exception {
		if (this.holder != null) {
			this.holder.destroyForcibly().waitFor();
		}
		for (MutexTemplate template : new MutexTemplate[] { this.mutex, this.other }) {
			if (template != null) {
				template.destroy();
			}
		}
		if (this.stores != null) {
			this.stores.close();
		}
	}

	private void start(TestDatabase database) {
		this.stores = new JdbcTestStores(database);
		this.mutex = new MutexTemplate(this.stores.newRegion(Duration.ofSeconds(30)));
		this.other = new MutexTemplate(this.stores.sameRegion(Duration.ofSeconds(30)));
	}

	@ParameterizedTest
	@EnumSource(value = TestDatabase.class, names = "H2", mode = Mode.EXCLUDE)
	void aLockTakenInsideATransactionOutlivesItsRollback(TestDatabase database) {
		start(database);
		DataSourceTransactionManager transactions = new DataSourceTransactionManager(this.stores.dataSource());
		TransactionStatus transaction = transactions.getTransaction(new DefaultTransactionDefinition());
		MutexLock lock = this.mutex.lock("order:1");
		assertThat(this.other.isLocked("order:1")).as("committed at once, seen by another instance").isTrue();
		transactions.rollback(transaction);
		assertThat(this.other.isLocked("order:1")).as("still held after the caller's rollback").isTrue();
		assertThat(lock.isHeld()).isTrue();
		assertThat(lock.release()).isTrue();
		assertThat(this.other.isLocked("order:1")).isFalse();
	}

	@ParameterizedTest
	@EnumSource(value = TestDatabase.class, names = "H2", mode = Mode.EXCLUDE)
	void aMissingLockTableFailsAtOnceWithTheFix(TestDatabase database) {
		this.stores = new JdbcTestStores(database);
		HikariDataSource dataSource = this.stores.dataSource();
		assertThatIllegalStateException()
			.isThrownBy(() -> new JdbcMutexStore(dataSource, "NO_SUCH_", "r", Duration.ofSeconds(10)))
			.withMessageContaining("NO_SUCH_LOCK")
			.withMessageContaining("mutex.jdbc.initialize-schema=always")
			.withMessageContaining("schema-<postgresql|mysql|h2>.sql");
	}

	@ParameterizedTest
	@EnumSource(value = TestDatabase.class, names = "H2", mode = Mode.EXCLUDE)
	void theKeyOfAKilledHolderProcessIsFreeAfterItsExpire(TestDatabase database) throws Exception {
		start(database);
		String region = this.stores.region();
		long expireMillis = 2_000;
		this.holder = startHolder(database, region, "report:9", expireMillis);
		awaitLine(this.holder, "HELD");
		assertThat(this.mutex.isLocked("report:9")).isTrue();
		this.holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		long killedAt = System.nanoTime();
		assertThat(this.mutex.tryLock("report:9")).as("not before its expire").isEmpty();
		try (MutexLock lock = this.mutex.lock("report:9", Duration.ofSeconds(10))) {
			long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
			assertThat(waitedMillis).as("taken within a second after the expire").isLessThan(expireMillis + 1_000);
			assertThat(lock.isHeld()).isTrue();
		}
	}

	private static Process startHolder(TestDatabase database, String region, String key, long expireMillis)
			throws Exception {
		String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
		return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
				JdbcHoldKeyProcess.class.getName(), database.name(), region, key, String.valueOf(expireMillis)))
			.redirectErrorStream(true)
			.start();
	}

	private static void awaitLine(Process process, String expected) throws Exception {
		BufferedReader out = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
			StringBuilder all = new StringBuilder();
			try {
				String line;
				while ((line = out.readLine()) != null) {
					if (line.equals(expected)) {
						return line;
					}
					all.append(line).append('\n');
				}
			}
			catch (java.io.IOException ex) {
				all.append(ex);
			}
			throw new IllegalStateException("child exited without '" + expected + "':\n" + all);
		});
		assertThat(seen.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
	}

}
