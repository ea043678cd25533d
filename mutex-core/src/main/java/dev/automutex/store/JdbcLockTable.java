package dev.automutex.store;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What {@link JdbcMutexStore} asks the lock table itself, beside Spring Integration's
 * {@code DefaultLockRepository}: whether any instance holds a key, its lease left, a
 * forced delete, and fencing tokens from the fence table ({@code <prefix>LOCK_FENCE}).
 * Every statement runs in a transaction of its own ({@code REQUIRES_NEW} on a transaction
 * manager of its own), so that lock rows never join, or wait for, a caller's transaction.
 * Times are the clients' clocks in UTC, as the repository writes them.
 */
final class JdbcLockTable {

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final String table;

	private final String fenceTable;

	private final String region;

	JdbcLockTable(DataSource dataSource, String tablePrefix, String region) {
		this.jdbc = new JdbcTemplate(dataSource);
		DefaultTransactionDefinition definition = new DefaultTransactionDefinition(
				TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		definition.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource), definition);
		this.table = tablePrefix + "LOCK";
		this.fenceTable = tablePrefix + "LOCK_FENCE";
		this.region = region;
	}

	String table() {
		return this.table;
	}

	String fenceTable() {
		return this.fenceTable;
	}

	static LocalDateTime now() {
		return LocalDateTime.now(ZoneOffset.UTC);
	}

	/**
	 * Fail with the fix when the lock table is missing.
	 * @param whereTo the database, for the message
	 */
	void check(String whereTo) {
		try {
			inTransaction(() -> this.jdbc.queryForObject("SELECT COUNT(*) FROM " + this.table + " WHERE 1 = 0",
					Integer.class));
		}
		catch (DataAccessException ex) {
			throw new IllegalStateException("The lock table " + this.table + " cannot be read in " + whereTo + " ("
					+ ex.getMostSpecificCause().getMessage() + "). Create it and " + this.fenceTable
					+ " with AutoMutex's script for your database (classpath:dev/automutex/store/jdbc/schema-"
					+ "<postgresql|mysql|h2>.sql, with INT_ replaced by your table prefix), or in Spring Boot set "
					+ "mutex.jdbc.initialize-schema=always", ex);
		}
	}

	boolean isLocked(String lockKey) {
		Integer count = inTransaction(() -> this.jdbc.queryForObject(
				"SELECT COUNT(*) FROM " + this.table + " WHERE REGION = ? AND LOCK_KEY = ? AND EXPIRED_AFTER >= ?",
				Integer.class, this.region, lockKey, now()));
		return count != null && count > 0;
	}

	@Nullable Duration leaseLeft(String lockKey) {
		LocalDateTime now = now();
		List<LocalDateTime> expiries = inTransaction(() -> this.jdbc.queryForList(
				"SELECT EXPIRED_AFTER FROM " + this.table + " WHERE REGION = ? AND LOCK_KEY = ? AND EXPIRED_AFTER >= ?",
				LocalDateTime.class, this.region, lockKey, now));
		return (expiries == null || expiries.isEmpty()) ? null : Duration.between(now, expiries.get(0));
	}

	/**
	 * Delete the key's row if it is held (not expired).
	 * @param lockKey the row's key
	 * @return whether a held row was deleted
	 */
	boolean forceRelease(String lockKey) {
		Integer deleted = inTransaction(() -> this.jdbc.update(
				"DELETE FROM " + this.table + " WHERE REGION = ? AND LOCK_KEY = ? AND EXPIRED_AFTER >= ?", this.region,
				lockKey, now()));
		return deleted != null && deleted > 0;
	}

	/**
	 * The next fencing token of a key, if the client still holds it: its row is locked
	 * ({@code SELECT ... FOR UPDATE}) while the key's counter goes up, so that no other
	 * client takes the key over meanwhile.
	 * @param lockKey the row's key
	 * @param clientId the holding client
	 * @param issue whether to issue a token, or only check that the client holds the key
	 * @return the token ({@code 0} when only checking), or {@code -1} if the client no
	 * longer holds the key
	 */
	long nextTokenOrOwner(String lockKey, String clientId, boolean issue) {
		Long token = inTransaction(() -> {
			List<String> held = this.jdbc.queryForList("SELECT CLIENT_ID FROM " + this.table
					+ " WHERE REGION = ? AND LOCK_KEY = ? AND CLIENT_ID = ? AND EXPIRED_AFTER >= ?"
					+ (issue ? " FOR UPDATE" : ""), String.class, this.region, lockKey, clientId, now());
			if (held.isEmpty()) {
				return -1L;
			}
			if (!issue) {
				return 0L;
			}
			if (this.jdbc.update(
					"UPDATE " + this.fenceTable + " SET TOKEN = TOKEN + 1 WHERE REGION = ? AND LOCK_KEY = ?",
					this.region, lockKey) == 0) {
				// Only the key's holder inserts, and it holds the row lock: no race.
				this.jdbc.update("INSERT INTO " + this.fenceTable + " (REGION, LOCK_KEY, TOKEN) VALUES (?, ?, 1)",
						this.region, lockKey);
			}
			return this.jdbc.queryForObject(
					"SELECT TOKEN FROM " + this.fenceTable + " WHERE REGION = ? AND LOCK_KEY = ?", Long.class,
					this.region, lockKey);
		});
		return (token != null) ? token : -1;
	}

	private <T> @Nullable T inTransaction(Supplier<T> action) {
		return this.transactions.execute((status) -> action.get());
	}

}
