package dev.automutex.reliability;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.automutex.MutexException;
import dev.automutex.MutexLock;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServer;

/**
 * Whether locking works across two instances after a fault, wake-ups included: once both
 * lock again, A holds a key with a 20 s lease, B waits for it with a 10 s block, A
 * releases it; B can only get it in time if the release woke it.
 */
final class WakeUpCheck {

	private static final String KEY = "wake-check";

	private WakeUpCheck() {
	}

	static boolean passes(RedisServer redis, MutexTemplate a, MutexTemplate b) throws Exception {
		if (!Poll.until(Duration.ofSeconds(30), () -> locks(a) && locks(b))) {
			return false;
		}
		// After a restart the instances subscribe to their wake-up channels again.
		Poll.until(Duration.ofSeconds(30), () -> redis.command("PUBSUB CHANNELS mutex:wake:*").equals("*2"));
		MutexLock held = a.lock(MutexRequest.of(KEY).block(Duration.ZERO).expire(Duration.ofSeconds(20)));
		CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
			try (MutexLock lock = b.lock(MutexRequest.of(KEY).block(Duration.ofSeconds(10)))) {
				return lock.isHeld();
			}
			catch (MutexException ex) {
				return false;
			}
		});
		boolean queued = Poll.until(Duration.ofSeconds(10),
				() -> redis.command("ZCARD mutex:{" + KEY + "}:q").equals(":1"));
		held.release();
		return queued && waiter.get(30, TimeUnit.SECONDS);
	}

	private static boolean locks(MutexTemplate mutex) {
		try {
			mutex.withLock("after-fault", Duration.ofSeconds(1), () -> {
			});
			return true;
		}
		catch (MutexException ex) {
			return false;
		}
	}

}
