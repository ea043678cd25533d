package dev.automutex.reliability.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;

import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The soak: {@code --worker.threads} threads run random operations (lock, tryLock,
 * withLock, lockAll, awaitRelease, holder, sweep, releaseAll) on {@code --worker.keys}
 * keys (half of them on ten hot keys) for {@code --worker.seconds}, with a cross-process
 * overlap detector in Redis ({@code INCR reliability:inside:<key>} must answer 1). A
 * tenth of the time (at most 10 s) warms up before the heap's baseline is read. Reports
 * {@code SOAKED} with the operation counts, overlaps, errors, renewal tasks left, locks a
 * thread still holds, and the heap after a full GC before and after.
 */
@Component
class SoakJob {

	private static final String INSIDE = "reliability:inside:";

	private final MutexTemplate mutex;

	private final StringRedisTemplate redis;

	private final Environment environment;

	private final AtomicLong operations = new AtomicLong();

	private final AtomicLong busy = new AtomicLong();

	private final AtomicLong errors = new AtomicLong();

	private final AtomicLong overlaps = new AtomicLong();

	private final AtomicLong stillHeld = new AtomicLong();

	SoakJob(MutexTemplate mutex, StringRedisTemplate redis, Environment environment) {
		this.mutex = mutex;
		this.redis = redis;
		this.environment = environment;
	}

	void run() throws Exception {
		int threads = Integer.parseInt(this.environment.getRequiredProperty("worker.threads"));
		int keys = Integer.parseInt(this.environment.getRequiredProperty("worker.keys"));
		Duration length = Duration.ofSeconds(Long.parseLong(this.environment.getRequiredProperty("worker.seconds")));
		Duration warmUp = Duration.ofMillis(Math.min(10_000, length.toMillis() / 10));
		WorkerOutput.report("READY");
		String go = WorkerOutput.awaitInstruction();
		if (!"GO".equals(go)) {
			throw new IllegalStateException("Expected GO from the suite, got " + go);
		}
		run(threads, keys, warmUp);
		long heapBefore = heapAfterGc();
		long start = System.nanoTime();
		run(threads, keys, length.minus(warmUp));
		long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
		long heapAfter = heapAfterGc();
		WorkerOutput.report("SOAKED operations=" + this.operations.get() + " busy=" + this.busy.get() + " errors="
				+ this.errors.get() + " overlaps=" + this.overlaps.get() + " renewals=" + this.mutex.renewalCount()
				+ " stillHeld=" + this.stillHeld.get() + " heapBefore=" + heapBefore + " heapAfter=" + heapAfter
				+ " millis=" + millis);
	}

	private void run(int threads, int keys, Duration length) throws Exception {
		long end = System.nanoTime() + length.toNanos();
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> tasks = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				tasks.add(executor.submit(() -> {
					while (System.nanoTime() < end) {
						operate(keys);
					}
					this.stillHeld.addAndGet(MutexTemplate.locksOfCurrentThread().size());
				}));
			}
			for (Future<?> task : tasks) {
				task.get();
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

	private void operate(int keys) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		// Half the operations go to ten hot keys, so that keys are contended and change
		// hands between the processes, the rest to all of them.
		String key = "soak-" + random.nextInt(random.nextBoolean() ? 10 : keys);
		try {
			switch (random.nextInt(10)) {
				case 0, 1 -> {
					try (MutexLock lock = this.mutex.lock(MutexRequest.of(key).block(Duration.ofMillis(200)))) {
						inside(key);
					}
				}
				case 2, 3 -> {
					Optional<MutexLock> lock = this.mutex.tryLock(key);
					if (lock.isEmpty()) {
						this.busy.incrementAndGet();
					}
					lock.ifPresent((held) -> {
						inside(key);
						held.release();
					});
				}
				case 4, 5 -> this.mutex.withLock(key, Duration.ofMillis(200), () -> inside(key));
				case 6 -> {
					String other = "soak-" + random.nextInt(keys);
					String third = "soak-" + random.nextInt(keys);
					List<String> all = new ArrayList<>(new java.util.LinkedHashSet<>(List.of(key, other, third)));
					this.mutex.withLockAll(all, Duration.ofMillis(200), () -> all.forEach(this::inside));
				}
				case 7 -> {
					this.mutex.awaitRelease(key, Duration.ofMillis(random.nextInt(20)));
					this.mutex.holder(key);
				}
				case 8 -> {
					this.mutex.lock(MutexRequest.of(key).block(Duration.ofMillis(200)));
					inside(key);
					// Let releaseAll end the hold, as an error handler would.
					this.mutex.releaseAll();
				}
				default -> {
					if (random.nextInt(50) == 0) {
						this.mutex.sweep();
					}
					else {
						this.mutex.isLocked(key);
					}
				}
			}
			this.operations.incrementAndGet();
		}
		catch (MutexLockException ex) {
			this.busy.incrementAndGet();
		}
		catch (RuntimeException ex) {
			if (this.errors.incrementAndGet() <= 5) {
				System.err.println("Soak operation on " + key + " failed: " + ex);
			}
		}
	}

	private void inside(String key) {
		Long inside = this.redis.opsForValue().increment(INSIDE + key);
		if (inside == null || inside != 1) {
			this.overlaps.incrementAndGet();
		}
		this.redis.opsForValue().decrement(INSIDE + key);
	}

	private static long heapAfterGc() {
		System.gc();
		System.gc();
		Runtime runtime = Runtime.getRuntime();
		return runtime.totalMemory() - runtime.freeMemory();
	}

}
