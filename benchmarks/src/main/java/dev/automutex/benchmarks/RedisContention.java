package dev.automutex.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.automutex.benchmarks.RedisPeers.Instance;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.store.RedisMutexStore;
import dev.automutex.test.RedisServer;
import io.lettuce.core.api.sync.RedisCommands;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * The contended part of {@link RedisRoundTrips}, also used by {@link BenchmarkSuite}:
 * instances and threads looping lock, {@code counter++}, release on one key, with the
 * Redis commands each acquisition cost. Every acquisition checks that no other thread is
 * inside and bumps a shared counter; an overlap or a lost update ends the run with an
 * exception, not a number.
 */
final class RedisContention {

	static final int CONTENDED_SECONDS = 3;

	static final int INSTANCES = 4;

	/**
	 * How long a contended lock waits before it gives up (counted, not thrown).
	 */
	static final Duration CONTENDED_BLOCK = Duration.ofSeconds(10);

	private RedisContention() {
	}

	static void run(RedisServer redis, RedisCommands<String, String> commands) throws Exception {
		System.out.printf(
				"%nContended: lock(key, %d s), empty body, release, on one key, %d s after 1 s of warm-up%n%n",
				CONTENDED_BLOCK.toSeconds(), CONTENDED_SECONDS);
		System.out.println("| engine | instances x threads | acquisitions/s | scripts (EVAL+EVALSHA) per acquisition "
				+ "| commands per acquisition | PUBLISH per acquisition | fewest / most acquisitions of one thread "
				+ "| gave up | longest wait + hold |");
		System.out.println("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |");
		Supplier<Instance> automutex = () -> RedisPeers.template(redis,
				(factory) -> new RedisLeaseMutexStore(factory, "rt-am", RedisLockBenchmark.TTL));
		Supplier<Instance> springIntegration = () -> RedisPeers.template(redis,
				RedisContention::springIntegrationStore);
		Duration time = Duration.ofSeconds(CONTENDED_SECONDS);
		print("AutoMutex (RedisLeaseMutexStore)", contend(automutex, commands, INSTANCES, 1, time));
		print("Spring Integration (RedisMutexStore)", contend(springIntegration, commands, INSTANCES, 1, time));
		print("AutoMutex (RedisLeaseMutexStore)", contend(automutex, commands, 1, INSTANCES, time));
		print("Spring Integration (RedisMutexStore)", contend(springIntegration, commands, 1, INSTANCES, time));
	}

	private static MutexStore springIntegrationStore(LettuceConnectionFactory factory) {
		return new RedisMutexStore(factory, "rt-si", RedisLockBenchmark.TTL, RedisLockType.PUB_SUB_LOCK);
	}

	private static void print(String engine, Result result) {
		System.out.printf("| %s | %d x %d | %.0f | %.2f | %.2f | %.2f | %d / %d | %d | %d ms |%n", engine,
				result.instances(), result.threadsPerInstance(), result.perSecond(), result.scripts(),
				result.commands(), result.publishes(), result.fewest(), result.most(), result.gaveUp(),
				result.longestMillis());
	}

