package dev.automutex.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.automutex.MutexLockException;
import dev.automutex.MutexTemplate;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.store.RedisMutexStore;
import dev.automutex.test.RedisServer;
import io.lettuce.core.api.sync.RedisCommands;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * The contended part of {@link RedisRoundTrips}: instances and threads looping
 * {@code withLock} on one key, with the Redis commands each acquisition cost.
 */
final class RedisContention {

	static final int CONTENDED_SECONDS = 3;

	static final int INSTANCES = 4;

	/**
	 * How long a contended {@code withLock} waits before it gives up (counted, not
	 * thrown).
	 */
	static final Duration CONTENDED_BLOCK = Duration.ofSeconds(10);

	private RedisContention() {
	}

	static void run(RedisServer redis, RedisCommands<String, String> commands) throws Exception {
		System.out.printf("%nContended: withLock(key, %d s, empty body) on one key, %d s after 1 s of warm-up%n%n",
				CONTENDED_BLOCK.toSeconds(), CONTENDED_SECONDS);
		System.out.println("| engine | instances x threads | acquisitions/s | scripts (EVAL+EVALSHA) per acquisition "
				+ "| commands per acquisition | PUBLISH per acquisition | fewest / most acquisitions of one thread "
				+ "| gave up | longest withLock |");
		System.out.println("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |");
		Function<LettuceConnectionFactory, MutexStore> automutex = (factory) -> new RedisLeaseMutexStore(factory,
				"rt-am", RedisLockBenchmark.TTL);
		Function<LettuceConnectionFactory, MutexStore> springIntegration = (factory) -> new RedisMutexStore(factory,
				"rt-si", RedisLockBenchmark.TTL, RedisLockType.PUB_SUB_LOCK);
		contend("AutoMutex (RedisLeaseMutexStore)", automutex, redis, commands, INSTANCES, 1);
		contend("Spring Integration (RedisMutexStore)", springIntegration, redis, commands, INSTANCES, 1);
		contend("AutoMutex (RedisLeaseMutexStore)", automutex, redis, commands, 1, INSTANCES);
		contend("Spring Integration (RedisMutexStore)", springIntegration, redis, commands, 1, INSTANCES);
	}

	private static void contend(String engine, Function<LettuceConnectionFactory, MutexStore> stores, RedisServer redis,
			RedisCommands<String, String> commands, int instances, int threadsPerInstance) throws Exception {
		String key = "contended-" + instances + "x" + threadsPerInstance;
		List<LettuceConnectionFactory> factories = new ArrayList<>();
		List<MutexStore> created = new ArrayList<>();
		List<MutexTemplate> templates = new ArrayList<>();
		try {
			for (int i = 0; i < instances; i++) {
				LettuceConnectionFactory factory = RedisLockBenchmark.connectionFactory(redis);
				factories.add(factory);
				MutexStore store = stores.apply(factory);
				created.add(store);
				templates.add(new MutexTemplate(store));
			}
			List<MutexTemplate> perThread = new ArrayList<>();
			for (MutexTemplate template : templates) {
				for (int t = 0; t < threadsPerInstance; t++) {
					perThread.add(template);
				}
			}
			loop(perThread, key, Duration.ofSeconds(1));
			Map<String, Long> before = RedisRoundTrips.commandStats(commands);
			Loop[] loops = loop(perThread, key, Duration.ofSeconds(CONTENDED_SECONDS));
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
			long scripts = stats.getOrDefault("eval", 0L) + stats.getOrDefault("evalsha", 0L);
			double per = Math.max(1, acquisitions);
			System.out.printf("| %s | %d x %d | %.0f | %.2f | %.2f | %.2f | %d / %d | %d | %d ms |%n", engine,
					instances, threadsPerInstance, inWindow / (double) CONTENDED_SECONDS, scripts / per,
					RedisRoundTrips.sum(stats) / per, stats.getOrDefault("publish", 0L) / per, fewest, most, gaveUp,
					TimeUnit.NANOSECONDS.toMillis(longest));
		}
		finally {
			for (MutexTemplate template : templates) {
				template.destroy();
			}
			for (MutexStore store : created) {
				if (store instanceof DisposableBean disposable) {
					disposable.destroy();
				}
			}
			for (LettuceConnectionFactory factory : factories) {
				factory.destroy();
			}
		}
	}

	/**
	 * Every template's thread runs {@code withLock} until the time is up; a call that
	 * began before then finishes.
	 * @return what each thread did
	 */
	private static Loop[] loop(List<MutexTemplate> perThread, String key, Duration duration)
			throws InterruptedException {
		Loop[] loops = new Loop[perThread.size()];
		CountDownLatch ready = new CountDownLatch(perThread.size());
		CountDownLatch go = new CountDownLatch(1);
		List<Thread> threads = new ArrayList<>();
		long[] deadline = new long[1];
		for (int i = 0; i < perThread.size(); i++) {
			Loop loop = new Loop();
			loops[i] = loop;
			MutexTemplate template = perThread.get(i);
			Thread thread = new Thread(() -> {
				ready.countDown();
				try {
					go.await();
					loop.run(template, key, deadline[0]);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}, "roundtrips-" + i);
			threads.add(thread);
			thread.start();
		}
		ready.await();
		deadline[0] = System.nanoTime() + duration.toNanos();
		go.countDown();
		for (Thread thread : threads) {
			thread.join();
		}
		return loops;
	}

	/**
	 * One thread's contended loop and what it counted.
	 */
	static final class Loop {

		long inWindow;

		long acquisitions;

		long gaveUp;

		long longestNanos;

		void run(MutexTemplate template, String key, long deadline) {
			Runnable nothing = () -> {
			};
			while (System.nanoTime() - deadline < 0) {
				long start = System.nanoTime();
				try {
					template.withLock(key, CONTENDED_BLOCK, nothing);
					this.acquisitions++;
				}
				catch (MutexLockException ex) {
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
