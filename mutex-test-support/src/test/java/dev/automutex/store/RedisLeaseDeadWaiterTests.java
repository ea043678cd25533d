package dev.automutex.store;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.automutex.MutexLock;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisClusterExtension;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance that was first in a key's wait queue dies; when the holder releases the
 * key, the next waiting instance must still get it soon. On standalone Redis the release
 * script sees that nobody received the wake-up ({@code PUBLISH} answered 0) and wakes the
 * next instance. On a cluster it cannot trust {@code PUBLISH}'s count (a node counts only
 * its own subscribers), so the wake-up may go to the dead instance: there the next waiter
 * must not sleep until the key's old time-to-live, but ask again within a second.
 */
@Timeout(120)
class RedisLeaseDeadWaiterTests {

	@RegisterExtension
	static final RedisClusterExtension cluster = new RedisClusterExtension();

	@RegisterExtension
	static final RedisServerExtension standalone = new RedisServerExtension();

	private final List<AutoCloseable> resources = new ArrayList<>();

	private final ExecutorService executor = Executors.newSingleThreadExecutor();

	@AfterEach
	void close() throws Exception {
		this.executor.shutdownNow();
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
	}

	@Test
	void nextWaiterIsWokenWhenTheFirstQueuedInstanceDiedOnStandalone() throws Exception {
		standalone.server().flushAll();
		nextWaiterIsWokenWhenTheFirstQueuedInstanceDied(
				() -> RedisMutexStoreContractTests.connectionFactory(standalone.server()),
				List.of("standalone", String.valueOf(standalone.server().port())),
				(redisKey) -> standalone.server().command("ZCARD " + redisKey + ":q"),
				() -> arrayLength(standalone.server().command("PUBSUB CHANNELS mutex:wake:*")));
	}

	@Test
	void nextWaiterIsWokenWhenTheFirstQueuedInstanceDiedOnCluster() throws Exception {
		cluster.cluster().flushAll();
		nextWaiterIsWokenWhenTheFirstQueuedInstanceDied(RedisLeaseDeadWaiterTests::clusterConnection,
				List.of("cluster", String.join(",", cluster.cluster().nodes())),
				(redisKey) -> cluster.cluster().command(cluster.cluster().portOf(redisKey), "ZCARD " + redisKey + ":q"),
				() -> cluster.cluster()
					.ports()
					.stream()
					.mapToInt((port) -> arrayLength(cluster.cluster().command(port, "PUBSUB CHANNELS mutex:wake:*")))
					.sum());
	}

	private void nextWaiterIsWokenWhenTheFirstQueuedInstanceDied(Supplier<LettuceConnectionFactory> connections,
			List<String> childArgs, Function<String, String> queueSize, Supplier<Integer> wakeChannels)
			throws Exception {
		RedisLeaseMutexStore storeA = store(connections.get());
		RedisLeaseMutexStore storeB = store(connections.get());
		MutexTemplate a = new MutexTemplate(storeA);
		MutexTemplate b = new MutexTemplate(storeB);
		String redisKey = storeA.redisKey("job");
		MutexLock held = a.lock("job", Duration.ZERO, Duration.ofSeconds(30));

		int channelsBefore = wakeChannels.get();
		Process child = startWaiter(childArgs);
		await().atMost(Duration.ofSeconds(30))
			.alias("the child instance queued for the key")
			.until(() -> queueSize.apply(redisKey), ":1"::equals);
		child.destroyForcibly();
		assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(10))
			.alias("the dead child's wake-up subscription is gone")
			.until(wakeChannels::get, (channels) -> channels == channelsBefore);

		long[] acquiredAt = new long[1];
		Future<Boolean> waiter = this.executor.submit(() -> {
			Optional<MutexLock> lock = b.tryLock(MutexRequest.of("job").block(Duration.ofSeconds(10)));
			acquiredAt[0] = System.nanoTime();
			lock.ifPresent(MutexLock::release);
			return lock.isPresent();
		});
		await().atMost(Duration.ofSeconds(5))
			.alias("instance B queued behind the dead one")
			.until(() -> queueSize.apply(redisKey), ":2"::equals);
		long releasedAt = System.nanoTime();
		assertThat(held.release()).isTrue();
		assertThat(waiter.get(20, TimeUnit.SECONDS)).as("B got the key, free since the release").isTrue();
		assertThat(Duration.ofNanos(acquiredAt[0] - releasedAt)).as("B's wait after the release")
			.isLessThan(Duration.ofSeconds(5));
		a.destroy();
		b.destroy();
	}

	/** The length of an array reply from its first line ({@code *2} gives 2). */
	private static int arrayLength(String firstLine) {
		assertThat(firstLine).startsWith("*");
		return Integer.parseInt(firstLine.substring(1));
	}

	private static LettuceConnectionFactory clusterConnection() {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisClusterConfiguration(cluster.cluster().nodes()),
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(2)).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	private RedisLeaseMutexStore store(LettuceConnectionFactory connection) {
		RedisLeaseMutexStore store = new RedisLeaseMutexStore(connection, "mutex", Duration.ofSeconds(30));
		this.resources.add(connection::destroy);
		this.resources.add(0, store::destroy);
		return store;
	}

	private static Process startWaiter(List<String> args) throws Exception {
		String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
		List<String> command = new ArrayList<>(
				List.of(java, "-cp", System.getProperty("java.class.path"), WaitForKeyProcess.class.getName()));
		command.addAll(args);
		command.add("job");
		return new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
	}

}
