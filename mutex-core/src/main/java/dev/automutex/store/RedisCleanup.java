package dev.automutex.store;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes back, in the background, lease values that a failed step may still leave in
 * Redis: a script whose reply timed out at the client (Redis slow, paused, or the
 * connection lost) can run once Redis answers, and hold a key for a lease nobody knows
 * until its time-to-live ends. Each value is released by compare-and-delete (which also
 * grants the key to the next waiting instance), tried again every {@value #RETRY_MILLIS}
 * ms until Redis answers or the value's time-to-live has passed. Runs no user code.
 * <p>
 * Thread-safe.
 */
final class RedisCleanup {

	private static final Logger logger = LoggerFactory.getLogger(RedisCleanup.class);

	static final long RETRY_MILLIS = 500;

	private final RedisLockScripts scripts;

	private final ScheduledThreadPoolExecutor executor;

	RedisCleanup(RedisLockScripts scripts, String instanceId) {
		this.scripts = scripts;
		this.executor = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "automutex-redis-cleanup-" + instanceId);
			thread.setDaemon(true);
			return thread;
		});
		this.executor.setRemoveOnCancelPolicy(true);
		this.executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
	}

	/**
	 * Release a lease value in the background.
	 * @param lockKey the Redis key
	 * @param key the mutex key
	 * @param value the lease value that may hold it
	 * @param ttlMillis the value's time-to-live: after it, nothing is left to release
	 */
	void forget(String lockKey, String key, String value, long ttlMillis) {
		long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ttlMillis);
		schedule(lockKey, key, value, until, 0);
	}

	private void schedule(String lockKey, String key, String value, long until, long delayMillis) {
		if (this.executor.isShutdown()) {
			return;
		}
		try {
			this.executor.schedule(() -> release(lockKey, key, value, until), delayMillis, TimeUnit.MILLISECONDS);
		}
		catch (RuntimeException ex) {
			// shut down meanwhile: the key frees itself when its time-to-live ends
		}
	}

	private void release(String lockKey, String key, String value, long until) {
		try {
			if (this.scripts.release(lockKey, value, key, "")) {
				logger.debug("Took back '{}' from a step that failed at the client but ran in Redis", key);
			}
		}
		catch (RuntimeException ex) {
			if (System.nanoTime() - until < 0) {
				schedule(lockKey, key, value, until, RETRY_MILLIS);
			}
		}
	}

	void shutdown() {
		this.executor.shutdownNow();
	}

}
