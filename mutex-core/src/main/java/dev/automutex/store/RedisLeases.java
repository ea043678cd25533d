package dev.automutex.store;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
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
 * for that key and tells how long the key still lives; the waiter sleeps until a wake-up
 * for the key (the release script wakes the first queued instance only), or until the
 * key's time-to-live has passed, or its own wait ends, whichever is first.
 * <p>
 * <b>Hand-off.</b> When a thread releases a key that another thread of this instance
 * waits for, the key passes to it in Redis without being deleted (one script; it gets a
 * new lease token and fencing token). After {@code maxLocalHandOffs} hand-offs in a row
 * while other instances wait, the key is released to the first of them instead.
 * <p>
 * Thread-safe.
 */
final class RedisLeases {

	private static final Logger logger = LoggerFactory.getLogger(RedisLeases.class);

	/** Slack after a key's time-to-live before its waiter asks again. */
	private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	/**
	 * How long a waiter sleeps without news when it knows nothing of the key's
	 * time-to-live.
	 */
	private static final long NO_NEWS_NANOS = TimeUnit.SECONDS.toNanos(1);

	/**
	 * How often a waiter asks at least on a cluster, where a wake-up sent to a waiting
	 * instance that died is lost (a cluster node's {@code PUBLISH} counts only its own
	 * subscribers, so the release script cannot tell).
	 */
	private static final long CLUSTER_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** How often a waiter asks before its wake-up subscription is in place. */
	private static final long UNSUBSCRIBED_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	/** How often a waiter being handed a key looks whether the hand-off is done. */
	private static final long HANDING_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private static final long MAX_QUEUED_MILLIS = TimeUnit.DAYS.toMillis(1);

	private static final SecureRandom random = new SecureRandom();

	final RedisKeyLayout layout;

	final RedisLockScripts scripts;

	final String instanceId;

	private final ConcurrentHashMap<String, KeyWaitQueue> queues = new ConcurrentHashMap<>();

	private final long maxSleepNanos;

	private final RedisCleanup cleanup;

	private volatile boolean subscribed;

	private volatile int maxLocalHandOffs;

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

	private String newValue() {
		byte[] bytes = new byte[16];
		random.nextBytes(bytes);
		return this.instanceId + ":" + HexFormat.of().formatHex(bytes);
	}

	void setMaxLocalHandOffs(int maxLocalHandOffs) {
		this.maxLocalHandOffs = maxLocalHandOffs;
	}

	/**
	 * Take the key, waiting up to {@code waitNanos}.
	 * @param key the key
	 * @param waitNanos how long to wait
	 * @param ttlMillis the lease's time-to-live
	 * @return the lease, or {@code null} on time-out
	 */
	@Nullable RedisLease acquire(String key, long waitNanos, long ttlMillis) throws InterruptedException {
		if (Thread.interrupted()) {
			throw new InterruptedException("Interrupted before waiting for mutex '" + key + "'");
		}
		long start = System.nanoTime();
		long deadline = start + Math.min(waitNanos, Long.MAX_VALUE / 4);
		String value = newValue();
		KeyWaitQueue queue = enter(key);
		boolean kept = false;
		try {
			boolean alone;
			int signals;
			synchronized (queue) {
				// Held here, its lease not over: no need to ask Redis. A lease past its
				// end may have expired in Redis: ask.
				alone = !queue.hasWaiters() && (queue.holder == null || System.nanoTime() - queue.heldUntil >= 0);
				signals = queue.signals;
				if (alone) {
					queue.attempts++;
				}
			}
			long nextTry = start;
			if (alone) {
				long outcome = attempt(queue, value, ttlMillis, queuedMillis(start, deadline), false);
				if (outcome >= 0) {
					kept = true;
					return granted(queue, value, outcome, ttlMillis, null);
				}
				if (waitNanos == 0) {
					return null;
				}
				synchronized (queue) {
					queue.registered = true;
				}
				nextTry = System.nanoTime() + retryAfter(outcome);
			}
			else if (waitNanos == 0) {
				return null; // held here, or others of this instance wait for it first
			}
			Waiter waiter = new Waiter(Thread.currentThread(), ttlMillis, nextTry, signals);
			synchronized (queue) {
				queue.add(waiter);
			}
			RedisLease lease = null;
			boolean redisFailed = false;
			try {
				lease = await(queue, waiter, deadline, value);
			}
			catch (RuntimeException ex) {
				redisFailed = true;
				throw ex;
			}
			finally {
				if (lease == null) {
					// After a Redis failure, do not ask Redis again: the caller hears of
					// the failure now, not after another command timeout.
					giveUp(queue, waiter, !redisFailed);
				}
			}
			kept = lease != null;
			return lease;
		}
		finally {
			if (!kept) {
				leave(queue);
			}
		}
	}

