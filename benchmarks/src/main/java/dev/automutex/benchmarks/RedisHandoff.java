package dev.automutex.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.automutex.benchmarks.RedisPeers.Instance;

/**
 * Hand-off latency between two instances (two clients of one Redis, one thread each): the
 * time from the moment one instance calls release to the moment the other, already
 * waiting, is granted the key. The two threads take turns: each holds the key
 * {@value #HOLD_MILLIS} ms (long enough for the other to be waiting), records the time,
 * releases, and waits for the other to be granted before it asks again. Both times come
 * from one JVM's {@link System#nanoTime()}, so they compare. The first {@value #WARM_UP}
 * hand-offs are not measured: the JIT compiles each peer's code during them, and without
 * them whichever peer runs first in the suite pays for it (measured here: the first round
 * of 500 hand-offs in a JVM up to 1.6 times slower at p50 than the next).
 */
final class RedisHandoff {

	static final long HOLD_MILLIS = 5;

	static final int WARM_UP = 200;

	private static final Duration WAIT = Duration.ofSeconds(10);

	private RedisHandoff() {
	}

	/**
	 * Measure {@code samples} hand-offs after {@value #WARM_UP} unmeasured ones.
	 * @param instances makes one instance
	 * @param samples how many hand-offs to measure
	 * @return the latencies in µs, sorted
	 * @throws IllegalStateException if a hand-off failed or the two held the key at once
	 */
	static double[] measure(Supplier<Instance> instances, int samples) throws Exception {
		String key = "handoff-" + System.nanoTime();
		int total = samples + WARM_UP;
		long[] latencies = new long[total * 2];
		AtomicLong granted = new AtomicLong();
		AtomicLong releasedAt = new AtomicLong();
		AtomicLong inside = new AtomicLong();
		RuntimeException[] failure = new RuntimeException[1];
		try (Instance first = instances.get(); Instance second = instances.get()) {
			Thread[] threads = new Thread[2];
			for (int t = 0; t < 2; t++) {
				Instance instance = (t == 0) ? first : second;
				int parity = t;
				threads[t] = new Thread(() -> {
					try {
						// Thread 0 takes grants 0, 2, 4...; thread 1 grants 1, 3, 5...
						for (long turn = parity; turn < total; turn += 2) {
							while (granted.get() < turn) {
								Thread.onSpinWait();
							}
							Runnable release = instance.lock(key, WAIT);
							long now = System.nanoTime();
							if (release == null) {
								throw new IllegalStateException("Not granted within " + WAIT);
							}
							if (inside.incrementAndGet() != 1) {
								throw new IllegalStateException("Both instances held " + key);
							}
							if (turn > 0) {
								latencies[(int) turn] = now - releasedAt.get();
							}
							granted.incrementAndGet();
							// The other asks as soon as it sees the grant; give it time
							// to wait.
							Thread.sleep(HOLD_MILLIS);
							inside.decrementAndGet();
							releasedAt.set(System.nanoTime());
							release.run();
						}
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
					catch (RuntimeException ex) {
						failure[0] = ex;
						granted.set(Long.MAX_VALUE / 2);
					}
				}, "handoff-" + t);
				threads[t].start();
			}
			for (Thread thread : threads) {
				thread.join(TimeUnit.MINUTES.toMillis(5));
			}
		}
		if (failure[0] != null) {
			throw new IllegalStateException("Hand-off failed: " + failure[0], failure[0]);
		}
		double[] measured = new double[samples];
		for (int i = 0; i < samples; i++) {
			measured[i] = latencies[WARM_UP + i] / 1000.0;
		}
		Arrays.sort(measured);
		return measured;
	}

	/**
	 * A percentile of sorted values (nearest rank).
	 * @param sorted the values, sorted
	 * @param percent the percentile, 0 to 100
	 * @return the value
	 */
	static double percentile(double[] sorted, double percent) {
		int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
		return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
	}

}
