package dev.automutex.store;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.store.KeyWaitQueue.Waiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The release side of the AutoMutex Redis engine ({@link RedisLeases}): a released lease
 * either passes to the first thread of this instance waiting for its key (without Redis,
 * or in one script, the key staying in Redis), or is released in Redis, which grants the
 * key to the first waiting instance. Thread-safe; state lives in the key's
 * {@link KeyWaitQueue}.
 */
final class RedisLeaseRelease {

	private static final Logger logger = LoggerFactory.getLogger(RedisLeaseRelease.class);

	private final RedisLeases engine;

	RedisLeaseRelease(RedisLeases engine) {
		this.engine = engine;
	}

	boolean release(RedisLease lease) {
		KeyWaitQueue queue = lease.queue;
		Waiter candidate;
		boolean mayHandOff;
		boolean lastWaiter;
		int signals;
		boolean passedOn = false;
		synchronized (queue) {
			candidate = queue.pollFirst();
			mayHandOff = queue.handOffs < this.engine.maxLocalHandOffs();
			lastWaiter = !queue.hasWaiters();
			signals = queue.signals;
			if (candidate != null) {
				if (mayHandOff && mayPassOn(queue, lease, candidate)) {
					passOn(queue, lease, candidate);
					passedOn = true;
				}
				else {
					candidate.handing = true;
				}
			}
		}
		if (passedOn) {
			this.engine.leave(queue);
			return true;
		}
		try {
			return (candidate != null) ? handOff(lease, candidate, mayHandOff, lastWaiter, signals)
					: releaseInRedis(lease);
		}
		finally {
			this.engine.leave(queue);
		}
	}

	/**
	 * Whether a released lease may pass to a waiting thread without Redis: the waiter's
	 * lease is renewed by its holder and asks for the same time-to-live, and the key's
	 * time-to-live was set in Redis less than a sixth of it ago (so that the waiter's
	 * first renewal, a third of it after the grant, still finds the key held). Called
	 * with the record's monitor held.
	 * @param queue the key's record
	 * @param lease the lease being released
	 * @param candidate the first waiter
	 * @return whether to pass it on without Redis
	 */
	private static boolean mayPassOn(KeyWaitQueue queue, RedisLease lease, Waiter candidate) {
		long setAt = lease.ttlSetAt;
		return candidate.renewed && queue.holder == lease && candidate.ttlMillis == lease.ttlMillis
				&& setAt != RedisLease.UNKNOWN
				&& System.nanoTime() - setAt < TimeUnit.MILLISECONDS.toNanos(lease.ttlMillis) / 6;
	}

	/**
	 * Pass a released lease to a waiting thread without Redis: the key stays held in
	 * Redis under the same value, and the waiter gets a lease on it. Called with the
	 * record's monitor held.
	 * @param queue the key's record
	 * @param lease the lease being released
	 * @param candidate the waiter, taken out of the queue
	 */
	private static void passOn(KeyWaitQueue queue, RedisLease lease, Waiter candidate) {
		RedisLease passed = lease.passOn();
		queue.holder = passed; // localLeases stays: one lease ends, one begins
		queue.handOffs++;
		candidate.handed = passed;
		LockSupport.unpark(candidate.thread);
		// The next waiter now watches this lease.
		queue.wakeFirst(true);
	}

	private boolean releaseInRedis(RedisLease lease) {
		KeyWaitQueue queue = lease.queue;
		try {
			return this.engine.scripts.release(queue.lockKey, lease.value, queue.key, this.engine.instanceId);
		}
		catch (RuntimeException ex) {
			this.engine.forget(queue, lease.value, lease.ttlMillis);
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
		String value = this.engine.newValue();
		long outcome;
		boolean othersWait;
		long sentAt = System.nanoTime();
		try {
			long reply = this.engine.scripts.handOff(queue.lockKey, lease.value, value, candidate.ttlMillis, mayHandOff,
					this.engine.instanceId, queue.key, lastWaiter);
			othersWait = reply < 0 && reply != Long.MIN_VALUE;
			outcome = (reply == Long.MIN_VALUE) ? -1 : Math.abs(reply);
		}
		catch (RuntimeException ex) {
			// Either lease may hold the key once Redis answers.
			this.engine.forget(queue, lease.value, lease.ttlMillis);
			this.engine.forget(queue, value, candidate.ttlMillis);
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
				RedisLease handed = new RedisLease(this.engine, queue, value, outcome, candidate.ttlMillis, sentAt);
				queue.localLeases++;
				queue.holder = handed;
				// Hand-offs in a row count while other instances wait.
				queue.handOffs = othersWait ? queue.handOffs + 1 : 0;
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
						candidate.nextTry = now + this.engine.noNewsNanos();
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

}
