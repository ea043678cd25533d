package dev.automutex.store;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The AutoMutex Redis engine: leases on keys in Redis, one script per step, wake-ups that
 * follow the key and hand-offs between threads of this instance.
 * <p>
 * <b>Waiting.</b> In this instance only the first waiter of a key talks to Redis; the
 * others queue here ({@link KeyWaitQueue}). A failed attempt queues the instance in Redis
 * for that key and tells how long the key still lives; the waiter sleeps until the key is
 * granted to this instance (the release script grants it to the first queued instance
 * only and tells it, {@link #woken(byte[])}), or until the key's time-to-live has passed,
 * or its own wait ends, whichever is first.
 * <p>
 * <b>Hand-off.</b> When a thread releases a key that another thread of this instance
 * waits for, the key passes to it without leaving Redis: with no round trip when the
 * waiter renews its lease and its time-to-live was set recently
 * ({@link RedisLeaseRelease}), else in one script (a new lease token and fencing token).
 * Every {@code maxLocalHandOffs}-th hand-off in a row goes through Redis, and if other
 * instances wait the key is released to the first of them instead.
 * <p>
 * Thread-safe.
 */
final class RedisLeases {

	/**
	 * How long a waiter sleeps without news when it knows nothing of the key's
	 * time-to-live.
	 */
	private static final long NO_NEWS_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** How often a waiter asks before its wake-up subscription is in place. */
	private static final long UNSUBSCRIBED_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	/**
	 * How often a waiter asks at least on a cluster, where a wake-up sent to a waiting
	 * instance that died is lost (a cluster node's {@code PUBLISH} counts only its own
	 * subscribers, so the release script cannot tell).
	 */
	private static final long CLUSTER_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final SecureRandom random = new SecureRandom();

	final RedisKeyLayout layout;

	final RedisLockScripts scripts;

	final String instanceId;

	private final ConcurrentHashMap<String, KeyWaitQueue> queues = new ConcurrentHashMap<>();

	private final long maxSleepNanos;

	private final RedisCleanup cleanup;

	private volatile boolean subscribed;

	private final RedisLeaseAcquisition acquisitions = new RedisLeaseAcquisition(this);

	private volatile int maxLocalHandOffs;

	private final RedisLeaseRelease releases = new RedisLeaseRelease(this);

	final RedisWakeUps wakeUps = new RedisWakeUps(this);

	RedisLeases(RedisKeyLayout layout, RedisLockScripts scripts, String instanceId, int maxLocalHandOffs,
			boolean cluster) {
		this.maxSleepNanos = cluster ? CLUSTER_RECHECK_NANOS : Long.MAX_VALUE;
		this.cleanup = new RedisCleanup(scripts, instanceId);
		this.layout = layout;
		this.scripts = scripts;
		this.instanceId = instanceId;
		this.maxLocalHandOffs = maxLocalHandOffs;
	}

	static String newInstanceId() {
		byte[] bytes = new byte[8];
		random.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	String newValue() {
		byte[] bytes = new byte[16];
		random.nextBytes(bytes);
		return this.instanceId + ":" + HexFormat.of().formatHex(bytes);
	}

	void setMaxLocalHandOffs(int maxLocalHandOffs) {
		this.maxLocalHandOffs = maxLocalHandOffs;
	}

	int maxLocalHandOffs() {
		return this.maxLocalHandOffs;
	}

	/**
	 * How long a waiter sleeps without news when it knows nothing of the key's
	 * time-to-live.
	 * @return the time in nanoseconds
	 */
	long noNewsNanos() {
		return Math.min(NO_NEWS_NANOS, this.maxSleepNanos);
	}

	/**
	 * How long a waiter sleeps at most without news: a second on a cluster, else until
	 * the key's time-to-live; 100 ms until the wake-up subscription is in place.
	 * @param pttlNanos the key's time-to-live, margin included
	 * @return the time to sleep in nanoseconds
	 */
	long sleepFor(long pttlNanos) {
		return Math.min(pttlNanos, this.subscribed ? this.maxSleepNanos : UNSUBSCRIBED_NANOS);
	}

	/**
	 * Take the key, waiting up to {@code waitNanos}.
	 * @param key the key
	 * @param waitNanos how long to wait
	 * @param ttlMillis the lease's time-to-live
	 * @param renewed whether the caller renews the lease while it holds it
	 * @return the lease, or {@code null} on time-out
	 * @throws InterruptedException if interrupted while waiting
	 */
	@Nullable RedisLease acquire(String key, long waitNanos, long ttlMillis, boolean renewed) throws InterruptedException {
		return this.acquisitions.acquire(key, waitNanos, ttlMillis, renewed);
	}

	/**
	 * Release a lease value in the background, until Redis answers or its time-to-live
	 * has passed: for a step that failed at the client but may yet run in Redis.
	 * @param queue the key's record
	 * @param value the lease value
	 * @param ttlMillis the lease's time-to-live
	 */
	void forget(KeyWaitQueue queue, String value, long ttlMillis) {
		this.cleanup.forget(queue.lockKey, queue.key, value, ttlMillis);
	}

	KeyWaitQueue enter(String key) {
		while (true) {
			KeyWaitQueue queue = this.queues.computeIfAbsent(key, (k) -> new KeyWaitQueue(k, this.layout.lockKey(k)));
			if (queue.enter()) {
				return queue;
			}
			this.queues.remove(key, queue); // retired: help remove it
		}
	}

	/**
	 * The key's record, if a thread of this instance waits for or holds it now.
	 * @param key the key
	 * @return the record, or {@code null}
	 */
	@Nullable KeyWaitQueue record(String key) {
		return this.queues.get(key);
	}

	/**
	 * Count a thread or lease out of the key's record. The last one out releases a grant
	 * that nobody here took, before it leaves, so that a thread entering meanwhile finds
	 * the grant gone from the record it uses.
	 * @param queue the key's record
	 */
	void leave(KeyWaitQueue queue) {
		this.wakeUps.releaseGrantLeftBehind(queue);
		leaveRecord(queue);
	}

	/**
	 * Count a thread or lease out of the key's record, and remove the record once it was
	 * the last.
	 * @param queue the key's record
	 */
	void leaveRecord(KeyWaitQueue queue) {
		if (queue.leave()) {
			this.queues.remove(queue.key, queue);
		}
	}

	boolean release(RedisLease lease) {
		return this.releases.release(lease);
	}

	boolean renew(RedisLease lease, long ttlMillis) {
		KeyWaitQueue queue = lease.queue;
		long sentAt = System.nanoTime();
		boolean renewed = this.scripts.renew(queue.lockKey, lease.value, ttlMillis);
		if (renewed) {
			lease.ttlMillis = ttlMillis;
			lease.ttlSetAt = sentAt;
			synchronized (queue) {
				if (queue.holder == lease) {
					queue.heldUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ttlMillis);
				}
			}
		}
		return renewed;
	}

	/**
	 * Issue the fencing token of a lease passed on without Redis.
	 * @param lease the lease
	 * @return the token
	 * @throws IllegalStateException if Redis no longer holds the key for it
	 */
	long fencingToken(RedisLease lease) {
		long token = this.scripts.fencingToken(lease.queue.lockKey, lease.value, lease.ttlMillis);
		if (token < 0) {
			throw new IllegalStateException("Mutex '" + lease.key() + "' is no longer held in Redis for this lease "
					+ "(it expired or was removed), so it gets no fencing token");
		}
		return token;
	}

	boolean isHeld(RedisLease lease) {
		return lease.value.equals(this.scripts.get(lease.queue.lockKey));
	}

	boolean isLocked(String key) {
		return this.scripts.isHeld(this.layout.lockKey(key));
	}

	long pttl(String key) {
		return this.scripts.leaseLeft(this.layout.lockKey(key));
	}

	/**
	 * Free a held key whoever holds it. A lease of this instance on it may no longer pass
	 * to another thread here without Redis (see {@link #revoked(String)}).
	 * @param key the key
	 * @return whether it was held
	 */
	boolean forceRelease(String key) {
		revoked(key);
		return this.scripts.forceRelease(this.layout.lockKey(key), key);
	}

	/**
	 * A key this instance may hold was force-released: its lease must not pass to another
	 * thread here without Redis, where it is no longer held. Its release then goes to
	 * Redis, which finds it lost.
	 * @param key the key
	 */
	void revoked(String key) {
		KeyWaitQueue queue = record(key);
		if (queue != null) {
			synchronized (queue) {
				queue.holder = null;
				// A first waiter watching that lease asks Redis now.
				queue.signal();
			}
		}
	}

	/**
	 * The keys held in Redis under this engine's prefix, by any instance.
	 * @param connectionFactory where to scan
	 * @param limit how many at most
	 * @return the held keys
	 */
	List<StoredHold> heldKeys(RedisConnectionFactory connectionFactory, int limit) {
		String prefix = this.layout.prefix() + ":{";
		List<StoredHold> held = new ArrayList<>();
		RedisKeyScan.scan(connectionFactory, RedisKeyScan.escapeGlob(prefix) + "*}", (lockKey) -> {
			long[] holder = this.scripts.heldBy(lockKey, this.instanceId);
			if (holder[0] != -2) {
				String key = RedisKeyLayout.unescape(lockKey.substring(prefix.length(), lockKey.length() - 1));
				held.add(new StoredHold(key, holder[1] == 1, (holder[0] >= 0) ? Duration.ofMillis(holder[0]) : null));
			}
			return held.size() < limit;
		});
		return held;
	}

	/**
	 * A message arrived on this instance's wake-up channel ({@link RedisWakeUps}).
	 * @param message the message
	 */
	void woken(byte[] message) {
		this.wakeUps.woken(message);
	}

	/**
	 * The wake-up channel was subscribed (again, after a reconnection): wake-ups may have
	 * been missed meanwhile, so every first waiter asks now.
	 */
	void subscribed() {
		this.subscribed = true;
		for (KeyWaitQueue queue : this.queues.values()) {
			synchronized (queue) {
				queue.signal();
			}
		}
	}

	/**
	 * Stop the background clean-up.
	 */
	void shutdown() {
		this.cleanup.shutdown();
	}

	/**
	 * Keys with a record here now: waited for or held by this instance (for tests).
	 * @return the number of records
	 */
	int keysInUse() {
		return this.queues.size();
	}

}
