package dev.automutex.store;

import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.integration.util.UUIDConverter;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.util.Assert;

/**
 * {@link MutexStore} in a relational database, over Spring Integration's
 * {@link JdbcLockRegistry}: a key is a row of the lock table ({@code <prefix>LOCK},
 * {@code INT_LOCK} by default) in a region (AutoMutex's key prefix), held with a
 * time-to-live of {@code expire} so that a crashed holder's keys free themselves, and
 * renewed while held. Every instance that uses the same table and region excludes every
 * other. Tested on PostgreSQL, MariaDB and H2.
 * <p>
 * Lock rows never join a caller's transaction: every statement runs in a transaction of
 * its own ({@code REQUIRES_NEW}) on a {@link DataSourceTransactionManager} of this store,
 * so a caller's rollback does not undo an acquisition, and a lock is visible to other
 * instances as soon as it is taken.
 * <p>
 * Fencing tokens count per key in a second table, {@code <prefix>LOCK_FENCE}, issued only
 * while the lock row is held (locked {@code FOR UPDATE} meanwhile). Lease times are the
 * instances' own clocks (in UTC), as Spring Integration writes them: keep them
 * synchronised (NTP), since a clock ahead takes over a key whose lease has not ended yet
 * by the holder's clock. Waiters poll the table ({@code JdbcLockRegistry} tries every 100
 * ms).
 * <p>
 * Thread-safe.
 *
 * @since 0.1.0
 */
public class JdbcMutexStore extends RenewableLockRegistryMutexStore
		implements FencingMutexStore, ForceReleasableMutexStore {

	private final DefaultLockRepository repository;

	private final JdbcLockTable table;

	private final String clientId;

	private final String description;

	/**
	 * Create a store on a database, checking that its lock table can be read.
	 * @param dataSource the database
	 * @param tablePrefix the prefix of the lock tables ({@code INT_} gives
	 * {@code INT_LOCK} and {@code INT_LOCK_FENCE})
	 * @param region the region of this store's rows (AutoMutex's key prefix): stores with
	 * different regions share the table without excluding each other
	 * @param expire how long a key is held unless renewed or released
	 * @throws IllegalStateException if the lock table cannot be read, with how to create
	 * it
	 */
	public JdbcMutexStore(DataSource dataSource, String tablePrefix, String region, Duration expire) {
		this(dataSource, UUID.randomUUID().toString(), tablePrefix, region, expire);
	}

	private JdbcMutexStore(DataSource dataSource, String clientId, String tablePrefix, String region, Duration expire) {
		this(dataSource, clientId, createRepository(dataSource, clientId, tablePrefix, region, expire), tablePrefix,
				region, expire);
	}

	private JdbcMutexStore(DataSource dataSource, String clientId, DefaultLockRepository repository, String tablePrefix,
			String region, Duration expire) {
		super(new JdbcLockRegistry(repository, expire), expire, true);
		this.repository = repository;
		this.table = new JdbcLockTable(dataSource, tablePrefix, region);
		this.clientId = clientId;
		this.description = "JdbcMutexStore[table=" + this.table.table() + ", region=" + region + ", expire=" + expire
				+ "]";
		this.table.check(JdbcMutexSchema.describe(dataSource));
	}

	private static DefaultLockRepository createRepository(DataSource dataSource, String clientId, String tablePrefix,
			String region, Duration expire) {
		Assert.notNull(dataSource, "DataSource must not be null");
		Assert.notNull(tablePrefix, "tablePrefix must not be null");
		Assert.isTrue(tablePrefix.matches("[A-Za-z0-9_]*"),
				() -> "tablePrefix '" + tablePrefix + "' may hold only letters, digits and '_'");
		Assert.hasText(region, "region must not be empty");
		Assert.isTrue(region.length() <= 100, "region must be at most 100 characters (the REGION column)");
		Assert.isTrue(expire != null && expire.compareTo(Duration.ofMillis(1)) >= 0, "expire must be at least 1ms");
		DefaultLockRepository repository = new DefaultLockRepository(dataSource, clientId);
		repository.setPrefix(tablePrefix);
		repository.setRegion(region);
		// A transaction manager of its own: REQUIRES_NEW on it never joins the caller's.
		repository.setTransactionManager(new DataSourceTransactionManager(dataSource));
		repository.setCheckDatabaseOnStart(false);
		repository.afterPropertiesSet();
		repository.afterSingletonsInstantiated();
		return repository;
	}

	/**
	 * The lock table row key of a key: Spring Integration stores a name-based UUID of the
	 * key, not the key itself.
	 * @param key the key
	 * @return the {@code LOCK_KEY} value
	 */
	public static String lockKey(String key) {
		return UUIDConverter.getUUID(key).toString();
	}

	/**
	 * Whether any instance holds the key now: a row that has not expired.
	 */
	@Override
	public boolean isLocked(String key) {
		return this.table.isLocked(lockKey(key));
	}

	/**
	 * Extend the key's row from AutoMutex's renewal thread (Spring Integration's own
	 * renewal works only on the holder thread).
	 */
	@Override
	public boolean renew(Held held, Duration ttl) {
		Assert.isInstanceOf(RegistryHeld.class, held, "Not an acquisition of this store");
		return !((RegistryHeld) held).isReleased() && this.repository.renew(lockKey(held.key()), ttl);
	}

	@Override
	protected boolean isStillHeld(RegistryHeld held) {
		return !held.isReleased() && this.table.nextTokenOrOwner(lockKey(held.key()), this.clientId, false) >= 0;
	}

	/**
	 * The key's lease left, by this instance's clock.
	 */
	@Override
	public @Nullable Duration leaseLeft(String key) {
		return this.table.leaseLeft(lockKey(key));
	}

	/**
	 * A token from the key's counter in the fence table, if this instance still holds the
	 * key.
	 * @throws IllegalStateException if the key is no longer held by this instance
	 */
	@Override
	public long fencingToken(Held held) {
		Assert.isInstanceOf(RegistryHeld.class, held, "Not an acquisition of this store");
		long token = ((RegistryHeld) held).isReleased() ? -1
				: this.table.nextTokenOrOwner(lockKey(held.key()), this.clientId, true);
		if (token < 0) {
			throw new IllegalStateException("Mutex '" + held.key() + "' is no longer held by this instance in "
					+ this.table.table() + " (it expired or was taken over), so it gets no fencing token");
		}
		return token;
	}

	/**
	 * Delete the key's row whoever holds it. A holder in another instance finds it lost
	 * at its next renewal or release; threads of the holder's own instance still wait for
	 * its holder thread to unlock (Spring Integration locks a key in the JVM before the
	 * database).
	 */
	@Override
	public boolean forceRelease(String key) {
		return this.table.forceRelease(lockKey(key));
	}

	@Override
	public String toString() {
		return this.description;
	}

}