	private @Nullable RedisLease await(KeyWaitQueue queue, Waiter waiter, long deadline, String value)
			throws InterruptedException {
		boolean interrupted = false;
		while (true) {
			long now = System.nanoTime();
			long parkUntil = 0;
			boolean attempt = false;
			boolean front = false;
			synchronized (queue) {
				if (waiter.handed != null) {
					if (interrupted) {
						Thread.currentThread().interrupt();
					}
					return waiter.handed;
				}
				if (waiter.handing) {
					parkUntil = now + HANDING_NANOS;
				}
				else if (interrupted) {
					throw new InterruptedException("Interrupted while waiting for mutex '" + queue.key + "'");
				}
				else if (now - deadline >= 0) {
					return null;
				}
				else if (queue.first() != waiter) {
					parkUntil = deadline;
				}
				else if (waiter.signalsSeen == queue.signals && now - waiter.nextTry < 0) {
					parkUntil = earlier(deadline, waiter.nextTry);
				}
				else if (waiter.signalsSeen == queue.signals && queue.holder != null
						&& now - (queue.heldUntil + MARGIN_NANOS) < 0) {
					// Held here: the holder hands it over on release; ask Redis only if
					// its lease ends first.
					waiter.nextTry = queue.heldUntil + MARGIN_NANOS;
					parkUntil = earlier(deadline, waiter.nextTry);
				}
				else {
					attempt = true;
					queue.attempts++;
					waiter.signalsSeen = queue.signals;
					front = queue.wokenByRedis;
					queue.wokenByRedis = false;
				}
			}
			if (attempt) {
				long outcome = attempt(queue, value, waiter.ttlMillis, queuedMillis(now, deadline), front);
				if (outcome >= 0) {
					return granted(queue, value, outcome, waiter.ttlMillis, waiter);
				}
				synchronized (queue) {
					queue.registered = true;
					waiter.nextTry = System.nanoTime() + retryAfter(outcome);
				}
				continue;
			}
			LockSupport.parkNanos(this, parkUntil - now);
			if (Thread.interrupted()) {
				interrupted = true;
			}
		}
	}

	// One attempt at Redis. When it fails (Redis slow, paused or gone), the script may
	// still run once Redis answers, and leave the key held by a lease nobody knows: take
	// it back in the background.
	private long attempt(KeyWaitQueue queue, String value, long ttlMillis, long waitMillis, boolean front)
			throws InterruptedException {
		try {
			return this.scripts.acquire(queue.lockKey, value, ttlMillis, waitMillis, this.instanceId, front);
		}
		catch (RuntimeException ex) {
			forget(queue, value, ttlMillis);
			if (Thread.interrupted()) {
				// The client stopped waiting for the reply because this thread was
				// interrupted (Lettuce sets the interrupt status again): an interrupt,
				// not a Redis failure.
				InterruptedException interrupted = new InterruptedException(
						"Interrupted while asking Redis for mutex '" + queue.key + "'");
				interrupted.initCause(ex);
				throw interrupted;
			}
			throw ex;
		}
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

	private static long earlier(long a, long b) {
		return (a - b <= 0) ? a : b;
	}

	private static long queuedMillis(long now, long deadline) {
		long nanos = deadline - now;
		return (nanos <= 0) ? 0 : Math.min(MAX_QUEUED_MILLIS, TimeUnit.NANOSECONDS.toMillis(nanos) + 1);
	}

	private long retryAfter(long failedOutcome) {
		long pttlNanos = TimeUnit.MILLISECONDS.toNanos(-1 - failedOutcome) + MARGIN_NANOS;
		return Math.min(pttlNanos, this.subscribed ? this.maxSleepNanos : UNSUBSCRIBED_NANOS);
	}

	private RedisLease granted(KeyWaitQueue queue, String value, long fencingToken, long ttlMillis,
			@Nullable Waiter waiter) {
		RedisLease lease = new RedisLease(this, queue, value, fencingToken, ttlMillis);
		synchronized (queue) {
			queue.localLeases++;
			queue.holder = lease;
			queue.handOffs = 0;
			queue.registered = false;
			queue.heldUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ttlMillis);
			if (waiter != null) {
				// A release may have taken it for a hand-off meanwhile: it must not put
				// it back in the queue.
				waiter.left = true;
				queue.remove(waiter);
			}
		}
		return lease;
	}

