package dev.automutex.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.automutex.reliability.ExclusionScenario.Counted;
import dev.automutex.test.RedisClusterServer;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Scenario 5, Redis Cluster: three masters, each with a replica, on loopback ports. First
 * scenario 1 on the cluster (3 worker JVMs × 8 threads on one counter, file counter);
 * then a master is killed with {@code SIGKILL} while an application holds keys on it, and
 * its replica takes over ({@link ClusterFailover}).
 */
final class ClusterScenario implements Scenario {

	/**
	 * How nodes give up on an unreachable master (what {@link RedisClusterServer} sets).
	 */
	static final String NODE_TIMEOUT = "1.5 s";

	/**
	 * Redis command time-out of the counting workers. Nothing fails while they count; a
	 * cluster client's start greets every node within this time-out, which three JVMs
	 * starting at once on a busy machine overran at
	 * {@value RedisApplications#COMMAND_TIMEOUT}.
	 */
	static final String COUNT_TIMEOUT = "10s";

	@Override
	public int number() {
		return 5;
	}

	@Override
	public String title() {
		return "Redis Cluster";
	}

	@Override
	public void run(SuiteOptions options, Report report) throws Exception {
		long start = System.nanoTime();
		try (RedisClusterServer cluster = RedisClusterServer.start(1)) {
			report.measure(this, "cluster",
					String.format("masters %s, replicas %s, node timeout %s, started in %d ms", cluster.ports(),
							cluster.replicaPorts(), NODE_TIMEOUT,
							Duration.ofNanos(System.nanoTime() - start).toMillis()));
			exclusion(cluster, options.pick(300, 2000), report);
			new ClusterFailover(this, cluster, report).run(options);
		}
	}

	private void exclusion(RedisClusterServer cluster, int increments, Report report) throws Exception {
		Counted counted = ExclusionScenario.count("cluster-count", arguments(cluster, COUNT_TIMEOUT), "file", true,
				increments, () -> {
					throw new IllegalStateException("The cluster run counts in a file");
				});
		report.check(this,
				"scenario 1 on the cluster, " + ExclusionScenario.PROCESSES + " JVMs x " + ExclusionScenario.THREADS
						+ " threads: count exact, no overlap",
				counted.value() == increments && counted.overlaps() == 0 && counted.errors() == 0,
				String.format("%d of %d, %d overlaps, %d errors, %d ms (%.0f increments/s); key on master %d",
						counted.value(), increments, counted.overlaps(), counted.errors(), counted.millis(),
						increments * 1000.0 / Math.max(1, counted.millis()),
						cluster.portOf("mutex:{reliability-counter}")));
	}

	/**
	 * Arguments for an application that locks on the cluster: every node as a seed, and
	 * Lettuce's topology refresh on (adaptive, and every second), without which a client
	 * keeps sending a dead master's slots to it.
	 * @param cluster the cluster
	 * @param timeout the Redis command time-out
	 * @param more further arguments
	 * @return the arguments
	 */
	static List<String> arguments(RedisClusterServer cluster, String timeout, String... more) {
		List<String> arguments = new ArrayList<>(List.of("--mutex.store=redis",
				"--spring.data.redis.cluster.nodes=" + String.join(",", cluster.nodes()),
				"--spring.data.redis.timeout=" + timeout, "--spring.data.redis.lettuce.cluster.refresh.adaptive=true",
				"--spring.data.redis.lettuce.cluster.refresh.period=1s"));
		arguments.addAll(Arrays.asList(more));
		return arguments;
	}

	/**
	 * Start the worker application in this JVM, without a job, on the cluster.
	 * @param cluster the cluster
	 * @param more further arguments
	 * @return the running application; close it
	 */
	static ConfigurableApplicationContext start(RedisClusterServer cluster, String... more) {
		return RedisApplications.start(arguments(cluster, RedisApplications.COMMAND_TIMEOUT, more));
	}

}
