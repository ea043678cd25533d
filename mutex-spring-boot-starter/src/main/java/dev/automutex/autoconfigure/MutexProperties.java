package dev.automutex.autoconfigure;

import java.time.Duration;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Configuration properties for AutoMutex ({@code mutex.*}).
 *
 * @since 0.1.0
 */
@ConfigurationProperties("mutex")
public class MutexProperties implements InitializingBean {

	/**
	 * Where keys are held. 'auto' uses Redis when a RedisConnectionFactory bean exists
	 * and the local store otherwise; 'redis' fails startup if Redis cannot be used or
	 * does not answer. A LockRegistry bean of the application's own takes precedence over
	 * this setting.
	 */
	private Store store = Store.AUTO;

	/**
	 * How long a caller waits for a key someone else holds. Zero means do not wait.
	 */
	private Duration block = Duration.ofSeconds(1);

	/**
	 * How long a store with leases keeps a key whose holder never released it, for
	 * example because its process died: the Redis store, and an application's own
	 * LockRegistry bean whose locks have leases (Redis, JDBC), whose own time-to-live it
	 * replaces. Held keys are renewed to it while 'renew' is on. Not used by the local
	 * store, which frees a key only when it is released.
	 */
	private Duration expire = Duration.ofSeconds(10);

	/**
	 * Prefix of every key in a shared store: key 'k' is stored in Redis as the prefix, a
	 * colon and 'k' ('mutex:k' by default).
	 */
	private String prefix = "mutex";

	/**
	 * Whether keys held in a store with leases (Redis, or an application's own Redis or
	 * JDBC LockRegistry) are renewed while held, so that work longer than 'expire' keeps
	 * its key. When off, a key expires after 'expire' even while its holder still works.
	 */
	private boolean renew = true;

	/**
	 * How often idle and abandoned entries are swept: keys whose owner thread ended
	 * without releasing them (local store) and cached lock objects of keys not held here
	 * (Redis). Zero turns sweeping off.
	 */
	private Duration sweepInterval = Duration.ofMinutes(1);

	private final Redis redis = new Redis();

	private final Web web = new Web();

	private final Actuator actuator = new Actuator();

	private final Jdbc jdbc = new Jdbc();

	public Store getStore() {
		return this.store;
	}

	public void setStore(Store store) {
		this.store = store;
	}

	public Duration getBlock() {
		return this.block;
	}

	public void setBlock(Duration block) {
		this.block = block;
	}

	public Duration getExpire() {
		return this.expire;
	}

	public void setExpire(Duration expire) {
		this.expire = expire;
	}

	public String getPrefix() {
		return this.prefix;
	}

	public void setPrefix(String prefix) {
		this.prefix = prefix;
	}

	public boolean isRenew() {
		return this.renew;
	}

	public void setRenew(boolean renew) {
		this.renew = renew;
	}

	public Duration getSweepInterval() {
		return this.sweepInterval;
	}

	public void setSweepInterval(Duration sweepInterval) {
		this.sweepInterval = sweepInterval;
	}

	public Redis getRedis() {
		return this.redis;
	}

	public Web getWeb() {
		return this.web;
	}

	public Actuator getActuator() {
		return this.actuator;
	}

	public Jdbc getJdbc() {
		return this.jdbc;
	}

	/**
	 * Check the bound values, so that a wrong one stops startup with a message that names
	 * the property.
	 * @throws InvalidConfigurationPropertyValueException for the first invalid value
	 */
	@Override
	public void afterPropertiesSet() {
		if (this.block == null || this.block.isNegative()) {
			throw new InvalidConfigurationPropertyValueException("mutex.block", this.block,
					"must be zero or positive (0s means do not wait)");
		}
		if (this.expire == null || this.expire.compareTo(Duration.ofMillis(1)) < 0) {
			throw new InvalidConfigurationPropertyValueException("mutex.expire", this.expire,
					"must be at least 1ms: it is how long a shared store keeps the key of a holder that died, "
							+ "and stores count it in milliseconds");
		}
		if (this.sweepInterval == null || this.sweepInterval.isNegative()) {
			throw new InvalidConfigurationPropertyValueException("mutex.sweep-interval", this.sweepInterval,
					"must be zero (no sweeping) or positive");
		}
		if (this.prefix == null || this.prefix.isBlank()) {
			throw new InvalidConfigurationPropertyValueException("mutex.prefix", this.prefix, "must not be empty");
		}
		if (this.jdbc.tablePrefix == null || !this.jdbc.tablePrefix.matches("[A-Za-z0-9_]*")) {
			throw new InvalidConfigurationPropertyValueException("mutex.jdbc.table-prefix", this.jdbc.tablePrefix,
					"may hold only letters, digits and '_' (it starts the lock tables' names)");
		}
		if (this.actuator.listLimit < 1) {
			throw new InvalidConfigurationPropertyValueException("mutex.actuator.list-limit", this.actuator.listLimit,
					"must be at least 1");
		}
	}

	/**
	 * Where keys are held.
	 */
	public enum Store {

		/**
		 * Redis when a RedisConnectionFactory bean exists, else local.
		 */
		AUTO,