	private void giveUp(KeyWaitQueue queue, Waiter waiter, boolean redisAnswered) {
		boolean passOn;
		boolean unregister;
		int attempts;
		synchronized (queue) {
			waiter.left = true;
			queue.remove(waiter);
			// A wake-up that came while this waiter was on its way out found a waiter
			// and was kept: nobody here takes the key reserved for this instance now, so
			// pass it on.
			passOn = redisAnswered && queue.wokenByRedis && !queue.hasWaiters();
			if (passOn) {
				queue.wokenByRedis = false;
			}
			unregister = redisAnswered && queue.registered && queue.isIdle();
			if (unregister) {
				queue.registered = false;
			}
			attempts = queue.attempts;
		}
		if (passOn) {
			try {
				this.scripts.passOn(queue.lockKey, queue.key, this.instanceId);
			}
			catch (RuntimeException ex) {
				logger.debug("Could not pass on the wake-up for '{}': {}", queue.key, ex.toString());
			}
		}
		if (unregister) {
			try {
				this.scripts.unregister(queue.lockKey, this.instanceId);
			}
			catch (RuntimeException ex) {
				// A wake-up for a key nobody waits for here is passed on.
				logger.debug("Could not unqueue this instance for '{}': {}", queue.key, ex.toString());
			}
			synchronized (queue) {
				if (queue.attempts != attempts) {
					// A thread queued this instance meanwhile and the unqueue may have
					// come after it: its first waiter queues it again.
					queue.signal();
				}
			}
		}
	}

	private KeyWaitQueue enter(String key) {
		while (true) {
			KeyWaitQueue queue = this.queues.computeIfAbsent(key, (k) -> new KeyWaitQueue(k, this.layout.lockKey(k)));
			if (queue.enter()) {
				return queue;
			}
			this.queues.remove(key, queue); // retired: help remove it
		}
	}

	private void leave(KeyWaitQueue queue) {
		if (queue.leave()) {
			this.queues.remove(queue.key, queue);
		}
	}

	boolean release(RedisLease lease) {
		KeyWaitQueue queue = lease.queue;
		Waiter candidate;
		boolean mayHandOff;
		boolean lastWaiter;
		int signals;
		synchronized (queue) {
			candidate = queue.pollFirst();
			mayHandOff = queue.handOffs < this.maxLocalHandOffs;
			lastWaiter = !queue.hasWaiters();
			signals = queue.signals;
			if (candidate != null) {
				candidate.handing = true;
			}
		}
		try {
			return (candidate != null) ? handOff(lease, candidate, mayHandOff, lastWaiter, signals)
					: releaseInRedis(lease);
		}
		finally {
			leave(queue);
		}
	}

	private boolean releaseInRedis(RedisLease lease) {
		KeyWaitQueue queue = lease.queue;
		try {
			return this.scripts.release(queue.lockKey, lease.value, queue.key);
		}
		catch (RuntimeException ex) {
			forget(queue, lease.value, lease.ttlMillis);
			throw ex;
		}
		finally {
			synchronized (queue) {
				queue.localLeases--;
				if (queue.holder == lease) {
					queue.holder = null;
				}
				queue.signal();
			}
		}
	}

