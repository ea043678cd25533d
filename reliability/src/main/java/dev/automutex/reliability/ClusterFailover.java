package dev.automutex.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.MutexLock;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisClusterServer;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * The failover part of scenario 5. An application (the holders) takes keys whose slots
 * are on one master: some while the master's replica is in sync, some after the replica's
 * replication link was cut (a lagging replica: it cannot authenticate to its master any
 * more). The master is killed with {@code SIGKILL} and its replica promoted. Reported:
 * how long until locking works again on that master's slots; which keys survived; that
 * holders of lost keys are told and holders of the others keep them; that fencing tokens
 * after the failover are above every earlier one of the same key; that no lock call
 * hangs. A second application (the others) probes and takes the keys.
 */
final class ClusterFailover {

	/**
	 * Lease of the holders: renewed every third of it, so that a holder's renewals can
	 * miss for up to two thirds of it (the failover, then the client finding the new
	 * master) before a lease that survived is given up as lost.
	 */
	private static final Duration EXPIRE = Duration.ofSeconds(20);

	private static final Duration BLOCK = Duration.ofSeconds(2);

	/** Longest a lock call may take: its block, one command time-out, and a margin. */
	private static final Duration CALL_BOUND = BLOCK.plus(Duration.parse("PT" + RedisApplications.COMMAND_TIMEOUT))
		.plusSeconds(1);

	private static final Duration GRAB_TIMEOUT = Duration.ofSeconds(20);

	private static final int PROBE_THREADS = 3;

	private static final int PROBE_KEYS = 24;

	private final Scenario scenario;

	private final RedisClusterServer cluster;

	private final Report report;

	ClusterFailover(Scenario scenario, RedisClusterServer cluster, Report report) {
		this.scenario = scenario;
		this.cluster = cluster;
		this.report = report;
	}

	void run(SuiteOptions options) throws Exception {
		int synced = options.pick(6, 12);
		int lagging = options.pick(3, 6);
		int victim = this.cluster.ports().get(0);
		int replica = this.cluster.replicasOf(victim).get(0);
		List<String> keys = keysOn(victim, synced + lagging + PROBE_KEYS);
		List<String> heldKeys = keys.subList(0, synced + lagging);
		@Nullable ConfigurableApplicationContext holderApp = null;
		@Nullable ConfigurableApplicationContext otherApp = null;
		@Nullable LockProbes probes = null;
		ExecutorService grabbers = Executors.newCachedThreadPool();
		try {
			holderApp = start();
			otherApp = start();
			MutexTemplate holders = holderApp.getBean(MutexTemplate.class);
			MutexTemplate others = otherApp.getBean(MutexTemplate.class);
			Map<String, Long> before = new HashMap<>();
			for (String key : heldKeys) {
				for (int i = 0; i < 2; i++) {
					try (MutexLock lock = others.lock(MutexRequest.of(key).block(BLOCK))) {
						before.merge(key, lock.fencingToken(), Math::max);
					}
				}
			}
			List<Hold> holds = new ArrayList<>();
			for (String key : heldKeys.subList(0, synced)) {
				holds.add(hold(holders, key, false));
			}
			ReplicaLag lag = new ReplicaLag(this.cluster, victim, replica);
			boolean inSync = lag.awaitInSync();
			String link = lag.cut();
			for (String key : heldKeys.subList(synced, heldKeys.size())) {
				holds.add(hold(holders, key, true));
			}
			probes = new LockProbes(others, keys.subList(synced + lagging, keys.size()), PROBE_THREADS, BLOCK);
			long killedAt = System.nanoTime();
			probes.markFrom(killedAt);
			this.cluster.kill(victim);
			// What the replica has now is what it will serve once promoted: nothing
			// reaches
			// it any more, and nobody writes to those slots until then.
			String onReplica = this.cluster.reply(replica, "KEYS mutex:*");
			// The others try the lagging keys at once: they may get a lost key before its
			// holder hears of the loss.
			Map<String, Future<long[]>> grabs = new HashMap<>();
			for (String key : heldKeys.subList(synced, heldKeys.size())) {
				grabs.put(key, grabbers.submit(() -> grab(others, key)));
			}
			int promoted = this.cluster.awaitFailover(victim, Duration.ofSeconds(30));
			long promotedAt = System.nanoTime();
			lag.restore();
			this.report.measure(this.scenario, "failover", String.format(
					"master %d killed (SIGKILL) holding %d keys; replica %d promoted %d ms later, cluster ok on every node",
					victim, holds.size(), promoted, millis(killedAt, promotedAt)));
			List<String> kept = List.of(onReplica.split("\n"));
			for (Hold hold : holds) {
				hold.survived = kept.contains("mutex:{" + hold.key + "}");
			}
			reportSurvivors(holds, inSync, link);
			List<Hold> lost = holds.stream().filter((hold) -> !hold.survived).toList();
			Map<String, Long> grantedAt = new HashMap<>();
			Map<String, Long> after = new HashMap<>();
			for (Map.Entry<String, Future<long[]>> grab : grabs.entrySet()) {
				long[] granted = grab.getValue().get(GRAB_TIMEOUT.plusSeconds(10).toSeconds(), TimeUnit.SECONDS);
				if (granted.length == 2) {
					grantedAt.put(grab.getKey(), granted[0]);
					after.put(grab.getKey(), granted[1]);
				}
			}
			Poll.until(EXPIRE.plusSeconds(5), () -> lost.stream().allMatch((hold) -> hold.toldAt.get() != 0));
			reportLossNotice(lost, promotedAt, grantedAt);
			reportKept(holds, others, after);
			reportTokens(holds, before, after);
			long firstSuccess = probes.firstSuccessNanos();
			this.report.check(this.scenario, "locking works again on the killed master's slots", firstSuccess != 0,
					(firstSuccess != 0)
							? String.format(
									"first acquisition %d ms after the kill (the cluster was ok on every node "
											+ "after %d ms)",
									millis(killedAt, firstSuccess), millis(killedAt, promotedAt))
							: "never");
			boolean ended = probes.stop(CALL_BOUND.plusSeconds(1));
			this.report.check(this.scenario,
					"no call stuck: every lock call ends within block + command time-out + 1 s",
					ended && probes.longest().compareTo(CALL_BOUND) <= 0,
					String.format("longest %d ms (bound %d ms); %s", probes.longest().toMillis(), CALL_BOUND.toMillis(),
							probes.summary()));
		}
		finally {
			if (probes != null) {
				probes.close();
			}
			grabbers.shutdownNow();
			closeQuietly(otherApp);
			closeQuietly(holderApp);
		}
	}