		/**
		 * In this JVM only.
		 */
		LOCAL,

		/**
		 * On Redis, shared by every instance; needs a RedisConnectionFactory
		 * (spring-boot-starter-data-redis).
		 */
		REDIS,

		/**
		 * In the application's database (its DataSource), shared by every instance; needs
		 * spring-integration-jdbc. Never chosen by 'auto'.
		 */
		JDBC

	}

	/**
	 * Web application settings.
	 */
	public static class Web {

		/**
		 * Whether a MutexLockException out of a controller (a busy key) is answered with
		 * HTTP 409 Conflict and a ProblemDetail naming the keys, instead of a 500. An
		 * application's own exception handler for it wins either way.
		 */
		private boolean busyAsConflict = true;

		public boolean isBusyAsConflict() {
			return this.busyAsConflict;
		}

		public void setBusyAsConflict(boolean busyAsConflict) {
			this.busyAsConflict = busyAsConflict;
		}

	}

	/**
	 * JDBC store settings (mutex.store=jdbc).
	 */
	public static class Jdbc {

		/**
		 * Prefix of the lock tables: 'INT_' gives INT_LOCK (Spring Integration's lock
		 * table) and INT_LOCK_FENCE (fencing token counters). Letters, digits and '_'.
		 */
		private String tablePrefix = "INT_";

		/**
		 * When to create the lock tables if they do not exist: 'embedded' only for an
		 * embedded database (H2), 'always', or 'never' (create them yourself, from
		 * mutex-core's dev/automutex/store/jdbc/schema-*.sql).
		 */
		private InitializeSchema initializeSchema = InitializeSchema.EMBEDDED;

		public String getTablePrefix() {
			return this.tablePrefix;
		}

		public void setTablePrefix(String tablePrefix) {
			this.tablePrefix = tablePrefix;
		}

		public InitializeSchema getInitializeSchema() {
			return this.initializeSchema;
		}

		public void setInitializeSchema(InitializeSchema initializeSchema) {
			this.initializeSchema = initializeSchema;
		}

	}

	/**
	 * When the JDBC store's tables are created.
	 */
	public enum InitializeSchema {

		/**
		 * Only for an embedded database.
		 */
		EMBEDDED,

		/**
		 * Always, if they do not exist.
		 */
		ALWAYS,

		/**
		 * Never: the tables are created outside the application.
		 */
		NEVER

	}

	/**
	 * Actuator endpoint settings.
	 */
	public static class Actuator {

		/**
		 * Whether the mutex endpoint frees a held key on DELETE /actuator/mutex/{key},
		 * whoever holds it: an operator's way out of a stuck key. The holder keeps
		 * running and is told it lost the key. Actuator's own access control
		 * (management.endpoint.mutex.access) applies as well.
		 */
		private boolean forceRelease;

		/**
		 * Most keys listed from a shared store (Redis, every instance's keys) by GET
		 * /actuator/mutex when the request gives no 'limit'.
		 */
		private int listLimit = 100;

		public boolean isForceRelease() {
			return this.forceRelease;
		}

		public void setForceRelease(boolean forceRelease) {
			this.forceRelease = forceRelease;
		}

		public int getListLimit() {
			return this.listLimit;
		}

		public void setListLimit(int listLimit) {
			this.listLimit = listLimit;
		}

	}

	/**
	 * Redis store settings.
	 */
	public static class Redis {

		/**
		 * Which Redis lock engine holds the keys: 'automutex', AutoMutex's own (per-hold
		 * lease tokens, one script per step, wake-ups per key, Redis Cluster), or
		 * 'spring-integration', Spring Integration's RedisLockRegistry. The two use
		 * different Redis keys and do not exclude each other: every instance sharing keys
		 * must use the same engine.
		 */
		private Engine engine = Engine.AUTOMUTEX;

		/**
		 * How waiters of the 'spring-integration' engine learn that a key was released:
		 * 'pub-sub' wakes them at once through Redis pub/sub; 'spin' polls every 100ms,
		 * for Redis setups without pub/sub. The 'automutex' engine always uses pub/sub,
		 * and also wakes when a key's time-to-live ends.
		 */
		private LockType lockType = LockType.PUB_SUB;

		public Engine getEngine() {
			return this.engine;
		}

		public void setEngine(Engine engine) {
			this.engine = engine;
		}

		public LockType getLockType() {
			return this.lockType;
		}

		public void setLockType(LockType lockType) {
			this.lockType = lockType;
		}

	}

	/**
	 * Redis lock engines.
	 */
	public enum Engine {

		/**
		 * AutoMutex's own engine ({@code RedisLeaseLockRegistry}).
		 */
		AUTOMUTEX,

		/**
		 * Spring Integration's {@code RedisLockRegistry}.
		 */
		SPRING_INTEGRATION

	}

	/**
	 * How Redis waiters learn that a key was released.
	 */
	public enum LockType {

		/**
		 * Woken through Redis pub/sub.
		 */
		PUB_SUB,

		/**
		 * Poll every 100ms.
		 */
		SPIN

	}

}