	private boolean handOff(RedisLease lease, Waiter candidate, boolean mayHandOff, boolean lastWaiter,
			int signalsBefore) {
		KeyWaitQueue queue = lease.queue;
		String value = newValue();
		long outcome;
		try {
			outcome = this.scripts.handOff(queue.lockKey, lease.value, value, candidate.ttlMillis, mayHandOff,
					this.instanceId, queue.key, lastWaiter);
		}
		catch (RuntimeException ex) {
			// Either lease may hold the key once Redis answers.
			forget(queue, lease.value, lease.ttlMillis);
			forget(queue, value, candidate.ttlMillis);
			synchronized (queue) {
				queue.localLeases--;
				if (queue.holder == lease) {
					queue.holder = null;
				}
				candidate.handing = false;
				if (!candidate.left) {
					queue.addFirst(candidate);
				}
				queue.signal();
			}
			throw ex;
		}
		RedisLease orphan;
		synchronized (queue) {
			queue.localLeases--;
			if (queue.holder == lease) {
				queue.holder = null;
			}
			candidate.handing = false;
			long now = System.nanoTime();
			if (outcome > 0) {
				RedisLease handed = new RedisLease(this, queue, value, outcome, candidate.ttlMillis);
				queue.localLeases++;
				queue.holder = handed;
				queue.handOffs++;
				if (lastWaiter) {
					queue.registered = false;
				}
				queue.heldUntil = now + TimeUnit.MILLISECONDS.toNanos(candidate.ttlMillis);
				if (!candidate.left) {
					candidate.handed = handed;
					LockSupport.unpark(candidate.thread);
					// The next waiter now watches this new lease.
					queue.wakeFirst(true);
					return true;
				}
				// Its thread left while the hand-off ran (its own attempt failed at the
				// client): release the key it was given, to the next waiter.
				queue.enter(); // cannot be retired: this release still uses the record
				orphan = handed;
			}
			else {
				orphan = null;
				if (candidate.left) {
					// Its own attempt won, or failed, while the hand-off ran: it is not
					// waiting any more.
					queue.signal();
				}
				else {
					queue.addFirst(candidate);
					if (outcome == 0) {
						// Released to another instance, and this one queued behind it:
						// wait for the wake-up rather than take the key straight back.
						queue.handOffs = 0;
						queue.registered = true;
						// A wake-up that came during the script still counts.
						candidate.signalsSeen = signalsBefore;
						candidate.nextTry = now + Math.min(NO_NEWS_NANOS, this.maxSleepNanos);
						LockSupport.unpark(candidate.thread);
					}
					else {
						queue.signal();
					}
				}
			}
		}
		if (orphan != null) {
			try {
				orphan.release();
			}
			catch (RuntimeException ex) {
				// taken back in the background (forget), or freed by its time-to-live
				logger.debug("Could not release '{}' handed to a waiter that left: {}", queue.key, ex.toString());
			}
			return true;
		}
		return outcome == 0;
	}

	boolean renew(RedisLease lease, long ttlMillis) {
		KeyWaitQueue queue = lease.queue;
		boolean renewed = this.scripts.renew(queue.lockKey, lease.value, ttlMillis);
		if (renewed) {
			lease.ttlMillis = ttlMillis;
			synchronized (queue) {
				if (queue.holder == lease) {
					queue.heldUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ttlMillis);
				}
			}
		}
		return renewed;
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

	@Nullable String holderValue(String key) {
		return this.scripts.get(this.layout.lockKey(key));
	}

	/**
	 * A wake-up for a key arrived on this instance's channel: the first waiter asks now.
	 * With nobody queued here, a thread may still be between a failed attempt and its
	 * place in the queue: it is signalled too, and the wake-up also goes on to the next
	 * instance, so that it is never lost.
	 * @param message the key
	 */
	void woken(byte[] message) {
		String key = new String(message, StandardCharsets.UTF_8);
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
		try {
			this.scripts.passOn(this.layout.lockKey(key), key, this.instanceId);
		}
		catch (RuntimeException ex) {
			logger.debug("Could not pass on the wake-up for '{}': {}", key, ex.toString());
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
