package dev.automutex.store;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.store.KeyWaitQueue.Waiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What arrives on an instance's wake-up channel of the AutoMutex Redis engine
 * ({@link RedisLeases}): keys granted to this instance by another one's release, and on a
 * cluster wake-ups, and who here takes a grant: the first waiter, a thread on its way
 * into the queue, or, if nobody, the next waiting instance. Thread-safe; state lives in
 * each key's {@link KeyWaitQueue}.
 */
final class RedisWakeUps {

	private static final Logger logger = LoggerFactory.getLogger(RedisLeases.class);

	private final RedisLeases engine;

	private volatile Executor redisTasks = Runnable::run;

	RedisWakeUps(RedisLeases engine) {
		this.engine = engine;
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
		if (text.startsWith("l ")) {
			this.engine.revoked(text.substring(2));
			return;
		}
		String key = text.substring(2); // "w <key>"
		KeyWaitQueue queue = this.engine.record(key);
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
				this.engine.scripts.passOn(this.engine.layout.lockKey(key), key, this.engine.instanceId);
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
		KeyWaitQueue queue = this.engine.enter(key);
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
	 * {@link RedisLeases#leave(KeyWaitQueue)} on the thread that received a message,
	 * which must not wait for Redis: a grant nobody took is released on the Redis task
	 * thread.
	 * @param queue the key's record
	 */
	private void leaveFromWakeUp(KeyWaitQueue queue) {
		synchronized (queue) {
			if (!queue.leavesGrantBehind()) {
				this.engine.leaveRecord(queue);
				return;
			}
		}
		inBackground(() -> this.engine.leave(queue));
	}

	/**
	 * Before the last thread or lease leaves the key's record: release a grant that
	 * nobody here took, so that a thread entering meanwhile finds it gone from the record
	 * it uses.
	 * @param queue the key's record
	 */
	void releaseGrantLeftBehind(KeyWaitQueue queue) {
		long grant;
		long grantMillis;
		synchronized (queue) {
			if (!queue.leavesGrantBehind()) {
				return;
			}
			grant = queue.pendingGrant;
			grantMillis = queue.pendingGrantMillis;
			queue.lastGrant = grant;
		}
		String value = RedisLockScripts.grantValue(this.engine.instanceId, grant);
		try {
			this.engine.scripts.release(queue.lockKey, value, queue.key, this.engine.instanceId);
		}
		catch (RuntimeException ex) {
			this.engine.forget(queue, value, grantMillis);
		}
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
		String value = RedisLockScripts.grantValue(this.engine.instanceId, token);
		RedisLease lease = new RedisLease(this.engine, queue, value, token, queue.pendingGrantMillis,
				RedisLease.UNKNOWN);
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

}
