package dev.automutex.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.benchmarks.RedisRoundTrips.Monitor;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.test.RedisServer;
import io.lettuce.core.api.sync.RedisCommands;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Several keys at once on the AutoMutex engine: {@code MutexTemplate.lockAll} over N
 * distinct keys then release, for each N: round trips per cycle (from {@code MONITOR})
 * and µs per cycle (a plain timed loop, no monitor), beside the floor taking the same N
 * keys one after another (2 N round trips; N times the floor's measured cycle).
 */
final class SeveralKeys {

	private SeveralKeys() {
	}

	/**
	 * Measure each N.
	 * @param redis the server
	 * @param commands a connection to it
	 * @param floor one cycle of the floor
	 * @param sizes the N to measure
	 * @param cycles cycles to count and to time, each
	 * @return one result per N
	 */
	static List<Result> measure(RedisServer redis, RedisCommands<String, String> commands, Callable<?> floor,
			int[] sizes, int cycles) throws Exception {
		LettuceConnectionFactory factory = RedisLockBenchmark.connectionFactory(redis);
		RedisLeaseMutexStore store = new RedisLeaseMutexStore(factory, "several", RedisLockBenchmark.TTL);
		MutexTemplate template = new MutexTemplate(store);
		try {
			double[] roundTrips = new double[sizes.length];
			try (Monitor monitor = new Monitor(redis)) {
				for (int i = 0; i < sizes.length; i++) {
					roundTrips[i] = RedisRoundTrips.count(cycle(template, sizes[i]), commands, monitor, cycles).sent();
				}
			}
			double floorMicros = time(floor, cycles);
			List<Result> results = new ArrayList<>();
			for (int i = 0; i < sizes.length; i++) {
				double micros = time(cycle(template, sizes[i]), cycles);
				results.add(new Result(sizes[i], roundTrips[i], micros, floorMicros * sizes[i]));
			}
			return results;
		}
		finally {
			template.destroy();
			store.destroy();
			factory.destroy();
		}
	}

	private static Callable<Object> cycle(MutexTemplate template, int size) {
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < size; i++) {
			keys.add("several-" + size + "-" + i);
		}
		return () -> {
			MutexLock lock = template.lockAll(keys);
			if (!lock.release()) {
				throw new IllegalStateException("lockAll's lock was not released: " + keys);
			}
			return null;
		};
	}

	private static double time(Callable<?> cycle, int cycles) throws Exception {
		for (int i = 0; i < cycles / 2; i++) {
			cycle.call();
		}
		long start = System.nanoTime();
		for (int i = 0; i < cycles; i++) {
			cycle.call();
		}
		return (System.nanoTime() - start) / 1000.0 / cycles;
	}

	/**
	 * One N.
	 *
	 * @param keys N
	 * @param roundTrips commands sent per cycle
	 * @param micros µs per cycle
	 * @param floorMicros the floor's µs per cycle, times N
	 */
	record Result(int keys, double roundTrips, double micros, double floorMicros) {

	}

}
