package dev.automutex.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.MutexLock;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import org.jspecify.annotations.Nullable;

/**
 * The checks of the bad-input battery, on two applications of one Redis engine: each
 * input must give a clear error (the expected exception, its message naming what was
 * wrong) or a correct lock (held, excluded in another thread and in the other instance,
 * released, then free for the other instance), and afterwards nothing may be held, in the
 * templates or in Redis. Results go to the current {@link BadInputTally}.
 */
final class BadInputBattery {

	private final MutexTemplate first;

	private final MutexTemplate second;

	private final BadInputRedis redis;

	private final String engine;

	private BadInputTally tally = new BadInputTally("none");

	BadInputBattery(String engine, MutexTemplate first, MutexTemplate second, BadInputRedis redis) {
		this.engine = engine;
		this.first = first;
		this.second = second;
		this.redis = redis;
	}

	String engine() {
		return this.engine;
	}

	MutexTemplate first() {
		return this.first;
	}

	MutexTemplate second() {
		return this.second;
	}

	BadInputRedis redis() {
		return this.redis;
	}

	BadInputTally tally() {
		return this.tally;
	}

	BadInputTally begin(String group) {
		this.tally = new BadInputTally(group);
		return this.tally;
	}

	/**
	 * The input must throw the expected exception, with every word in its message.
	 * @param input the input, for the table
	 * @param type the expected exception type
	 * @param attempt what to run
	 * @param words what the message must name (case-insensitive)
	 * @return the exception, or {@code null} if none or another was thrown
	 */
	@Nullable Throwable error(String input, Class<? extends Throwable> type, Callable<?> attempt, String... words) {
		Throwable thrown = attempt(input, type, attempt, words);
		clean(input);
		return thrown;
	}

	/**
	 * Like {@link #error}, without checking afterwards that nothing is held: for inputs
	 * tried while another thread holds the key.
	 * @param input the input, for the table
	 * @param type the expected exception type
	 * @param attempt what to run
	 * @param words what the message must name (case-insensitive)
	 * @return the exception, or {@code null} if none was thrown
	 */
	@Nullable Throwable attempt(String input, Class<? extends Throwable> type, Callable<?> attempt, String... words) {
		try {
			Object result = attempt.call();
			this.tally.misbehaved(input, "no error (returned " + result + ")");
			return null;
		}
		catch (Throwable ex) {
			judge(input, type, ex, words);
			return ex;
		}
	}

	/**
	 * Judge an exception that was thrown: the expected type, and a message naming each
	 * word.
	 * @param input the input
	 * @param type the expected type
	 * @param ex what was thrown
	 * @param words what the message must name
	 * @return whether it is a clear error
	 */
	boolean judge(String input, Class<? extends Throwable> type, Throwable ex, String... words) {
		String message = String.valueOf(ex.getMessage());
		List<String> missing = new ArrayList<>();
		for (String word : words) {
			if (!message.toLowerCase(Locale.ROOT).contains(word.toLowerCase(Locale.ROOT))) {
				missing.add(word);
			}
		}
		if (!type.isInstance(ex) || !missing.isEmpty()) {
			this.tally.misbehaved(input,
					ex.getClass().getSimpleName() + " '" + shorten(message) + "'"
							+ (type.isInstance(ex) ? "" : " (expected " + type.getSimpleName() + ")")
							+ (missing.isEmpty() ? "" : " (does not name " + missing + ")"));
			return false;
		}
		this.tally.clearError(input);
		return true;
	}

	/**
	 * The key must lock correctly: held by the first application, excluded for another of
	 * its threads and for the second application, released, then free for the second.
	 * @param input the input
	 * @param key the key
	 */
	void lock(String input, Object key) {
		lock(input, key, Duration.ZERO);
	}

	/**
	 * Like {@link #lock(String, Object)}, asking with a block.
	 * @param input the input
	 * @param key the key
	 * @param block the block of the first application's request
	 */
	void lock(String input, Object key, Duration block) {
		String problem = lockProblem(key, block);
		if (problem == null) {
			this.tally.correctLock(input);
		}
		else {
			this.tally.misbehaved(input, problem);
		}
		clean(input);
	}

	/**
	 * The keys must lock together: each excluded for the second application while held,
	 * each free for it after the release.
	 * @param input the input
	 * @param keys the keys
	 */
	void lockAll(String input, List<String> keys) {
		try (MutexLock lock = this.first.lockAll(keys, Duration.ZERO)) {
			boolean excluded = keys.stream().allMatch((key) -> this.second.tryLock(key).isEmpty());
			boolean released = lock.release();
			boolean free = keys.stream()
				.allMatch((key) -> this.second.tryLock(key).map(MutexLock::release).orElse(false));
			if (excluded && released && free) {
				this.tally.correctLock(input);
			}
			else {
				this.tally.misbehaved(input,
						"excluded " + excluded + ", released " + released + ", free after " + free);
			}
		}
		catch (RuntimeException ex) {
			this.tally.misbehaved(input, ex.toString());
		}
		clean(input);
	}

