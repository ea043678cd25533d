package dev.automutex.reliability;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.reliability.worker.BadInputService;
import org.jspecify.annotations.Nullable;

/**
 * The interrupt inputs of the bad-input battery: a thread that waits (block 30 s) for a
 * key the other application holds is interrupted. The call must end promptly with
 * {@link MutexLockException} (cause {@link InterruptedException}, as
 * {@code MutexOperations} documents for a failed wait), the thread's interrupt status
 * must still be set, it must hold nothing, and its instance must leave the key's queue in
 * Redis. A thread interrupted before it calls must not wait at all.
 */
final class InterruptInputs {

	private static final Duration LONG = Duration.ofSeconds(30);

	private InterruptInputs() {
	}

	static void run(BadInputBattery battery, BadInputService service) throws Exception {
		MutexTemplate mutex = battery.first();
		interrupt(battery, "lock(key, 30s)", "i1", true, (key) -> mutex.lock(key, LONG));
		interrupt(battery, "withLock(key, 30s, action)", "i2", true, (key) -> mutex.withLock(key, LONG, () -> "ran"));
		interrupt(battery, "tryLock(request with block 30s)", "i3", true,
				(key) -> mutex.tryLock(MutexRequest.of(key).block(LONG)));
		interrupt(battery, "lockAll([free, busy], 30s)", "i4", true,
				(key) -> mutex.lockAll(List.of("a-free-key", key), LONG));
		interrupt(battery, "@AutoMutex(block = 30s)", "bad-input:i5", true,
				(key) -> service.waitLong(key.substring("bad-input:".length())));
		interrupt(battery, "lock(key, 30s), interrupted before the call", "i6", false, (key) -> mutex.lock(key, LONG));
		String input = "lock(free key), interrupted before the call";
		Outcome outcome = call(battery, "i7", (key) -> mutex.lock(key, LONG), true);
		if (!outcome.interruptKept() || !outcome.nothingHeld()) {
			battery.tally()
				.misbehaved(input,
						"interrupt kept " + outcome.interruptKept() + ", nothing held after " + outcome.nothingHeld());
		}
		else if (outcome.error() == null) {
			battery.tally().correctLock(input);
		}
		else {
			battery.judge(input, MutexLockException.class, outcome.error(), "interrupted");
		}
		battery.tally().note(input + ": " + ((outcome.error() != null) ? outcome.error() : "locked"));
		battery.clean(input);
	}

	private static void interrupt(BadInputBattery battery, String input, String key, boolean whileWaiting,
			Function<String, Object> call) throws Exception {
		BadInputHolder holder = BadInputHolder.hold(battery.second(), key);
		Outcome outcome;
		try {
			outcome = whileWaiting ? callAndInterrupt(battery, key, call) : call(battery, key, call, false);
		}
		finally {
			holder.release();
		}
		if (outcome.error() == null) {
			battery.tally().misbehaved(input, "returned without an error");
		}
		else if (battery.judge(input, MutexLockException.class, outcome.error(), "interrupted", key)) {
			Throwable cause = outcome.error().getCause();
			if (!(cause instanceof InterruptedException)) {
				battery.tally().misbehaved(input, "cause " + cause);
			}
			if (outcome.millis() > 2000) {
				battery.tally().misbehaved(input, "ended " + outcome.millis() + " ms after the interrupt");
			}
			if (!outcome.interruptKept()) {
				battery.tally().misbehaved(input, "interrupt status cleared");
			}
			if (!outcome.nothingHeld()) {
				battery.tally().misbehaved(input, "the thread still holds locks");
			}
		}
		if (whileWaiting && battery.engine().equals("automutex") && !battery.redis().awaitUnqueued(key)) {
			battery.tally().misbehaved(input, "the instance is still in the key's queue in Redis");
		}
		if (input.startsWith("lock(key, 30s)") && whileWaiting) {
			battery.tally().note("interrupted waiter: " + outcome.error() + " in " + outcome.millis() + " ms");
		}
		battery.clean(input);
	}

	private static Outcome callAndInterrupt(BadInputBattery battery, String key, Function<String, Object> call)
			throws Exception {
		CompletableFuture<Outcome> outcome = new CompletableFuture<>();
		long[] interruptedAt = new long[1];
		Thread thread = new Thread(() -> outcome.complete(attempt(key, call, () -> interruptedAt[0])),
				"bad-input-waiter");
		thread.start();
		awaitWaiting(battery, key, thread);
		interruptedAt[0] = System.nanoTime();
		thread.interrupt();
		return outcome.get(LONG.toSeconds() + 10, TimeUnit.SECONDS);
	}

	private static Outcome call(BadInputBattery battery, String key, Function<String, Object> call, boolean release)
			throws Exception {
		CompletableFuture<Outcome> outcome = new CompletableFuture<>();
		Thread thread = new Thread(() -> {
			Thread.currentThread().interrupt();
			long start = System.nanoTime();
			outcome.complete(attempt(key, (k) -> {
				Object result = call.apply(k);
				if (release && result instanceof MutexLock lock) {
					lock.release();
				}
				return result;
			}, () -> start));
		}, "bad-input-interrupted");
		thread.start();
		return outcome.get(LONG.toSeconds() + 10, TimeUnit.SECONDS);
	}

	private static Outcome attempt(String key, Function<String, Object> call, LongSupplier from) {
		Throwable error = null;
		try {
			call.apply(key);
		}
		catch (Throwable ex) {
			error = ex;
		}
		long millis = Duration.ofNanos(System.nanoTime() - from.getAsLong()).toMillis();
		boolean interruptKept = Thread.currentThread().isInterrupted();
		boolean nothingHeld = MutexTemplate.locksOfCurrentThread().isEmpty();
		MutexTemplate.locksOfCurrentThread().forEach(MutexLock::close);
		return new Outcome(error, millis, interruptKept, nothingHeld);
	}

	// The thread waits once it parks; on the AutoMutex engine, once its instance is also
	// queued for the key in Redis.
	private static void awaitWaiting(BadInputBattery battery, String key, Thread thread) {
		Poll.until(Duration.ofSeconds(10), () -> {
			Thread.State state = thread.getState();
			boolean parked = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
			return parked && (!battery.engine().equals("automutex") || battery.redis().queued(key) > 0);
		});
	}

	private record Outcome(@Nullable Throwable error, long millis, boolean interruptKept, boolean nothingHeld) {
	}

}
