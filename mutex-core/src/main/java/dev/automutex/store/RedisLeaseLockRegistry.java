package dev.automutex.store;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.ExpirableLockRegistry;
import org.springframework.integration.support.locks.RenewableLockRegistry;
import org.springframework.util.Assert;

/**
 * AutoMutex's own Redis lock engine, as a Spring Integration
 * {@link RenewableLockRegistry} on Spring Data Redis's {@link RedisConnectionFactory}
 * (Lettuce or Jedis; standalone, Sentinel or Cluster). Each hold is a {@link RedisLease}:
 * the key {@code <prefix>:{<key>}} set to a random token only that hold knows, with a
 * time-to-live. One script per step: acquiring sets the key and issues its fencing token,
 * releasing grants it to the next waiting instance (or deletes it), renewing extends it.
 * {@code RedisScriptRunner} sends them (on Lettuce's shared connection when it can).
 * <p>
 * Waiters are woken per key, not by a broadcast: the release script grants the key to the
 * first instance queued for it and tells that instance only, on its own channel; inside
 * an instance only the first waiter of a key talks to Redis. A waiter never sleeps past
 * the key's time-to-live, so the key of a crashed holder is taken soon after it expires.
 * A key released by one thread while another thread of this instance waits for it passes
 * to that thread without leaving Redis (at most {@link #setMaxLocalHandOffs(int)} times
 * in a row while other instances wait), without a round trip when that thread's lease is
 * renewed.
 * <p>
 * Two ways to use it: {@link #acquire(String, Duration, Duration)} gives a lease that any
 * thread may release, renew or ask about; {@link #obtain(Object)} gives Spring
 * Integration's {@link DistributedLock}, re-entrant and bound to the thread that locked
 * it, like every Spring Integration lock.
 * <p>
 * Thread-safe. Its wake-up subscription starts with it; as a {@link SmartLifecycle} bean
 * it stops in the last phase, before the connection factory closes its connections, and
 * destroying it (it is a {@link DisposableBean}) frees its thread.
 *
 * @since 0.1.0
 * @see RedisLeaseMutexStore
 */
