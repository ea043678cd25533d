package dev.automutex.reliability;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import dev.automutex.MutexLock;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.reliability.FaultRound.Hold;
import dev.automutex.reliability.FaultRound.Wait;
import dev.automutex.test.RedisServer;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Scenario 3, Redis restarted and paused under held keys and waiters: two applications (A
 * holds four keys, B waits for them) meet, in turn, {@code SHUTDOWN NOSAVE} and a start 1
 * s later, {@code SIGSTOP} for 3 s then {@code SIGCONT}, and
 * {@code CLIENT PAUSE 3000 ALL}. Each wait must end within its block plus the command
 * time-out plus 1 s, with a clear exception naming Redis; every holder whose key is gone
 * from Redis is told; fencing tokens after are greater than before; and locking, wake-ups
 * included, works afterwards without restarting anything.
 */
final class RedisFaultScenario implements Scenario {

	private static final Duration OUTAGE = Duration.ofSeconds(3);

	private static final Duration MARGIN = Duration.ofSeconds(1);

	@Override
	public int number() {
		return 3;
	}

	@Override
	public String title() {
		return "Redis restarted and paused";
	}

	@Override
	public void run(SuiteOptions options, Report report) throws Exception {
		try (RedisServer redis = RedisServer.start();
				ConfigurableApplicationContext appA = RedisApplications.start(redis.port());
				ConfigurableApplicationContext appB = RedisApplications.start(redis.port())) {
			MutexTemplate a = appA.getBean(MutexTemplate.class);
			MutexTemplate b = appB.getBean(MutexTemplate.class);
			for (String fault : List.of("SHUTDOWN NOSAVE, start 1 s later", "SIGSTOP 3 s, SIGCONT",
					"CLIENT PAUSE 3000 ALL")) {
				redis.flushAll();
				FaultRound round = new FaultRound(redis, a, b);
				round.start();
				causeFault(redis, fault);
				Duration bound = FaultRound.BLOCK.plus(Duration.parse("PT" + RedisApplications.COMMAND_TIMEOUT))
					.plus(MARGIN);
				List<Wait> waits = round.waits(bound.plus(OUTAGE).plusSeconds(30));
				judgeWaits(report, fault, waits, bound, redis.port());
				Duration learned = awaitHoldersTold(redis, round);
				List<Hold> holds = round.release();
				judgeHolds(report, fault, waits, holds, learned);
				judgeAfter(report, fault, redis, a, b, holds);
			}
		}
	}

	private static void causeFault(RedisServer redis, String fault) throws Exception {
		if (fault.startsWith("SHUTDOWN")) {
			try {
				redis.command("SHUTDOWN NOSAVE");
			}
			catch (IllegalStateException ex) {
				// The server closes the connection instead of answering: expected.
			}
			// The outage lasts this long.
			LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
			redis.restart();
		}
		else if (fault.startsWith("SIGSTOP")) {
			signal(redis, "STOP");
			LockSupport.parkNanos(OUTAGE.toNanos());
			signal(redis, "CONT");
		}
		else {
			redis.command("CLIENT PAUSE " + OUTAGE.toMillis() + " ALL");
		}
	}

	private static void signal(RedisServer redis, String signal) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(redis.pid())).inheritIO().start();
		if (kill.waitFor() != 0) {
			throw new IllegalStateException("kill -" + signal + " " + redis.pid() + " failed");
		}
	}

	private void judgeWaits(Report report, String fault, List<Wait> waits, Duration bound, int port) {
		long slowest = waits.stream().mapToLong((wait) -> wait.took().toMillis()).max().orElse(0);
		List<Wait> unclear = waits.stream()
			.filter((wait) -> wait.outcome().equals("store error")
					&& !wait.message().contains("Redis at 127.0.0.1:" + port))
			.toList();
		String outcomes = waits.stream()
			.collect(Collectors.groupingBy(Wait::outcome, Collectors.counting()))
			.toString();
		report.check(this, fault + ": every wait ends within block + command timeout + 1 s, errors name Redis",
				slowest <= bound.toMillis() && unclear.isEmpty(),
				String.format("slowest %d ms (bound %d ms); %s%s", slowest, bound.toMillis(), outcomes,
						unclear.isEmpty() ? "" : "; unclear: " + unclear.get(0).message()));
	}

	// Until every key that is gone from Redis is reported lost by its holder, or the
	// holders had their lease plus the command time-out plus a margin to learn it.
	private static Duration awaitHoldersTold(RedisServer redis, FaultRound round) {
		long start = System.nanoTime();
		Poll.until(FaultRound.EXPIRE.plusSeconds(3), () -> {
			for (int i = 0; i < FaultRound.KEYS; i++) {
				String key = FaultRound.key(i);
				if (!round.toldLost(key) && !redis.command("EXISTS mutex:{" + key + "}").equals(":1")) {
					return false;
				}
			}
			return true;
		});
		return Duration.ofNanos(System.nanoTime() - start);
	}

	private void judgeHolds(Report report, String fault, List<Wait> waits, List<Hold> holds, Duration learned) {
		long lost = holds.stream().filter(Hold::lost).count();
		List<String> untold = holds.stream().filter((hold) -> !hold.lost() && !hold.released()).map(Hold::key).toList();
		List<String> doubleHeld = waits.stream()
			.filter((wait) -> wait.outcome().equals("granted"))
			.filter((wait) -> holds.stream().anyMatch((hold) -> hold.key().equals(wait.key()) && !hold.lost()))
			.map(Wait::key)
			.toList();
		report.check(this, fault + ": holders whose key is gone are told; none goes on believing it holds a key B got",
				untold.isEmpty() && doubleHeld.isEmpty(),
				String.format("%d of %d holds lost and told (within %d ms of the waits' end)%s%s", lost, holds.size(),
						learned.toMillis(), untold.isEmpty() ? "" : "; not told: " + untold,
						doubleHeld.isEmpty() ? "" : "; granted to B while A held: " + doubleHeld));
	}

	private void judgeAfter(Report report, String fault, RedisServer redis, MutexTemplate a, MutexTemplate b,
			List<Hold> holds) throws Exception {
		long start = System.nanoTime();
		long before = holds.stream().mapToLong(Hold::token).max().orElse(0);
		long after;
		try (MutexLock lock = b.lock(MutexRequest.of(FaultRound.key(0)).block(Duration.ofSeconds(10)))) {
			after = lock.fencingToken();
		}
		boolean wakeUp = WakeUpCheck.passes(redis, a, b);
		report.check(this, fault + ": afterwards tokens are greater and locking and wake-ups work, no restart",
				after > before && wakeUp && a.renewalCount() == 0 && b.renewalCount() == 0,
				String.format("token %d before, %d after; a woken waiter got a released key: %s; in %d ms", before,
						after, wakeUp, Duration.ofNanos(System.nanoTime() - start).toMillis()));
	}

}
