package dev.automutex.store;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.store.KeyWaitQueue.Waiter;
import dev.automutex.store.RedisLockScripts.Attempt;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acquiring side of the AutoMutex Redis engine ({@link RedisLeases}): an attempt at
 * once, then a place in the key's local queue, where only the first waiter asks Redis,
 * after a wake-up, the key's time-to-live or a signal, until its wait ends. Thread-safe;
 * state lives in the key's {@link KeyWaitQueue}.
 */
final class RedisLeaseAcquisition {

	private static final Logger logger = LoggerFactory.getLogger(RedisLeaseAcquisition.class);

	/** Slack after a key's time-to-live before its waiter asks again. */
	private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	/** How often a waiter asks before its wake-up subscription is in place. */
	private static final long UNSUBSCRIBED_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	/** How often a waiter being handed a key looks whether the hand-off is done. */
	private static final long HANDING_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private static final long MAX_QUEUED_MILLIS = TimeUnit.DAYS.toMillis(1);

	private final RedisLeases engine;

	RedisLeaseAcquisition(RedisLeases engine) {
		this.engine = engine;
	}

	/**
	 * Take the key, waiting up to {@code waitNanos}.
	 * @param key the key
	 * @param waitNanos how long to wait
	 * @param ttlMillis the lease's time-to-live
	 * @param renewed whether the caller renews the lease while it holds it
	 * @return the lease, or {@code null} on time-out
	 */
	@Nullable RedisLease acquire(String key, long waitNanos, long ttlMillis, boolean renewed) throws InterruptedException {
		if (Thread.interrupted()) {
			throw new InterruptedException("Interrupted before waiting for mutex '" + key + "'");
		}
		long start = System.nanoTime();
		long deadline = start + Math.min(waitNanos, Long.MAX_VALUE / 4);
		String value = this.engine.newValue();
		KeyWaitQueue queue = this.engine.enter(key);
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
				Attempt outcome = attempt(queue, value, ttlMillis, queuedMillis(start, deadline), false);
				if (outcome.taken()) {
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
			Waiter waiter = new Waiter(Thread.currentThread(), ttlMillis, renewed, nextTry, signals);
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
				this.engine.leave(queue);
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
				if (waiter.handed == null && !waiter.handing && queue.first() == waiter) {
					this.engine.wakeUps.takePendingGrant(queue, waiter);
				}
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
				Attempt outcome = attempt(queue, value, waiter.ttlMillis, queuedMillis(now, deadline), front);
				if (outcome.taken()) {
					return granted(queue, value, outcome, waiter.ttlMillis, waiter);
				}
				synchronized (queue) {
					queue.registered = true;
					waiter.nextTry = System.nanoTime() + retryAfter(outcome);
				}
				continue;
			}
			LockSupport.parkNanos(this.engine, parkUntil - now);
			if (Thread.interrupted()) {
				interrupted = true;
			}
		}
	}

	// One attempt at Redis. When it fails (Redis slow, paused or gone), the script may
	// still run once Redis answers, and leave the key held by a lease nobody knows: take
	// it back in the background. A key granted to this instance is taken by whoever
	// gets to it first here, the attempt's reply or the grant's message: the other one
	// finds its token not above lastGrant and leaves it.
	private Attempt attempt(KeyWaitQueue queue, String value, long ttlMillis, long waitMillis, boolean front)
			throws InterruptedException {
		long lastGrant;
		synchronized (queue) {
			lastGrant = queue.lastGrant;
		}
		Attempt outcome;
		try {
			outcome = this.engine.scripts.acquire(queue.lockKey, value, ttlMillis, waitMillis, this.engine.instanceId,
					front, lastGrant);
		}
		catch (RuntimeException ex) {
			this.engine.forget(queue, value, ttlMillis);
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
		if (outcome.grant()) {
			synchronized (queue) {
				if (outcome.token() <= queue.lastGrant) {
					// Its message came first and gave it to another waiter here, or
					// released it: not this thread's. Ask again soon.
					return new Attempt(0, 0, false, outcome.sentAt());
				}
				queue.lastGrant = outcome.token();
			}
		}
		return outcome;
	}

	private static long earlier(long a, long b) {
		return (a - b <= 0) ? a : b;
	}

	private static long queuedMillis(long now, long deadline) {
		long nanos = deadline - now;
		return (nanos <= 0) ? 0 : Math.min(MAX_QUEUED_MILLIS, TimeUnit.NANOSECONDS.toMillis(nanos) + 1);
	}

	private long retryAfter(Attempt failed) {
		return this.engine.sleepFor(TimeUnit.MILLISECONDS.toNanos(failed.millis()) + MARGIN_NANOS);
	}

	private RedisLease granted(KeyWaitQueue queue, String value, Attempt outcome, long ttlMillis,
			@Nullable Waiter waiter) {
		String leaseValue = outcome.grant() ? RedisLockScripts.grantValue(this.engine.instanceId, outcome.token())
				: value;
		long leaseMillis = Math.max(ttlMillis, outcome.millis());
		RedisLease lease = new RedisLease(this.engine, queue, leaseValue, outcome.token(), leaseMillis,
				outcome.sentAt());
		synchronized (queue) {
			queue.localLeases++;
			queue.holder = lease;
			queue.handOffs = 0;
			queue.registered = false;
			queue.heldUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(leaseMillis);
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
				this.engine.scripts.passOn(queue.lockKey, queue.key, this.engine.instanceId);
			}
			catch (RuntimeException ex) {
				logger.debug("Could not pass on the wake-up for '{}': {}", queue.key, ex.toString());
			}
		}
		if (unregister) {
			try {
				this.engine.scripts.unregister(queue.lockKey, this.engine.instanceId);
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

}
