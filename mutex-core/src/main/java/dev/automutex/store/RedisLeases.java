package dev.automutex.store;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.store.KeyWaitQueue.Waiter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

	private static final Logger logger = LoggerFactory.getLogger(RedisLeases.class);

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

	private volatile Executor redisTasks = Runnable::run;

	private final RedisLeaseAcquisition acquisitions = new RedisLeaseAcquisition(this);

	private volatile int maxLocalHandOffs;

	private final RedisLeaseRelease releases = new RedisLeaseRelease(this);

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
	 * Count a thread or lease out of the key's record. The last one out releases a grant
	 * that nobody here took, before it leaves, so that a thread entering meanwhile finds
	 * the grant gone from the record it uses.
	 * @param queue the key's record
	 */
	void leave(KeyWaitQueue queue) {
		long grant = 0;
		long grantMillis = 0;
		synchronized (queue) {
			if (queue.isLastUser() && queue.pendingGrant > queue.lastGrant) {
				grant = queue.pendingGrant;
				grantMillis = queue.pendingGrantMillis;
				queue.lastGrant = grant;
			}
		}
		if (grant != 0) {
			release(queue.lockKey, queue.key, RedisLockScripts.grantValue(this.instanceId, grant), grantMillis);
		}
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
	 * A message arrived on this instance's wake-up channel: a grant
	 * ({@code g <token> <ttl ms> <key>}) or, on a cluster, a wake-up ({@code w <key>}),
	 * after which the first waiter asks now. With nobody queued here, a thread may still
	 * be between a failed attempt and its place in the queue: it is signalled too, and
	 * the wake-up also goes on to the next instance, so that it is never lost.
	 * <p>
	 * Runs on the thread that received the message (the Redis client's, which must not
	 * wait for Redis): what needs a round trip goes to {@link #setRedisTasks the Redis
	 * task thread}.
	 * @param message the message
	 */
	void woken(byte[] message) {
		String text = new String(message, StandardCharsets.UTF_8);
		if (text.startsWith("g ")) {
			granted(text);
			return;
		}
		String key = text.substring(2); // "w <key>"
		KeyWaitQueue queue = this.queues.get(key);
		if (queue != null) {
			synchronized (queue) {
				queue.registered = false;
				queue.wokenByRedis = true;
				queue.signal();
				if (queue.hasWaiters()) {
					return;
				}
			}
		}
		inBackground(() -> {
			try {
				this.scripts.passOn(this.layout.lockKey(key), key, this.instanceId);
			}
			catch (RuntimeException ex) {
				logger.debug("Could not pass on the wake-up for '{}': {}", key, ex.toString());
			}
		});
	}

	private void inBackground(Runnable task) {
		try {
			this.redisTasks.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// shut down: a key granted here frees itself when its time-to-live ends
		}
	}

	/**
	 * Set where wake-ups run what needs a round trip to Redis (releasing a grant nobody
	 * here takes, passing a wake-up on); by default the calling thread.
	 * @param redisTasks the executor
	 */
	void setRedisTasks(Executor redisTasks) {
		this.redisTasks = redisTasks;
	}

	/**
	 * A release granted a key to this instance: the key is held in Redis for it already
	 * ({@code g <token> <ttl ms> <key>}). The first waiter gets it without asking Redis,
	 * unless it wants a longer time-to-live than the grant's: then it asks, and its
	 * attempt takes the grant and lengthens it. A thread still on its way into the queue
	 * (its attempt queued this instance) takes it once it waits. If nobody here takes it,
	 * the last thread to leave the key's record releases it to the next waiting instance.
	 * @param message the grant message
	 */
	private void granted(String message) {
		int tokenEnd = message.indexOf(' ', 2);
		int ttlEnd = message.indexOf(' ', tokenEnd + 1);
		long token = Long.parseLong(message, 2, tokenEnd, 10);
		long ttlMillis = Long.parseLong(message, tokenEnd + 1, ttlEnd, 10);
		String key = message.substring(ttlEnd + 1);
		// Entering the record makes this the one place that decides who takes the
		// grant, also when no thread uses the key here now.
		KeyWaitQueue queue = enter(key);
		synchronized (queue) {
			queue.registered = false;
			if (token > queue.lastGrant && token > queue.pendingGrant) {
				queue.pendingGrant = token;
				queue.pendingGrantMillis = ttlMillis;
				Waiter first = queue.first();
				if (first == null || first.handing || !takePendingGrant(queue, first)) {
					queue.signal();
				}
			}
		}
		leaveFromWakeUp(queue);
	}

	/**
	 * {@link #leave(KeyWaitQueue)} on the thread that received a message, which must not
	 * wait for Redis: a grant nobody took is released on the wake thread.
	 * @param queue the key's record
	 */
	private void leaveFromWakeUp(KeyWaitQueue queue) {
		synchronized (queue) {
			if (!queue.isLastUser() || queue.pendingGrant <= queue.lastGrant) {
				if (queue.leave()) {
					this.queues.remove(queue.key, queue);
				}
				return;
			}
		}
		inBackground(() -> leave(queue));
	}

	/**
	 * Give the key's pending grant to its first waiter, unless the waiter wants a longer
	 * time-to-live. Called with the record's monitor held.
	 * @param queue the key's record
	 * @param first its first waiter
	 * @return whether the waiter got it
	 */
	boolean takePendingGrant(KeyWaitQueue queue, Waiter first) {
		long token = queue.pendingGrant;
		if (token <= queue.lastGrant || first.ttlMillis > queue.pendingGrantMillis) {
			return false;
		}
		queue.lastGrant = token;
		queue.pollFirst();
		RedisLease lease = new RedisLease(this, queue, RedisLockScripts.grantValue(this.instanceId, token), token,
				queue.pendingGrantMillis, RedisLease.UNKNOWN);
		queue.localLeases++;
		queue.holder = lease;
		queue.handOffs = 0;
		queue.heldUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(queue.pendingGrantMillis);
		first.handed = lease;
		LockSupport.unpark(first.thread);
		// The next waiter now watches this lease.
		queue.wakeFirst(true);
		return true;
	}

	private void release(String lockKey, String key, String value, long ttlMillis) {
		try {
			this.scripts.release(lockKey, value, key, this.instanceId);
		}
		catch (RuntimeException ex) {
			this.cleanup.forget(lockKey, key, value, ttlMillis);
		}
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