	/**
	 * Loop on one key from {@code instances} new instances with
	 * {@code threadsPerInstance} threads each: 1 s of warm-up, then {@code time}.
	 * @param instances makes one instance
	 * @param commands a connection to the same Redis, for {@code INFO commandstats}
	 * @param count how many instances
	 * @param threadsPerInstance threads of each instance
	 * @param time how long to measure
	 * @return what was measured
	 * @throws IllegalStateException if two threads held the key at once or an update was
	 * lost
	 */
	static Result contend(Supplier<Instance> instances, RedisCommands<String, String> commands, int count,
			int threadsPerInstance, Duration time) throws Exception {
		String key = "contended-" + count + "x" + threadsPerInstance + "-" + System.nanoTime();
		List<Instance> created = new ArrayList<>();
		try {
			List<Instance> perThread = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				Instance instance = instances.get();
				created.add(instance);
				for (int t = 0; t < threadsPerInstance; t++) {
					perThread.add(instance);
				}
			}
			Shared shared = new Shared();
			loop(perThread, key, Duration.ofSeconds(1), shared);
			Map<String, Long> before = RedisRoundTrips.commandStats(commands);
			Loop[] loops = loop(perThread, key, time, shared);
			Map<String, Long> stats = RedisRoundTrips.minus(RedisRoundTrips.commandStats(commands), before);
			long inWindow = 0;
			long acquisitions = 0;
			long gaveUp = 0;
			long longest = 0;
			long fewest = Long.MAX_VALUE;
			long most = 0;
			for (Loop loop : loops) {
				inWindow += loop.inWindow;
				acquisitions += loop.acquisitions;
				gaveUp += loop.gaveUp;
				longest = Math.max(longest, loop.longestNanos);
				fewest = Math.min(fewest, loop.inWindow);
				most = Math.max(most, loop.inWindow);
			}
			shared.check();
			long scripts = stats.getOrDefault("eval", 0L) + stats.getOrDefault("evalsha", 0L);
			double per = Math.max(1, acquisitions);
			return new Result(count, threadsPerInstance, inWindow / (time.toNanos() / 1e9), scripts / per,
					RedisRoundTrips.sum(stats) / per, stats.getOrDefault("publish", 0L) / per, fewest, most, gaveUp,
					TimeUnit.NANOSECONDS.toMillis(longest));
		}
		finally {
			for (Instance instance : created) {
				instance.close();
			}
		}
	}

	/**
	 * Every thread loops until the time is up; a call that began before then finishes.
	 * @return what each thread did
	 */
	private static Loop[] loop(List<Instance> perThread, String key, Duration duration, Shared shared)
			throws InterruptedException {
		Loop[] loops = new Loop[perThread.size()];
		CountDownLatch ready = new CountDownLatch(perThread.size());
		CountDownLatch go = new CountDownLatch(1);
		List<Thread> threads = new ArrayList<>();
		long[] deadline = new long[1];
		for (int i = 0; i < perThread.size(); i++) {
			Loop loop = new Loop(shared);
			loops[i] = loop;
			Instance instance = perThread.get(i);
			Thread thread = new Thread(() -> {
				ready.countDown();
				try {
					go.await();
					loop.run(instance, key, deadline[0]);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				catch (RuntimeException ex) {
					loop.failure = ex;
				}
			}, "contention-" + i);
			threads.add(thread);
			thread.start();
		}
		ready.await();
		deadline[0] = System.nanoTime() + duration.toNanos();
		go.countDown();
		for (Thread thread : threads) {
			thread.join();
		}
		for (Loop loop : loops) {
			if (loop.failure != null) {
				throw new IllegalStateException("A contending thread failed: " + loop.failure, loop.failure);
			}
		}
		return loops;
	}

	/**
	 * What one contended run measured; per acquisition figures count every acquisition.
	 *
	 * @param instances how many instances
	 * @param threadsPerInstance threads of each
	 * @param perSecond acquisitions that ended within the time, per second
	 * @param scripts {@code EVAL} + {@code EVALSHA} per acquisition
	 * @param commands all commands per acquisition
	 * @param publishes {@code PUBLISH} per acquisition
	 * @param fewest fewest acquisitions of one thread
	 * @param most most acquisitions of one thread
	 * @param gaveUp calls that were not granted within their wait
	 * @param longestMillis longest wait + hold
	 */
	record Result(int instances, int threadsPerInstance, double perSecond, double scripts, double commands,
			double publishes, long fewest, long most, long gaveUp, long longestMillis) {

	}

	/**
	 * The overlap detector and the counter that every thread of a run shares.
	 */
	static final class Shared {

		final AtomicInteger inside = new AtomicInteger();

		final AtomicInteger overlaps = new AtomicInteger();

		long counter;

		long acquisitions;

		void check() {
			if (this.overlaps.get() > 0 || this.counter != this.acquisitions) {
				throw new IllegalStateException("Mutual exclusion failed: " + this.overlaps.get()
						+ " overlaps, counter " + this.counter + " after " + this.acquisitions + " acquisitions");
			}
		}

	}

	/**
	 * One thread's contended loop and what it counted.
	 */
	static final class Loop {

		private final Shared shared;

		long inWindow;

		long acquisitions;

		long gaveUp;

		long longestNanos;

		volatile RuntimeException failure;

		Loop(Shared shared) {
			this.shared = shared;
		}

		void run(Instance instance, String key, long deadline) throws InterruptedException {
			while (System.nanoTime() - deadline < 0) {
				long start = System.nanoTime();
				Runnable release = instance.lock(key, CONTENDED_BLOCK);
				if (release != null) {
					if (this.shared.inside.incrementAndGet() != 1) {
						this.shared.overlaps.incrementAndGet();
					}
					this.shared.counter++;
					this.shared.inside.decrementAndGet();
					release.run();
					this.acquisitions++;
					synchronized (this.shared) {
						this.shared.acquisitions++;
					}
				}
				else {
					this.gaveUp++;
				}
				long end = System.nanoTime();
				if (end - deadline < 0) {
					this.inWindow++;
				}
				this.longestNanos = Math.max(this.longestNanos, end - start);
			}
		}

	}

}
