package dev.automutex.reliability;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;

/**
 * The duration inputs of the bad-input battery, on {@code MutexTemplate}: negative and
 * zero {@code block} and {@code expire}, and huge ones, which must neither overflow into
 * a wait that ends at once nor into a time-to-live that is negative or ends at once in
 * Redis.
 */
final class DurationInputs {

	private static final Duration MILLENNIUM = Duration.ofDays(365 * 1000);

	private static final Duration MAX_MILLIS = Duration.ofMillis(Long.MAX_VALUE);

	private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

	private DurationInputs() {
	}

	static void run(BadInputBattery battery) throws Exception {
		MutexTemplate mutex = battery.first();
		// Refused where they are written: building the request, before any lock call.
		battery.error("block -1 ms", IllegalArgumentException.class,
				() -> MutexRequest.of("d").block(Duration.ofMillis(-1)), "block", "-0.001");
		battery.error("block -1 ns", IllegalArgumentException.class,
				() -> MutexRequest.of("d").block(Duration.ofNanos(-1)), "block");
		battery.error("lock(key, block -1 s)", IllegalArgumentException.class,
				() -> mutex.lock("d", Duration.ofSeconds(-1)), "block");
		battery.error("expire -1 ms", IllegalArgumentException.class,
				() -> MutexRequest.of("d").expire(Duration.ofMillis(-1)), "expire");
		battery.error("expire 0", IllegalArgumentException.class, () -> MutexRequest.of("d").expire(Duration.ZERO),
				"expire", "1ms");
		battery.error("expire 999 us", IllegalArgumentException.class,
				() -> MutexRequest.of("d").expire(Duration.ofNanos(999_999)), "expire");
		battery.error("lock(key, null, expire -5 s)", IllegalArgumentException.class,
				() -> mutex.lock("d", null, Duration.ofSeconds(-5)), "expire");
		battery.error("awaitRelease timeout -1 s", IllegalArgumentException.class,
				() -> mutex.awaitRelease("d", Duration.ofSeconds(-1)), "timeout");
		zeroBlock(battery);
		for (Duration block : new Duration[] { MILLENNIUM, MAX_MILLIS, FOREVER }) {
			battery.lock("block " + block + " on a free key", "d", block);
			hugeBlockOnBusyKey(battery, block);
		}
		for (Duration expire : new Duration[] { MILLENNIUM, MAX_MILLIS, FOREVER }) {
			hugeExpire(battery, expire);
		}
	}

	private static void zeroBlock(BadInputBattery battery) throws Exception {
		String input = "block 0 on a busy key";
		try (BadInputHolder holder = BadInputHolder.hold(battery.second(), "d-busy")) {
			long start = System.nanoTime();
			battery.attempt(input, MutexLockException.class,
					() -> battery.first().lock(MutexRequest.of("d-busy").block(Duration.ZERO)), "d-busy");
			long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
			// The default block is 1 s: a refusal well under it did not wait.
			if (millis >= 900) {
				battery.tally().misbehaved(input, "refused after " + millis + " ms, as if it waited");
			}
			battery.tally().note(input + ": refused in " + millis + " ms");
			Optional<MutexLock> tried = battery.first().tryLock("d-busy");
			if (tried.isPresent()) {
				tried.get().release();
				battery.tally().misbehaved("tryLock on a busy key", "got it");
			}
			else {
				battery.tally().correctLock("tryLock on a busy key");
			}
		}
		battery.clean(input);
		battery.lock("block 0 on a free key", "d", Duration.ZERO);
	}

	// A huge block must wait (not overflow into "do not wait") and get the key once the
	// holder releases it.
	private static void hugeBlockOnBusyKey(BadInputBattery battery, Duration block) throws Exception {
		String input = "block " + block + " on a busy key";
		BadInputHolder holder = BadInputHolder.hold(battery.second(), "d-wait");
		CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
			try (MutexLock lock = battery.first().lock(MutexRequest.of("d-wait").block(block))) {
				return lock.fencingToken();
			}
		});
		try {
			waiter.get(500, TimeUnit.MILLISECONDS);
			battery.tally().misbehaved(input, "did not wait for the holder");
		}
		catch (TimeoutException ex) {
			holder.release();
			try {
				waiter.get(10, TimeUnit.SECONDS);
				battery.tally().correctLock(input);
			}
			catch (Exception failed) {
				battery.tally().misbehaved(input, "not granted after the release: " + failed);
			}
		}
		catch (Exception ex) {
			battery.tally().misbehaved(input, "failed: " + ex.getCause());
		}
		finally {
			holder.close();
		}
		battery.clean(input);
	}

	// A huge time-to-live must be a working lock with a positive, long PTTL in Redis, or
	// a clear error.
	private static void hugeExpire(BadInputBattery battery, Duration expire) {
		String input = "expire " + expire;
		MutexLock lock;
		try {
			lock = battery.first().lock(MutexRequest.of("d-expire").block(Duration.ZERO).expire(expire));
		}
		catch (RuntimeException ex) {
			battery.judge(input, IllegalArgumentException.class, ex, "expire");
			battery.clean(input);
			return;
		}
		try {
			long pttl = battery.redis().pttl(battery.redis().redisKey("d-expire"));
			boolean excluded = battery.second().tryLock("d-expire").map((other) -> {
				other.release();
				return false;
			}).orElse(true);
			// At least a day: not negative, not overflowed to a short one.
			if (pttl < Duration.ofDays(1).toMillis() || !excluded) {
				battery.tally().misbehaved(input, "PTTL " + pttl + " ms, excluded " + excluded);
			}
			else if (!lock.release()) {
				battery.tally().misbehaved(input, "release() returned false (PTTL was " + pttl + " ms)");
			}
			else {
				battery.tally().correctLock(input);
				battery.tally().note(input + ": PTTL " + Duration.ofMillis(pttl).toDays() + " days");
			}
		}
		finally {
			lock.close();
		}
		battery.clean(input);
	}

}