	private void reportSurvivors(List<Hold> holds, boolean inSync, String link) {
		long synced = holds.stream().filter((hold) -> !hold.lagging).count();
		long lagging = holds.size() - synced;
		this.report.measure(this.scenario, "held keys taken while the replica was in sync, kept by the failover",
				String.format("%d of %d%s", holds.stream().filter((hold) -> !hold.lagging && hold.survived).count(),
						synced, inSync ? "" : " (the replica's offset was not seen to catch up)"));
		this.report.measure(this.scenario,
				"held keys taken while the replica lagged (link " + link + "), kept by the failover",
				String.format("%d of %d (asynchronous replication: the rest were lost with the master)",
						holds.stream().filter((hold) -> hold.lagging && hold.survived).count(), lagging));
	}

	private void reportLossNotice(List<Hold> lost, long promotedAt, Map<String, Long> grantedAt) {
		long told = lost.stream().filter((hold) -> hold.toldAt.get() != 0 && hold.lock.isLost()).count();
		long released = lost.stream().filter((hold) -> !hold.lock.release()).count();
		String after = lost.stream()
			.filter((hold) -> hold.toldAt.get() != 0)
			.map((hold) -> Long.toString(millis(promotedAt, hold.toldAt.get())))
			.toList()
			.toString();
		long overlap = lost.stream()
			.filter((hold) -> hold.toldAt.get() != 0 && grantedAt.containsKey(hold.key))
			.mapToLong((hold) -> millis(grantedAt.get(hold.key), hold.toldAt.get()))
			.max()
			.orElse(0);
		this.report.check(this.scenario, "holders of lost keys are told (onLost, isLost, release() false)",
				!lost.isEmpty() && told == lost.size() && released == lost.size(),
				String.format("%d of %d told, %s ms after the promotion; %s", told, lost.size(), after,
						(overlap > 0)
								? "the others got a lost key up to " + overlap + " ms before its holder was told "
										+ "(both held it meanwhile; the fencing token tells them apart)"
								: "each holder was told before the others got its key"));
	}

