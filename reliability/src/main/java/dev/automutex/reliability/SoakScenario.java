package dev.automutex.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.automutex.test.RedisServer;

/**
 * Scenario 7, the soak: 2 worker JVMs × 8 threads run random operations (lock, tryLock,
 * withLock, lockAll, awaitRelease, holder, sweep, releaseAll) on 1,000 keys, half of them
 * on ten hot keys that change hands between the processes, for 10 minutes (1 with
 * {@code --quick}). Afterwards no key is held, no operation failed other than by finding
 * its key busy, the overlap detector never fired, renewal tasks are 0, each worker's heap
 * after a full GC is back at its baseline, and Redis' key count returns to its baseline
 * once the fencing counters' tail ends.
 */
final class SoakScenario implements Scenario {

	static final int PROCESSES = 2;

	static final int THREADS = 8;

	static final int KEYS = 1000;

	// One round trip for the detector's counters left above 0, not one per key.
	private static final String NON_ZERO_INSIDE = "local n = 0 for _, k in ipairs(redis.call('KEYS', "
			+ "'reliability:inside:*')) do if redis.call('GET', k) ~= '0' then n = n + 1 end end return n";

	/** Heap growth tolerated over the run, per worker. */
	static final long HEAP_SLACK = 8L * 1024 * 1024;

	@Override
	public int number() {
		return 7;
	}

	@Override
	public String title() {
		return "Soak";
	}

	@Override
	public void run(SuiteOptions options, Report report) throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			long baseline = dbSize(redis);
			List<WorkerProcess> workers = new ArrayList<>();
			try {
				for (int p = 0; p < PROCESSES; p++) {
					workers.add(WorkerProcess.start("soak-" + p,
							RedisApplications.arguments(redis.port(), "--worker.job=soak",
									"--worker.threads=" + THREADS, "--worker.keys=" + KEYS,
									"--worker.seconds=" + options.soak().toSeconds())));
				}
				for (WorkerProcess worker : workers) {
					worker.await("READY", WorkerProcess.STARTUP);
				}
				workers.forEach((worker) -> worker.send("GO"));
				long operations = 0;
				long busy = 0;
				long errors = 0;
				long overlaps = 0;
				long renewals = 0;
				long stillHeld = 0;
				List<String> heaps = new ArrayList<>();
				List<String> errorLines = new ArrayList<>();
				boolean heapBack = true;
				for (WorkerProcess worker : workers) {
					Map<String, String> soaked = WorkerProcess
						.fields(worker.await("SOAKED", options.soak().plusMinutes(3)));
					operations += Long.parseLong(soaked.get("operations"));
					busy += Long.parseLong(soaked.get("busy"));
					errors += Long.parseLong(soaked.get("errors"));
					overlaps += Long.parseLong(soaked.get("overlaps"));
					renewals += Long.parseLong(soaked.get("renewals"));
					stillHeld += Long.parseLong(soaked.get("stillHeld"));
					long before = Long.parseLong(soaked.get("heapBefore"));
					long after = Long.parseLong(soaked.get("heapAfter"));
					heapBack &= after <= before + HEAP_SLACK;
					heaps.add(String.format("%.1f -> %.1f MB", before / 1048576.0, after / 1048576.0));
					worker.lastOutput()
						.lines()
						.filter((line) -> line.startsWith("Soak operation on"))
						.forEach(errorLines::add);
					worker.awaitExit(Duration.ofSeconds(30));
				}
				report.check(
						this, PROCESSES + " JVMs x " + THREADS + " threads, " + KEYS + " keys, "
								+ options.soak().toSeconds() + " s: no error, no overlap",
						errors == 0 && overlaps == 0 && operations > 0,
						String.format("%,d operations (%,d found their key busy), %d errors, %d overlaps", operations,
								busy, errors, overlaps)
								+ (errorLines.isEmpty() ? ""
										: "; the first errors: " + String.join(" | ", errorLines)));
				report.check(this, "afterwards nothing is held, renewal tasks are 0, heap back at its baseline",
						stillHeld == 0 && renewals == 0 && heapBack,
						String.format(
								"%d holds left, %d renewal tasks; heap after a full GC, warmed-up baseline -> end: %s",
								stillHeld, renewals, String.join(", ", heaps)));
				judgeRedis(redis, baseline, report);
			}
			finally {
				workers.forEach(WorkerProcess::close);
			}
		}
	}

	private void judgeRedis(RedisServer redis, long baseline, Report report) {
		List<String> halfLocked = RedisApplications.halfLocked(redis.port());
		long fences = RedisApplications.keys(redis.port(), "mutex:*")
			.stream()
			.filter((key) -> key.endsWith(":f"))
			.count();
		// The detector's counters (reliability:inside:<key>) stay, at 0.
		List<String> inside = RedisApplications.keys(redis.port(), "reliability:inside:*");
		long nonZero = Long.parseLong(redis.command("EVAL \"" + NON_ZERO_INSIDE + "\" 0").substring(1));
		long start = System.nanoTime();
		// Fence keys keep the last token for 60 s after the last hold, then go.
		Poll.until(Duration.ofSeconds(90), () -> dbSize(redis) <= baseline + inside.size());
		long left = dbSize(redis) - baseline - inside.size();
		report.check(this, "Redis: no lock or queue key left; key count back at its baseline",
				halfLocked.isEmpty() && nonZero == 0 && left == 0,
				String.format(
						"%d lock/queue keys at the end, %d fence keys, back to the baseline after %d s "
								+ "(%d keys above it)",
						halfLocked.size(), fences, Duration.ofNanos(System.nanoTime() - start).toSeconds(), left));
	}

	private static long dbSize(RedisServer redis) {
		return Long.parseLong(redis.command("DBSIZE").substring(1));
	}

}
