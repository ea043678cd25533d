package dev.automutex.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.automutex.MutexException;
import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServer;

/**
 * One round of scenario 3: instance A holds {@value #KEYS} keys (each on a thread of its
 * own, renewed), instance B waits for each of them, and then Redis suffers one fault.
 * Records how each wait ended and when, which holds A was told it lost, and A's fencing
 * tokens, for {@link RedisFaultScenario} to judge.
 */
final class FaultRound {

	static final int KEYS = 4;

	static final Duration EXPIRE = Duration.ofSeconds(3);

	static final Duration BLOCK = Duration.ofSeconds(2);

	private final RedisServer redis;

	private final MutexTemplate a;

	private final MutexTemplate b;

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final CountDownLatch holding = new CountDownLatch(KEYS);

	private final CountDownLatch releaseNow = new CountDownLatch(1);

	private final List<Future<Hold>> holds = new ArrayList<>();

	private final List<Future<Wait>> waits = new ArrayList<>();

	private final Map<String, MutexLock> locks = new ConcurrentHashMap<>();

	FaultRound(RedisServer redis, MutexTemplate a, MutexTemplate b) {
		this.redis = redis;
		this.a = a;
		this.b = b;
	}

	static String key(int i) {
		return "held-" + i;
	}

	/**
	 * Take the keys on A and start B's waits; returns once every wait is queued in Redis.
	 */
	void start() throws Exception {
		for (int i = 0; i < KEYS; i++) {
			String key = key(i);
			this.holds.add(this.threads.submit(() -> hold(key)));
		}
		if (!this.holding.await(30, TimeUnit.SECONDS)) {
			throw new IllegalStateException("A did not take its " + KEYS + " keys within 30 s");
		}
		for (int i = 0; i < KEYS; i++) {
			String key = key(i);
			this.waits.add(this.threads.submit(() -> waitFor(key)));
		}
		for (int i = 0; i < KEYS; i++) {
			String queue = "ZCARD mutex:{" + key(i) + "}:q";
			if (!Poll.until(Duration.ofSeconds(10), () -> this.redis.command(queue).equals(":1"))) {
				throw new IllegalStateException("B's wait for " + key(i) + " was not queued in Redis");
			}
		}
	}

	private Hold hold(String key) throws InterruptedException {
		MutexLock lock = this.a.lock(MutexRequest.of(key).block(Duration.ZERO).expire(EXPIRE));
		long token = lock.fencingToken();
		this.locks.put(key, lock);
		this.holding.countDown();
		this.releaseNow.await();
		boolean lost = lock.isLost();
		boolean released = lock.release();
		return new Hold(key, token, lost, released);
	}

	private Wait waitFor(String key) {
		long start = System.nanoTime();
		String outcome;
		String message = "";
		try (MutexLock lock = this.b.lock(MutexRequest.of(key).block(BLOCK))) {
			outcome = "granted";
		}
		catch (MutexLockException ex) {
			outcome = "timed out";
		}
		catch (MutexException ex) {
			outcome = "store error";
			message = String.valueOf(ex.getMessage());
		}
		return new Wait(key, outcome, message, Duration.ofNanos(System.nanoTime() - start));
	}

	/**
	 * Collect every wait; fails if one does not end within {@code timeout}.
	 * @param timeout the bound from the start of the waits
	 * @return the waits' outcomes
	 */
	List<Wait> waits(Duration timeout) throws Exception {
		List<Wait> ended = new ArrayList<>();
		for (Future<Wait> wait : this.waits) {
			ended.add(wait.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
		}
		return ended;
	}

	/**
	 * Whether A was told it lost its hold of a key ({@link MutexLock#isLost()}).
	 * @param key the key
	 * @return whether A's lock of the key reports it lost
	 */
	boolean toldLost(String key) {
		return this.locks.get(key).isLost();
	}

	/**
	 * Let A's threads release their keys and collect what they saw.
	 * @return what each of A's holds saw
	 */
	List<Hold> release() throws Exception {
		this.releaseNow.countDown();
		List<Hold> ended = new ArrayList<>();
		for (Future<Hold> hold : this.holds) {
			ended.add(hold.get(30, TimeUnit.SECONDS));
		}
		this.threads.shutdownNow();
		return ended;
	}

	record Hold(String key, long token, boolean lost, boolean released) {
	}

	record Wait(String key, String outcome, String message, Duration took) {
	}

}
