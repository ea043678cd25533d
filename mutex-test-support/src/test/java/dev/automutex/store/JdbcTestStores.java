package dev.automutex.store;

import java.time.Duration;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import dev.automutex.test.TestDatabase;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * JDBC stores on one of the test databases for one test class: one pool, the tables
 * created once (prefix {@value #TABLE_PREFIX}), a region of its own per test so that
 * tests never see each other's rows.
 */
final class JdbcTestStores implements AutoCloseable {

	static final String TABLE_PREFIX = "AMTEST_";

	private final TestDatabase database;

	private HikariDataSource dataSource;

	private String region = "none";

	JdbcTestStores(TestDatabase database) {
		this.database = database;
	}

	HikariDataSource dataSource() {
		if (this.dataSource == null) {
			this.dataSource = this.database.dataSource();
			JdbcMutexSchema.create(this.dataSource, TABLE_PREFIX);
		}
		return this.dataSource;
	}

	/**
	 * A store in a new region: the first store of a test.
	 * @param expire its default lease
	 * @return the store
	 */
	JdbcMutexStore newRegion(Duration expire) {
		this.region = "test-" + UUID.randomUUID().toString().substring(0, 8);
		return sameRegion(expire);
	}

	/**
	 * Another instance's store in the current test's region.
	 * @param expire its default lease
	 * @return the store
	 */
	JdbcMutexStore sameRegion(Duration expire) {
		return new JdbcMutexStore(dataSource(), TABLE_PREFIX, this.region, expire);
	}

	String region() {
		return this.region;
	}

	void removeBehindTheHoldersBack(String key) {
		new JdbcTemplate(dataSource()).update("DELETE FROM " + TABLE_PREFIX + "LOCK WHERE REGION = ? AND LOCK_KEY = ?",
				this.region, JdbcMutexStore.lockKey(key));
	}

	@Override
	public void close() {
		if (this.dataSource != null) {
			new JdbcTemplate(this.dataSource).update("DELETE FROM " + TABLE_PREFIX + "LOCK WHERE REGION LIKE 'test-%'");
			this.dataSource.close();
		}
	}

}
