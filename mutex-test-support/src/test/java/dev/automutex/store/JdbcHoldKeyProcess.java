package dev.automutex.store;

import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import dev.automutex.MutexTemplate;
import dev.automutex.test.TestDatabase;

/**
 * A separate JVM that takes a key in a JDBC store, says {@code HELD}, and keeps working
 * until it is killed: the crashed holder of {@link JdbcMutexStoreTests}. Arguments: the
 * {@link TestDatabase}, the region, the key and the expire in milliseconds.
 */
public final class JdbcHoldKeyProcess {

	private JdbcHoldKeyProcess() {
	}

	public static void main(String[] args) throws Exception {
		HikariDataSource dataSource = TestDatabase.valueOf(args[0]).dataSource();
		Duration expire = Duration.ofMillis(Long.parseLong(args[3]));
		MutexTemplate mutex = new MutexTemplate(
				new JdbcMutexStore(dataSource, JdbcTestStores.TABLE_PREFIX, args[1], expire));
		mutex.lock(args[2], Duration.ZERO, expire);
		System.out.println("HELD");
		System.out.flush();
		// The "work" of a holder that never finishes: the parent kills this process.
		Object forever = new Object();
		synchronized (forever) {
			forever.wait();
		}
	}

}
