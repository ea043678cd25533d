package dev.automutex.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.automutex.test.RedisServer;

/**
 * Scenario 2, holder killed: a worker JVM holds a key (expire 2 s, renewed while it
 * lives) and is killed with {@code SIGKILL} while two other worker JVMs wait for the key.
 * Nobody may get the key before the dead holder's lease ends; one waiter must get it
 * within {@code expire} + 0.5 s of the kill; the two waiters must not overlap; their
 * fencing tokens must be above the dead holder's. On both Redis engines.
 */
final class HolderKilledScenario implements Scenario {

	static final Duration EXPIRE = Duration.ofSeconds(2);

	static final Duration HOLD_FOR = Duration.ofMillis(300);

	private static final String KEY = "job";

	@Override
	public int number() {
		return 2;
	}

	@Override
	public String title() {
		return "Holder killed (kill -9)";
	}

	@Override
	public void run(SuiteOptions options, Report report) throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			for (String engine : List.of("automutex", "spring-integration")) {
				redis.flushAll();
				run(redis, engine, report);
			}
		}
	}

	private void run(RedisServer redis, String engine, Report report) throws Exception {
		List<WorkerProcess> workers = new ArrayList<>();
		try {
			WorkerProcess holder = start(workers, redis, engine, "holder", "--worker.job=hold");
			long holderToken = Long
				.parseLong(WorkerProcess.fields(holder.await("HELD", WorkerProcess.STARTUP)).get("token"));
			for (int i = 1; i <= 2; i++) {
				start(workers, redis, engine, "waiter-" + i, "--worker.job=wait", "--worker.block=15s",
						"--worker.hold-for=" + HOLD_FOR.toMillis());
			}
			for (WorkerProcess waiter : workers.subList(1, 3)) {
				waiter.await("WAITING", WorkerProcess.STARTUP);
			}
			boolean queued = awaitWaiters(redis, engine);
			long pttl = Long.parseLong(redis.command("PTTL mutex:" + redisKey(engine)).substring(1));
			long killedAt = System.currentTimeMillis();
			holder.kill();
			List<Grant> grants = new ArrayList<>();
			for (WorkerProcess waiter : workers.subList(1, 3)) {
				String[] granted = waiter.await("GRANTED", Duration.ofSeconds(30)).split(" ");
				long released = Long.parseLong(waiter.await("RELEASED", Duration.ofSeconds(30)));
				grants.add(new Grant(Long.parseLong(granted[0]),
						Long.parseLong(WorkerProcess.fields(granted[1]).get("token")), released));
			}
			grants.sort((a, b) -> Long.compare(a.at(), b.at()));
			Grant first = grants.get(0);
			Grant second = grants.get(1);
			long delay = first.at() - killedAt;
			String prefix = engine + " engine: ";
			report.check(this, prefix + "nobody gets the key before the dead holder's lease ends", delay >= pttl - 20,
					String.format("first grant %d ms after the kill; the lease had %d ms left%s", delay, pttl,
							queued ? "" : " (the waiters' registration was not seen)"));
			report.check(this, prefix + "a waiter gets it within expire + 0.5 s of the kill",
					delay <= EXPIRE.toMillis() + 500, String.format("%d ms (expire %d ms)", delay, EXPIRE.toMillis()));
			report.check(this, prefix + "the two waiters do not overlap", second.at() >= first.released(),
					String.format("second grant %d ms after the first release", second.at() - first.released()));
			report.check(this, prefix + "fencing tokens after the crash are greater",
					first.token() > holderToken && second.token() > first.token(),
					String.format("%d, then %d, %d", holderToken, first.token(), second.token()));
		}
		finally {
			workers.forEach(WorkerProcess::close);
		}
	}

	private static WorkerProcess start(List<WorkerProcess> workers, RedisServer redis, String engine, String name,
			String... job) {
		List<String> arguments = RedisApplications.arguments(redis.port(), job);
		arguments.addAll(List.of("--mutex.redis.engine=" + engine, "--mutex.expire=" + EXPIRE.toMillis() + "ms",
				"--worker.key=" + KEY));
		WorkerProcess worker = WorkerProcess.start(engine + "-" + name, arguments);
		workers.add(worker);
		return worker;
	}

	// Wait until both waiters are known to Redis: queued on the AutoMutex engine; on
	// Spring Integration's, a waiter subscribes to its unlock channels (a pattern) when
	// its first attempt fails.
	private static boolean awaitWaiters(RedisServer redis, String engine) {
		return Poll.until(Duration.ofSeconds(10),
				() -> "automutex".equals(engine) ? redis.command("ZCARD mutex:{" + KEY + "}:q").equals(":2")
						: !redis.command("PUBSUB NUMPAT").equals(":0"));
	}

	private static String redisKey(String engine) {
		return "automutex".equals(engine) ? "{" + KEY + "}" : KEY;
	}

	private record Grant(long at, long token, long released) {
	}

}