	/**
	 * Either outcome is fine, but one of them must be clean.
	 * @param input the input
	 * @param key the key
	 * @return what happened, for the table
	 */
	String errorOrLock(String input, Object key) {
		long start = System.nanoTime();
		String outcome;
		long millis;
		try {
			MutexLock lock = this.first.lock(MutexRequest.of(key).block(Duration.ZERO));
			lock.release();
			millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
			String problem = lockProblem(key, Duration.ZERO);
			if (problem == null) {
				this.tally.correctLock(input);
				outcome = "correct lock";
			}
			else {
				this.tally.misbehaved(input, problem);
				outcome = "misbehaved";
			}
		}
		catch (RuntimeException ex) {
			millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
			outcome = "error " + ex.getClass().getSimpleName() + " '" + shorten(String.valueOf(ex.getMessage())) + "'";
			this.tally.clearError(input);
		}
		clean(input);
		return outcome + " (lock and release " + millis + " ms)";
	}

	/**
	 * Two key objects that convert to the same text must lock the same thing, and
	 * different texts different things.
	 * @param input the input
	 * @param held the key the first application holds
	 * @param other the key the second application then tries
	 * @param same whether they must exclude each other
	 */
	void pair(String input, Object held, Object other, boolean same) {
		try (MutexLock lock = this.first.lock(MutexRequest.of(held).block(Duration.ZERO))) {
			Optional<MutexLock> second = this.second.tryLock(other);
			second.ifPresent(MutexLock::release);
			if (second.isPresent() == same) {
				this.tally.misbehaved(input, same ? "the second key was not excluded" : "the second key was refused");
			}
			else {
				this.tally.correctLock(input);
			}
		}
		catch (RuntimeException ex) {
			this.tally.misbehaved(input, ex.toString());
		}
		clean(input);
	}

	// Returns null when the key locked correctly, else what went wrong.
	private @Nullable String lockProblem(Object key, Duration block) {
		MutexLock lock;
		try {
			lock = this.first.lock(MutexRequest.of(key).block(block));
		}
		catch (RuntimeException ex) {
			return "not locked: " + ex.getClass().getSimpleName() + " '" + shorten(String.valueOf(ex.getMessage()))
					+ "'";
		}
		try {
			String text = this.first.toKey(key);
			if (text.length() < 10_000 && !this.redis.exists(this.redis.redisKey(text))) {
				return "Redis does not have " + this.redis.redisKey(text) + " byte for byte";
			}
			if (!this.first.isLocked(key) || !this.second.isLocked(key)) {
				return "isLocked false while held";
			}
			if (otherThreadGets(key)) {
				return "another thread of the same instance got it";
			}
			Optional<MutexLock> other = this.second.tryLock(key);
			if (other.isPresent()) {
				other.get().release();
				return "the other instance got it";
			}
			if (!lock.release()) {
				return "release() returned false";
			}
			Optional<MutexLock> after = this.second.tryLock(key);
			if (after.isEmpty()) {
				return "the other instance could not take it after the release";
			}
			if (!after.get().release()) {
				return "the other instance's release() returned false";
			}
			return null;
		}
		finally {
			lock.close();
		}
	}

	private boolean otherThreadGets(Object key) {
		AtomicReference<Boolean> got = new AtomicReference<>(true);
		Thread thread = new Thread(() -> {
			Optional<MutexLock> lock = this.first.tryLock(key);
			lock.ifPresent(MutexLock::release);
			got.set(lock.isPresent());
		}, "bad-input-other-thread");
		thread.start();
		try {
			thread.join(Duration.ofSeconds(30).toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return got.get();
	}

	/**
	 * After an input: nothing held by this thread or renewed by either template, and no
	 * lock or queue key left in Redis.
	 * @param input the input
	 */
	void clean(String input) {
		List<MutexLock> locks = MutexTemplate.locksOfCurrentThread();
		if (!locks.isEmpty()) {
			this.tally.misbehaved(input, locks.size() + " lock(s) left on the calling thread");
			locks.forEach(MutexLock::close);
		}
		if (this.first.renewalCount() != 0 || this.second.renewalCount() != 0) {
			this.tally.misbehaved(input,
					"renewals left: " + this.first.renewalCount() + " and " + this.second.renewalCount());
		}
		this.tally.leftInRedis(input, this.redis.leftovers());
	}

	static String shorten(String text) {
		String oneLine = text.replace("\n", "\\n").replace("\u0000", "\\0");
		return (oneLine.length() <= 160) ? oneLine : oneLine.substring(0, 157) + "...";
	}

}