	private void reportKept(List<Hold> holds, MutexTemplate others, Map<String, Long> after) {
		List<Hold> kept = holds.stream().filter((hold) -> hold.survived).toList();
		long stillHeld = kept.stream().filter((hold) -> hold.lock.isHeld() && !hold.lock.isLost()).count();
		long released = kept.stream().filter((hold) -> hold.lock.release()).count();
		for (Hold hold : kept) {
			try (MutexLock lock = others.lock(MutexRequest.of(hold.key).block(BLOCK))) {
				after.put(hold.key, lock.fencingToken());
			}
		}
		this.report.check(this.scenario, "holders of surviving keys keep them (isHeld, release() true)",
				stillHeld == kept.size() && released == kept.size(),
				String.format("%d of %d still held, %d released", stillHeld, kept.size(), released));
	}

	private void reportTokens(List<Hold> holds, Map<String, Long> before, Map<String, Long> after) {
		int greater = 0;
		long smallestMargin = Long.MAX_VALUE;
		for (Hold hold : holds) {
			long earlier = Math.max(before.get(hold.key), hold.token);
			Long later = after.get(hold.key);
			if (later != null && later > earlier) {
				greater++;
				smallestMargin = Math.min(smallestMargin, later - earlier);
			}
		}
		this.report.check(this.scenario, "fencing tokens after the failover are above every earlier one, per key",
				greater == holds.size(),
				String.format("%d of %d keys; smallest step %d (tokens are at least the server clock in µs)", greater,
						holds.size(), smallestMargin));
	}

	// Lettuce's warnings about the dead node, expected here, are left out of the output.
	private ConfigurableApplicationContext start() {
		return ClusterScenario.start(this.cluster, "--mutex.expire=" + EXPIRE.toMillis() + "ms",
				"--logging.level.io.lettuce.core.cluster.topology=error",
				"--logging.level.io.lettuce.core.protocol.ConnectionWatchdog=error",
				"--logging.level.io.netty.util.concurrent=off");
	}

	private Hold hold(MutexTemplate holders, String key, boolean lagging) {
		MutexLock lock = holders.lock(MutexRequest.of(key).block(BLOCK));
		Hold hold = new Hold(key, lock, lock.fencingToken(), lagging);
		lock.onLost(() -> hold.toldAt.compareAndSet(0, System.nanoTime()));
		return hold;
	}

	// Lock a key, trying again after Redis errors and time-outs (the cluster settling)
	// until a deadline, and release it. Answers when it got it and its token, or
	// nothing (a key that survived stays with its holder).
	private static long[] grab(MutexTemplate mutex, String key) {
		long deadline = System.nanoTime() + GRAB_TIMEOUT.toNanos();
		while (System.nanoTime() - deadline < 0) {
			try {
				Optional<MutexLock> lock = mutex.tryLock(MutexRequest.of(key).block(BLOCK));
				if (lock.isPresent()) {
					long[] granted = { System.nanoTime(), lock.get().fencingToken() };
					lock.get().release();
					return granted;
				}
			}
			catch (RuntimeException ex) {
				// The cluster is settling: try again, paced.
				LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
			}
		}
		return new long[0];
	}

	private List<String> keysOn(int port, int count) {
		List<String> keys = new ArrayList<>();
		for (int n = 0; keys.size() < count && n < 10_000; n++) {
			if (this.cluster.portOf("mutex:{failover-" + n + "}") == port) {
				keys.add("failover-" + n);
			}
		}
		return keys;
	}

	private static long millis(long fromNanos, long toNanos) {
		return Duration.ofNanos(toNanos - fromNanos).toMillis();
	}

	private static void closeQuietly(@Nullable ConfigurableApplicationContext context) {
		if (context != null) {
			try {
				context.close();
			}
			catch (RuntimeException ex) {
				System.err.println("Closing an application failed: " + ex);
			}
		}
	}

	private static final class Hold {

		final String key;

		final MutexLock lock;

		final long token;

		final boolean lagging;

		final AtomicLong toldAt = new AtomicLong();

		volatile boolean survived;

		Hold(String key, MutexLock lock, long token, boolean lagging) {
			this.key = key;
			this.lock = lock;
			this.token = token;
			this.lagging = lagging;
		}

	}

}
