package dev.automutex.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.automutex.reliability.worker.SharedCounter;
import dev.automutex.test.RedisInlineCommands;
import dev.automutex.test.RedisServer;

/**
 * Scenario 1, exclusion across processes: 3 worker JVMs × 8 threads add to one counter
 * under {@code @AutoMutex} on one key, once in a file (the seeds' counter) and once as a
 * Redis read-modify-write. The final count must be exact and the overlap detector (a
 * marker file created with {@code CREATE_NEW}) must never fire. A control run without the
 * lock shows that both can fail.
 */
final class ExclusionScenario implements Scenario {

	static final int PROCESSES = 3;

	static final int THREADS = 8;

	@Override
	public int number() {
		return 1;
	}

	@Override
	public String title() {
		return "Exclusion across processes";
	}

	@Override
	public void run(SuiteOptions options, Report report) throws Exception {
		int increments = options.pick(600, 2000);
		try (RedisServer redis = RedisServer.start()) {
			for (String counter : List.of("file", "redis")) {
				Counted counted = count(redis, counter, true, increments);
				report.check(this,
						"@AutoMutex, " + counter + " counter, " + PROCESSES + " JVMs x " + THREADS
								+ " threads: count exact, no overlap",
						counted.value() == increments && counted.overlaps() == 0 && counted.errors() == 0,
						String.format("%d of %d, %d overlaps, %d errors, %d ms (%.0f increments/s)", counted.value(),
								increments, counted.overlaps(), counted.errors(), counted.millis(),
								increments * 1000.0 / Math.max(1, counted.millis())));
			}
			int unlocked = options.pick(240, 480);
			Counted control = count(redis, "file", false, unlocked);
			report.check(this, "control, the same without the lock: the count and the detector catch it",
					control.value() < unlocked && control.overlaps() > 0,
					String.format("%d of %d (%d lost), %d overlaps", control.value(), unlocked,
							unlocked - control.value(), control.overlaps()));
		}
	}

	private Counted count(RedisServer redis, String counter, boolean locked, int increments) throws Exception {
		redis.flushAll();
		return count("count-" + counter, RedisApplications.arguments(redis.port()), counter, locked, increments,
				() -> RedisInlineCommands.reply(redis.port(), "GET " + SharedCounter.REDIS_KEY));
	}

	/**
	 * Run {@value #PROCESSES} counting worker JVMs × {@value #THREADS} threads and sum up
	 * what they report.
	 * @param name the workers' name prefix
	 * @param connection the arguments that point a worker at its Redis
	 * @param counter {@code file} or {@code redis}
	 * @param locked whether the workers increment under the lock
	 * @param increments the increments in all
	 * @param redisValue reads the Redis counter once the workers are done
	 * @return the final count, the overlaps, the errors and the slowest worker's time
	 */
	static Counted count(String name, List<String> connection, String counter, boolean locked, int increments,
			Supplier<String> redisValue) throws Exception {
		Path dir = Files.createTempDirectory("automutex-reliability-");
		Path file = Files.writeString(dir.resolve("counter.txt"), "0");
		Path marker = dir.resolve("inside.marker");
		List<WorkerProcess> workers = new ArrayList<>();
		try {
			for (int p = 0; p < PROCESSES; p++) {
				int share = increments / PROCESSES + ((p < increments % PROCESSES) ? 1 : 0);
				List<String> arguments = new ArrayList<>(connection);
				arguments.addAll(List.of("--worker.job=count", "--worker.counter=" + counter, "--worker.file=" + file,
						"--worker.marker=" + marker, "--worker.increments=" + share, "--worker.threads=" + THREADS,
						"--worker.locked=" + locked));
				workers.add(WorkerProcess.start(name + "-" + p, arguments));
			}
			for (WorkerProcess worker : workers) {
				worker.await("READY", WorkerProcess.STARTUP);
			}
			workers.forEach((worker) -> worker.send("GO"));
			int overlaps = 0;
			int errors = 0;
			long millis = 0;
			for (WorkerProcess worker : workers) {
				Map<String, String> done = WorkerProcess.fields(worker.await("DONE", Duration.ofMinutes(10)));
				overlaps += Integer.parseInt(done.get("overlaps"));
				errors += Integer.parseInt(done.get("errors"));
				millis = Math.max(millis, Long.parseLong(done.get("millis")));
				worker.awaitExit(Duration.ofSeconds(30));
			}
			String value = "file".equals(counter) ? Files.readString(file) : redisValue.get();
			return new Counted(Long.parseLong(value.trim()), overlaps, errors, millis);
		}
		finally {
			workers.forEach(WorkerProcess::close);
		}
	}

	record Counted(long value, int overlaps, int errors, long millis) {
	}

}
