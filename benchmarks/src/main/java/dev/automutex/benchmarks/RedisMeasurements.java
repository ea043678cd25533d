package dev.automutex.benchmarks;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.automutex.benchmarks.BenchmarkSuite.Settings;
import dev.automutex.benchmarks.RedisPeers.Instance;
import dev.automutex.benchmarks.RedisRoundTrips.Monitor;
import dev.automutex.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * The Redis rows of {@link BenchmarkSuite}: the JMH figures (targets 1 and 5) and the
 * counting tools, each run here on one private {@code redis-server}: round trips
 * ({@link RedisRoundTrips}), hand-offs ({@link RedisHandoff}), four instances on one key
 * ({@link RedisContention}), a crashed holder ({@link RedisCrashedHolder}), memory
 * ({@link MemoryFootprint}) and several keys ({@link SeveralKeys}).
 */
final class RedisMeasurements {

	private static final int[] SEVERAL = { 1, 2, 4, 8, 16 };

	private RedisMeasurements() {
	}

	static void run(Settings settings, Map<String, Double> jmh, SuiteTable table) throws Exception {
		uncontended(jmh, table);
		RedisLockBenchmark bench = new RedisLockBenchmark();
		bench.start();
		RedisAnnotationBenchmark annotated = new RedisAnnotationBenchmark();
		annotated.start();
		RedisServer redis = bench.server();
		RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			RedisCommands<String, String> commands = connection.sync();
			roundTrips(settings, bench, annotated, commands, table);
			handoff(settings, redis, table);
			instances(settings, redis, commands, table);
			threads(jmh, table);
			crashedHolder(redis, table);
			memory(settings, redis, commands, table);
			BenchmarkSuite.progress("Several keys");
			for (SeveralKeys.Result result : SeveralKeys.measure(redis, commands, bench::floor, SEVERAL,
					settings.countCycles())) {
				table.report("8",
						"`lockAll` over " + result.keys() + " key" + ((result.keys() > 1) ? "s" : "")
								+ ": round trips, µs",
						SuiteTable.number(result.roundTrips()) + ", " + SuiteTable.number(result.micros()),
						(2 * result.keys()) + ", " + SuiteTable.number(result.floorMicros()) + " (floor, key by key)",
						result.floorMicros() / result.micros());
			}
		}
		finally {
			client.shutdown();
			annotated.stop();
			bench.stop();
		}
	}

	private static void uncontended(Map<String, Double> jmh, SuiteTable table) {
		double floor = jmh.get("RedisLockBenchmark.floor");
		String floorText = micros(floor) + " (floor)";
		double template = jmh.get("RedisLockBenchmark.templateAutomutex");
		double annotated = jmh.get("RedisAnnotationBenchmark.autoMutexRedis");
		double token = jmh.get("RedisLockBenchmark.templateAutomutexWithToken");
		double registry = jmh.get("RedisLockBenchmark.springIntegrationRegistry");
		double redisson = jmh.get("RedissonBenchmark.redissonLock");
		table.ratioAtLeast("1", "uncontended lock + release on Redis, `withLock`", micros(template), floorText,
				floor / template, 0.9);
		table.ratioAtLeast("1", "uncontended, `@AutoMutex`", micros(annotated), floorText, floor / annotated, 0.9);
		table.report("1", "uncontended, `lock` with a fencing token", micros(token), floorText, floor / token);
		table.report("1", "uncontended, `withLock` beside RedisLockRegistry", micros(template),
				micros(registry) + " (RedisLockRegistry)", registry / template);
		table.report("1", "uncontended, `withLock` beside Redisson", micros(template), micros(redisson) + " (Redisson)",
				redisson / template);
	}

	private static void roundTrips(Settings settings, RedisLockBenchmark bench, RedisAnnotationBenchmark annotated,
			RedisCommands<String, String> commands, SuiteTable table) throws Exception {
		BenchmarkSuite.progress("Round trips");
		int cycles = settings.countCycles();
		double floor;
		double template;
		double token;
		double registry;
		double redisson;
		try (Monitor monitor = new Monitor(bench.server())) {
			floor = RedisRoundTrips.count(bench::floor, commands, monitor, cycles).sent();
			template = RedisRoundTrips.count(RedisRoundTrips.run(bench::templateAutomutex), commands, monitor, cycles)
				.sent();
			token = RedisRoundTrips.count(bench::templateAutomutexWithToken, commands, monitor, cycles).sent();
			registry = count(RedisPeers::springIntegration, bench.server(), commands, monitor, cycles);
			redisson = count(RedisPeers::redisson, bench.server(), commands, monitor, cycles);
		}
		double annotation;
		RedisServer other = annotated.server();
		RedisClient client = RedisClient.create(RedisURI.create(other.host(), other.port()));
		try (StatefulRedisConnection<String, String> connection = client.connect();
				Monitor monitor = new Monitor(other)) {
			annotation = RedisRoundTrips
				.count(() -> annotated.counter().increment("order-7"), connection.sync(), monitor, cycles)
				.sent();
		}
		finally {
			client.shutdown();
		}
		String floorText = SuiteTable.number(floor) + " (floor)";
		table.atMost("2", "round trips per uncontended `withLock`", SuiteTable.number(template), template, floorText,
				floor / template, 2, "");
		table.atMost("2", "round trips per uncontended `lock` + fencing token", SuiteTable.number(token), token,
				floorText, floor / token, 2, "");
		table.atMost("2", "round trips per uncontended `@AutoMutex` call", SuiteTable.number(annotation), annotation,
				floorText, floor / annotation, 2, "");
		table.report("2", "round trips per uncontended cycle, beside the peers", SuiteTable.number(template),
				SuiteTable.number(registry) + " (RedisLockRegistry), " + SuiteTable.number(redisson) + " (Redisson)",
				Double.NaN);
	}

	private static double count(Function<RedisServer, Instance> peer, RedisServer redis,
			RedisCommands<String, String> commands, Monitor monitor, int cycles) throws Exception {
		try (Instance instance = peer.apply(redis)) {
			Callable<Object> cycle = () -> {
				Runnable release = instance.lock("roundtrips-peer", Duration.ZERO);
				if (release == null) {
					throw new IllegalStateException("An uncontended key was refused");
				}
				release.run();
				return null;
			};
			return RedisRoundTrips.count(cycle, commands, monitor, cycles).sent();
		}
	}

	private static void handoff(Settings settings, RedisServer redis, SuiteTable table) throws Exception {
		BenchmarkSuite.progress("Hand-offs between two instances");
		int samples = settings.handoffSamples();
		double[] ours = RedisHandoff.measure(() -> RedisPeers.automutex(redis), samples);
		double[] push = RedisHandoff.measure(() -> RedisPeers.pushFloor(redis), samples);
		double[] registry = RedisHandoff.measure(() -> RedisPeers.springIntegration(redis), samples);
		double[] redisson = RedisHandoff.measure(() -> RedisPeers.redisson(redis), samples);
		double p50 = RedisHandoff.percentile(ours, 50);
		double p99 = RedisHandoff.percentile(ours, 99);
		double pushP50 = RedisHandoff.percentile(push, 50);
		double registryP99 = RedisHandoff.percentile(registry, 99);
		table.notWorseThan("3", "hand-off between two instances, p50 µs", SuiteTable.number(p50),
				SuiteTable.number(pushP50) + " (push floor)", pushP50 / p50, "<= push floor");
		table.notWorseThan("3", "hand-off between two instances, p99 µs", SuiteTable.number(p99),
				SuiteTable.number(registryP99) + " (RedisLockRegistry)", registryP99 / p99, "<= RedisLockRegistry");
		table.report("3", "hand-off p50 / p99 µs, beside the others",
				SuiteTable.number(p50) + " / " + SuiteTable.number(p99),
				percentiles(registry) + " (RedisLockRegistry), " + percentiles(redisson) + " (Redisson), "
						+ percentiles(push) + " (push floor)",
				Double.NaN);
	}

	private static String percentiles(double[] sorted) {
		return SuiteTable.number(RedisHandoff.percentile(sorted, 50)) + " / "
				+ SuiteTable.number(RedisHandoff.percentile(sorted, 99));
	}

	private static void instances(Settings settings, RedisServer redis, RedisCommands<String, String> commands,
			SuiteTable table) throws Exception {
		BenchmarkSuite.progress("Four instances on one key");
		Duration time = Duration.ofSeconds(settings.contendedSeconds());
		RedisContention.Result ours = contend(() -> RedisPeers.automutex(redis), commands, time);
		RedisContention.Result push = contend(() -> RedisPeers.pushFloor(redis), commands, time);
		RedisContention.Result registry = contend(() -> RedisPeers.springIntegration(redis), commands, time);
		RedisContention.Result redisson = contend(() -> RedisPeers.redisson(redis), commands, time);
		table.atMost("4", "4 instances on one key: scripts per acquisition", SuiteTable.number(ours.scripts()),
				ours.scripts(), SuiteTable.number(registry.scripts()) + " (RedisLockRegistry)",
				registry.scripts() / ours.scripts(), 2.2, "");
		table.ratioAtLeast("4", "4 instances on one key: acquisitions/s", SuiteTable.number(ours.perSecond()),
				SuiteTable.number(push.perSecond()) + " (push floor)", ours.perSecond() / push.perSecond(), 1.0);
		table.report("4", "4 instances on one key: acquisitions/s beside RedisLockRegistry",
				SuiteTable.number(ours.perSecond()), SuiteTable.number(registry.perSecond()) + " (RedisLockRegistry)",
				ours.perSecond() / registry.perSecond());
		table.report("4", "4 instances on one key: acquisitions/s beside Redisson", SuiteTable.number(ours.perSecond()),
				SuiteTable.number(redisson.perSecond()) + " (Redisson)", ours.perSecond() / redisson.perSecond());
	}

	private static RedisContention.Result contend(Supplier<Instance> instances, RedisCommands<String, String> commands,
			Duration time) throws Exception {
		return RedisContention.contend(instances, commands, RedisContention.INSTANCES, 1, time);
	}

	private static void threads(Map<String, Double> jmh, SuiteTable table) {
		double ours = jmh.get("RedisLockBenchmark.contendedTemplateAutomutex");
		double registry = jmh.get("RedisLockBenchmark.contendedSpringIntegrationRegistry");
		double redisson = jmh.get("RedissonBenchmark.contendedRedissonLock");
		table.ratioAtLeast("5", "4 threads of one instance on one key: ops/s", SuiteTable.number(ours),
				SuiteTable.number(registry) + " (RedisLockRegistry)", ours / registry, 3.0);
		table.report("5", "4 threads of one instance on one key: ops/s beside Redisson", SuiteTable.number(ours),
				SuiteTable.number(redisson) + " (Redisson)", ours / redisson);
	}

	private static void crashedHolder(RedisServer redis, SuiteTable table) throws Exception {
		BenchmarkSuite.progress("A crashed holder");
		long ours = RedisCrashedHolder.automutex(redis);
		long registry = RedisCrashedHolder.springIntegration(redis);
		long redisson = RedisCrashedHolder.redisson(redis);
		table.atMost("6",
				"a crashed holder (TTL " + RedisCrashedHolder.TTL_MILLIS + " ms): the waiter granted, ms after expiry",
				SuiteTable.number(ours), ours, registry + " (RedisLockRegistry), " + redisson + " (Redisson)",
				Double.NaN, 500, " ms");
	}

	private static void memory(Settings settings, RedisServer redis, RedisCommands<String, String> commands,
			SuiteTable table) throws Exception {
		BenchmarkSuite.progress("Memory: Redis");
		int keys = settings.inTurnKeys();
		MemoryFootprint.Left ours;
		MemoryFootprint.Left registry;
		Duration tail = Duration.ofSeconds(settings.waitForExpirySeconds());
		try (Instance instance = RedisPeers.automutex(redis)) {
			ours = MemoryFootprint.redisInTurn(instance, "peer-am:{mem-*", commands, keys, 4, tail);
		}
		try (Instance instance = RedisPeers.springIntegration(redis)) {
			registry = MemoryFootprint.redisInTurn(instance, "peer-si:mem-*", commands, keys, 4, Duration.ZERO);
		}
		String expiring = (ours.redisKeys() > 0) ? String.format(" (fencing tokens, expire within %d s%s)",
				TimeUnit.MILLISECONDS.toSeconds(ours.longestTtlMillis() + 999),
				(ours.afterTail() >= 0) ? "; then " + ours.afterTail() : "") : "";
		table.add("7",
				String.format("%,d keys locked and released in turn, Redis engine: their Redis keys, heap left", keys),
				ours.redisKeys() + expiring + ", " + BenchmarkSuite.kilobytes(ours.heapBytes()),
				registry.redisKeys() + ", " + BenchmarkSuite.kilobytes(registry.heapBytes()) + " (RedisLockRegistry)",
				Double.NaN, "none that never expires, < 1 MB",
				ours.forever() <= 0 && ours.afterTail() <= 0 && ours.heapBytes() < 1024 * 1024);
		double perHeld;
		try (Instance instance = RedisPeers.automutex(redis)) {
			perHeld = MemoryFootprint.redisPerHeldKey(instance, commands, settings.heldKeys());
		}
		double floor = MemoryFootprint.floorPerHeldKey(commands, settings.heldKeys());
		table.report("7", "bytes of Redis memory per held key (" + settings.heldKeys() + " held)",
				SuiteTable.number(perHeld), SuiteTable.number(floor) + " (floor)", floor / perHeld);
	}

	private static String micros(double value) {
		return SuiteTable.number(value) + " µs";
	}

}