public class RedisLeaseLockRegistry implements RenewableLockRegistry<DistributedLock>,
		ExpirableLockRegistry<DistributedLock>, SmartLifecycle, DisposableBean {

	/**
	 * Local hand-offs in a row allowed while other instances wait for the key.
	 */
	public static final int DEFAULT_MAX_LOCAL_HAND_OFFS = 8;

	private final RedisLeases engine;

	/**
	 * Longest time-to-live sent to Redis, about 146 years (as {@code MutexTemplate} caps
	 * leases); longer ones are held this long.
	 */
	static final long MAX_TTL_MILLIS = Long.MAX_VALUE / 2 / 1_000_000;

	private static final Duration ONE_MILLISECOND = Duration.ofMillis(1);

	private final Duration defaultExpire;

	private final RedisConnectionFactory connectionFactory;

	private final String description;

	private final RedisWakeSubscription wakeUps;

	private final Map<String, RedisLeaseLock> locks = new ConcurrentHashMap<>();

	/**
	 * Create a registry whose keys live {@link LockRegistryMutexStore#DEFAULT_EXPIRE}
	 * unless a lock is given a time-to-live.
	 * @param connectionFactory the Redis connection
	 * @param prefix the prefix of every Redis key ({@code mutex} gives
	 * {@code mutex:{<key>}}); no braces
	 */
	public RedisLeaseLockRegistry(RedisConnectionFactory connectionFactory, String prefix) {
		this(connectionFactory, prefix, LockRegistryMutexStore.DEFAULT_EXPIRE);
	}

	/**
	 * Create a registry.
	 * @param connectionFactory the Redis connection
	 * @param prefix the prefix of every Redis key ({@code mutex} gives
	 * {@code mutex:{<key>}}); no braces
	 * @param defaultExpire the time-to-live of keys locked without one
	 */
	public RedisLeaseLockRegistry(RedisConnectionFactory connectionFactory, String prefix, Duration defaultExpire) {
		Assert.notNull(connectionFactory, "RedisConnectionFactory must not be null");
		ttlMillis(defaultExpire, "defaultExpire");
		RedisKeyLayout layout = new RedisKeyLayout(prefix);
		String address = RedisAddress.of(connectionFactory);
		boolean cluster = RedisAddress.isCluster(connectionFactory);
		RedisScriptRunner redis = RedisScriptRunner.of(connectionFactory);
		String instanceId = RedisLeases.newInstanceId();
		this.engine = new RedisLeases(layout, new RedisLockScripts(redis, address, layout.wakeChannelPrefix(), cluster),
				instanceId, DEFAULT_MAX_LOCAL_HAND_OFFS, cluster);
		this.defaultExpire = defaultExpire;
		this.connectionFactory = connectionFactory;
		this.description = "RedisLeaseLockRegistry[redis=" + address + ", prefix=" + prefix + ", expire="
				+ defaultExpire + "]";
		this.wakeUps = new RedisWakeSubscription(connectionFactory, this.engine,
				layout.wakeChannelPrefix() + instanceId, address);
	}

	/**
	 * Set how many times in a row a key may pass between threads of this instance without
	 * leaving Redis while other instances wait for it
	 * ({@value #DEFAULT_MAX_LOCAL_HAND_OFFS} by default); after that it is released to
	 * the first waiting instance. Zero turns hand-offs off while others wait.
	 * @param maxLocalHandOffs the limit, not negative
	 */
	public void setMaxLocalHandOffs(int maxLocalHandOffs) {
		Assert.isTrue(maxLocalHandOffs >= 0, "maxLocalHandOffs must not be negative");
		this.engine.setMaxLocalHandOffs(maxLocalHandOffs);
	}

	/**
	 * Take a key, waiting up to {@code wait}, and hold it for {@code ttl} unless released
	 * or renewed.
	 * @param key the key, not empty
	 * @param wait how long to wait; {@link Duration#ZERO} means do not wait
	 * @param ttl the time-to-live, at least a millisecond; one longer than about 146
	 * years ({@link #MAX_TTL_MILLIS}) is held that long
	 * @return the lease, or {@code null} if the key could not be had in time
	 * @throws InterruptedException if the calling thread was interrupted while waiting
	 * @throws org.springframework.dao.DataAccessResourceFailureException if Redis could
	 * not be reached; it names Redis and its address
	 */
	public @Nullable RedisLease acquire(String key, Duration wait, Duration ttl) throws InterruptedException {
		return acquire(key, wait, ttl, false);
	}

	/**
	 * Take a key for a caller that renews the lease every third of its time-to-live while
	 * it holds it: a lease released by another thread of this instance may then pass to
	 * it without a round trip, with the time-to-live it still has in Redis (at least five
	 * sixths of it), not a fresh one. {@link RedisLease#ttlSetAt} tells when that
	 * time-to-live started.
	 * @param key the key, not empty
	 * @param wait how long to wait
	 * @param ttl the time-to-live
	 * @param renewed whether the caller renews the lease
	 * @return the lease, or {@code null} if the key could not be had in time
	 */
	@Nullable RedisLease acquire(String key, Duration wait, Duration ttl, boolean renewed) throws InterruptedException {
		Assert.hasLength(key, "key must not be empty");
		Assert.isTrue(wait != null && !wait.isNegative(), "wait must not be negative");
		return this.engine.acquire(key, LocalLockRegistry.saturatedNanos(wait), ttlMillis(ttl, "ttl"), renewed);
	}

	/**
	 * Whether any instance holds the key now ({@code EXISTS}).
	 * @param key the key
	 * @return {@code true} while held
	 */
	public boolean isLocked(String key) {
		return this.engine.isLocked(key);
	}

	/**
	 * The key's time-to-live in Redis ({@code PTTL}).
	 * @param key the key
	 * @return the time left, or {@code null} if the key is not held
	 */
	public @Nullable Duration leaseLeft(String key) {
		long millis = this.engine.pttl(key);
		return (millis >= 0) ? Duration.ofMillis(millis) : null;
	}

	/**
	 * Free a key whoever holds it, for an operator: the next waiting instance gets it, as
	 * on a release. The holder goes on running; its renewal, check or release finds the
	 * key lost.
	 * @param key the key
	 * @return whether the key was held
	 */
	public boolean forceRelease(String key) {
		return this.engine.forceRelease(key);
	}

	/**
	 * The keys held under this registry's prefix by any instance ({@code SCAN}, on every
	 * master of a cluster), up to {@code limit}.
	 * @param limit how many at most, at least 1
	 * @return the held keys, in no particular order
	 */
	public List<StoredHold> heldKeys(int limit) {
		Assert.isTrue(limit > 0, "limit must be at least 1");
		return this.engine.heldKeys(this.connectionFactory, limit);
	}

	/**
	 * The Redis key under which a key is held.
	 * @param key the key
	 * @return {@code <prefix>:{<key>}}, with {@code %}, <code>{</code> and <code>}</code>
	 * written as {@code %25}, {@code %7B} and {@code %7D}
	 */
	public String redisKey(String key) {
		return this.engine.layout.lockKey(key);
	}

	/**
	 * The time-to-live of keys locked without one.
	 * @return the default time-to-live
	 */
	public Duration getDefaultExpire() {
		return this.defaultExpire;
	}

	/**
	 * The time-to-live in milliseconds, at most {@link #MAX_TTL_MILLIS}: a longer one (up
	 * to {@code ChronoUnit.FOREVER}) would overflow Redis' expiry, which it keeps as
	 * milliseconds since 1970 in a long.
	 * @param ttl the time-to-live
	 * @param name the argument's name, for the error
	 * @return the milliseconds to send to Redis
	 * @throws IllegalArgumentException if {@code ttl} is {@code null} or under a
	 * millisecond
	 */
	static long ttlMillis(@Nullable Duration ttl, String name) {
		Assert.isTrue(ttl != null && ttl.compareTo(ONE_MILLISECOND) >= 0, name + " must be at least 1ms");
		return (ttl.getSeconds() >= MAX_TTL_MILLIS / 1000) ? MAX_TTL_MILLIS : ttl.toMillis();
	}

	/**
	 * The lock for a key: a re-entrant {@link DistributedLock}, held by the thread that
	 * locked it. The same object for the same key until
	 * {@link #expireUnusedOlderThan(long)} drops it.
	 * @param lockKey the key, a non-empty {@link String}
	 */
	@Override
	public DistributedLock obtain(Object lockKey) {
		Assert.isInstanceOf(String.class, lockKey, "RedisLeaseLockRegistry supports only String keys");
		String key = (String) lockKey;
		Assert.hasLength(key, "key must not be empty");
		return this.locks.computeIfAbsent(key, (k) -> new RedisLeaseLock(this, k));
	}

	/**
	 * Drop the lock objects of keys not locked now and unused for {@code age}
	 * milliseconds. Safe at any time: exclusion is kept in Redis per key, not per lock
	 * object.
	 */
	@Override
	public void expireUnusedOlderThan(long age) {
		long now = System.currentTimeMillis();
		this.locks.values().removeIf((lock) -> lock.isIdleSince(now - age));
	}

	@Override
	public void renewLock(Object lockKey) {
		renewLock(lockKey, this.defaultExpire);
	}

	/**
	 * Renew the lease of a key locked through {@link #obtain(Object)}, from any thread.
	 * @throws IllegalStateException if this registry does not hold the key in Redis
	 */
	@Override
	public void renewLock(Object lockKey, Duration ttl) {
		RedisLeaseLock lock = this.locks.get(lockKey);
		RedisLease lease = (lock != null) ? lock.lease() : null;
		if (lease == null || !lease.renew(ttl)) {
			throw new IllegalStateException("Could not renew mutex at '" + redisKey(lockKey.toString())
					+ "': it is not held through this registry (released, expired or taken over)");
		}
	}

	/**
	 * Keys with waiters or holders in this instance now (for tests).
	 * @return the number of keys
	 */
	int keysInUse() {
		return this.engine.keysInUse();
	}

	String instanceId() {
		return this.engine.instanceId;
	}

	/**
	 * Subscribe to this instance's wake-ups again after {@link #stop()}; the constructor
	 * already did.
	 */
	@Override
	public void start() {
		this.wakeUps.start();
	}

	/**
	 * Stop the wake-up subscription: waiters then ask Redis when the key's time-to-live
	 * ends. Keys still held stay held in Redis until released or expired.
	 */
	@Override
	public void stop() {
		this.wakeUps.stop();
	}

	@Override
	public boolean isRunning() {
		return this.wakeUps.isRunning();
	}

	/**
	 * Stop the wake-up subscription and its thread. Keys still held stay held in Redis
	 * until released or expired.
	 */
	@Override
	public void destroy() throws Exception {
		try {
			this.wakeUps.destroy();
		}
		finally {
			this.engine.shutdown();
		}
	}

	@Override
	public String toString() {
		return this.description;
	}

}
