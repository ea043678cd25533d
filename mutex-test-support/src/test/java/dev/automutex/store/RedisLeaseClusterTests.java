package dev.automutex.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.automutex.MutexHolder;
import dev.automutex.MutexLock;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisClusterExtension;
import dev.automutex.test.RedisClusterServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

/**
 * AutoMutex's own Redis engine ({@link RedisLeaseMutexStore}) on a real three-master
 * Redis Cluster started for this class, through {@link MutexTemplate}: keys spread over
 * the masters, two instances that exclude each other, fencing tokens, inspection, and
 * wake-ups that cross the cluster.
 */
@Timeout(120)
class RedisLeaseClusterTests {

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	private final List<Instance> instances = new ArrayList<>();

	private final ExecutorService executor = Executors.newFixedThreadPool(8);

	private Instance a;

	private Instance b;

	@BeforeEach
	void startTwoInstances() {
		redis.cluster().flushAll();
		this.a = startInstance();
		this.b = startInstance();
	}

	@AfterEach
	void stopInstances() throws Exception {
		this.executor.shutdownNow();
		for (Instance instance : this.instances) {
			instance.close();
		}
	}

	@Test
	void lockedKeyIsInRedisOnItsMasterWhileHeldAndGoneAfterRelease() {
		RedisClusterServer cluster = redis.cluster();
		String redisKey = this.a.store().redisKey("order");
		int port = cluster.portOf(redisKey);
		MutexLock lock = this.a.mutex().lock("order");
		assertThat(redisKey).isEqualTo("mutex:{order}");
		assertThat(cluster.command(port, "EXISTS " + redisKey)).as("%s on its master", redisKey).isEqualTo(":1");
		assertThat(this.a.mutex().isLocked("order")).as("isLocked on the holder's instance").isTrue();
		assertThat(this.b.mutex().isLocked("order")).as("isLocked on the other instance").isTrue();
		assertThat(lock.release()).as("release()").isTrue();
		assertThat(cluster.command(port, "EXISTS " + redisKey)).as("%s on its master", redisKey).isEqualTo(":0");
		assertThat(this.a.mutex().isLocked("order")).as("isLocked on the holder's instance").isFalse();
		assertThat(this.b.mutex().isLocked("order")).as("isLocked on the other instance").isFalse();
	}

	@Test
	void lockAllOverKeysOnDifferentMastersHoldsThemAllAndReleasesThemAll() {
		RedisClusterServer cluster = redis.cluster();
		Map<String, Integer> masterOfKey = keysOnEveryMaster(cluster);
		List<String> keys = List.copyOf(masterOfKey.keySet());
		assertThat(masterOfKey.values()).as("masters serving %s", keys).doesNotHaveDuplicates().hasSizeGreaterThan(1);
		assertThat(keys.stream().map((key) -> cluster.slotOf(this.a.store().redisKey(key))))
			.as("hash slots of %s", keys)
			.doesNotHaveDuplicates();
		MutexLock lock = this.a.mutex().lockAll(keys);
		for (String key : keys) {
			String redisKey = this.a.store().redisKey(key);
			assertThat(cluster.command(masterOfKey.get(key), "EXISTS " + redisKey))
				.as("%s on master %s", redisKey, masterOfKey.get(key))
				.isEqualTo(":1");
			assertThat(this.b.mutex().isLocked(key)).as("isLocked(%s) on the other instance", key).isTrue();
			assertThat(this.b.mutex().tryLock(key)).as("tryLock(%s) on the other instance", key).isEmpty();
			assertThat(lock.fencingToken(key)).as("fencing token of %s", key).isPositive();
		}
		assertThat(lock.isHeld()).as("isHeld()").isTrue();
		assertThat(lock.release()).as("release()").isTrue();
		for (String key : keys) {
			String redisKey = this.a.store().redisKey(key);
			assertThat(cluster.command(masterOfKey.get(key), "EXISTS " + redisKey))
				.as("%s on master %s", redisKey, masterOfKey.get(key))
				.isEqualTo(":0");
			assertThat(this.b.mutex().isLocked(key)).as("isLocked(%s) on the other instance", key).isFalse();
		}
		try (MutexLock other = this.b.mutex().lockAll(keys, Duration.ZERO)) {
			assertThat(other.isHeld()).as("the other instance's lockAll after the release").isTrue();
		}
	}

	@Test
	void fencingTokensOfOneKeyStrictlyIncreaseOverAcquisitionsByBothInstances() {
		List<Long> tokens = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			MutexTemplate mutex = (i % 2 == 0) ? this.a.mutex() : this.b.mutex();
			try (MutexLock lock = mutex.lock("invoice")) {
				tokens.add(lock.fencingToken());
			}
		}
		assertThat(tokens).as("fencing tokens, alternately from each instance").isSorted().doesNotHaveDuplicates();
	}

	@Test
	void isLockedAndHolderAnswerForAKeyHeldByTheOtherInstance() {
		MutexLock lock = this.a.mutex().lock("report");
		assertThat(this.b.mutex().isLocked("report")).as("isLocked").isTrue();
		Optional<MutexHolder> holder = this.b.mutex().holder("report");
		assertThat(holder).as("holder").hasValueSatisfying((held) -> {
			assertThat(held.key()).isEqualTo("report");
			assertThat(held.thisInstance()).as("thisInstance").isFalse();
			assertThat(held.thread()).as("thread").isNull();
			assertThat(held.leaseLeft()).as("leaseLeft").isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));
		});
		assertThat(this.a.mutex().holder("report")).as("holder on the holder's instance").hasValueSatisfying((held) -> {
			assertThat(held.thisInstance()).as("thisInstance").isTrue();
			assertThat(held.thread()).as("thread").isEqualTo(Thread.currentThread().getName());
		});
		assertThat(lock.release()).as("release()").isTrue();
		assertThat(this.b.mutex().isLocked("report")).as("isLocked after release").isFalse();
		assertThat(this.b.mutex().holder("report")).as("holder after release").isEmpty();
	}

	@Test
	void sweepRunsWithoutErrorAndLeavesAHeldKeyHeld() {
		RedisClusterServer cluster = redis.cluster();
		String redisKey = this.a.store().redisKey("nightly");
		MutexLock lock = this.a.mutex().lock("nightly");
		assertThatCode(() -> {
			this.a.mutex().sweep();
			this.b.mutex().sweep();
		}).as("sweep() on both instances").doesNotThrowAnyException();
		assertThat(lock.isHeld()).as("isHeld() after sweep").isTrue();
		assertThat(this.b.mutex().isLocked("nightly")).as("isLocked on the other instance after sweep").isTrue();
		assertThat(cluster.command(cluster.portOf(redisKey), "EXISTS " + redisKey)).as("%s after sweep", redisKey)
			.isEqualTo(":1");
		assertThat(lock.release()).as("release()").isTrue();
	}

	@Test
	void eightThreadsOnTwoInstancesIncrementAPlainCounterExactlyWithoutOverlap() throws Exception {
		int[] counter = new int[1];
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger mostInside = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> workers = new ArrayList<>();
		for (Instance instance : List.of(this.a, this.b)) {
			for (int thread = 0; thread < 4; thread++) {
				workers.add(this.executor.submit(() -> {
					start.await();
					for (int i = 0; i < 25; i++) {
						instance.mutex().withLock("counter", Duration.ofSeconds(30), () -> {
							mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
							int read = counter[0];
							// Widen the gap in which an overlapping holder would lose an
							// update.
							Thread.yield();
							counter[0] = read + 1;
							inside.decrementAndGet();
						});
					}
					return null;
				}));
			}
		}
		start.countDown();
		for (Future<?> worker : workers) {
			worker.get(60, TimeUnit.SECONDS);
		}
		assertThat(mostInside.get()).as("threads inside the critical section at once, at most").isEqualTo(1);
		assertThat(counter[0]).as("counter after 200 increments").isEqualTo(200);
	}

	@Test
	void waiterOnTheOtherInstanceGetsTheKeySoonAfterTheHolderReleasesIt() throws Exception {
		RedisClusterServer cluster = redis.cluster();
		String redisKey = this.a.store().redisKey("handover");
		int port = cluster.portOf(redisKey);
		// Held for 30s and renewed: only a wake-up, not expiry, can free it in time.
		MutexLock held = this.a.mutex().lock("handover", Duration.ZERO, Duration.ofSeconds(30));
		long[] acquiredAt = new long[1];
		Future<Boolean> waiter = this.executor.submit(() -> {
			Optional<MutexLock> lock = this.b.mutex()
				.tryLock(MutexRequest.of("handover").block(Duration.ofSeconds(10)));
			acquiredAt[0] = System.nanoTime();
			lock.ifPresent(MutexLock::release);
			return lock.isPresent();
		});
		await().atMost(Duration.ofSeconds(5))
			.alias("the other instance queued for the key in Redis")
			.until(() -> cluster.command(port, "ZCARD " + redisKey + ":q"), ":1"::equals);
		// Waiting for the wake-up, not polling: no lock script reaches the key's master
		// while the key stays held.
		long scriptsRun = scriptCalls(cluster, port);
		await().during(Duration.ofMillis(500))
			.atMost(Duration.ofSeconds(2))
			.alias("no lock script while the other instance waits")
			.until(() -> scriptCalls(cluster, port), (calls) -> calls == scriptsRun);
		long releasedAt = System.nanoTime();
		assertThat(held.release()).as("release()").isTrue();
		assertThat(waiter.get(15, TimeUnit.SECONDS)).as("the waiter got the key").isTrue();
		assertThat(Duration.ofNanos(acquiredAt[0] - releasedAt)).as("wait after the release")
			.isLessThan(Duration.ofSeconds(5));
	}

	/**
	 * Scripts a node has run ({@code EVAL} and {@code EVALSHA} calls, from
	 * {@code INFO commandstats}).
	 */
	private static long scriptCalls(RedisClusterServer cluster, int port) {
		long calls = 0;
		for (String line : cluster.reply(port, "INFO commandstats").split("\r?\n")) {
			if (line.startsWith("cmdstat_eval:") || line.startsWith("cmdstat_evalsha:")) {
				String count = line.substring(line.indexOf("calls=") + "calls=".length());
				calls += Long.parseLong(count.substring(0, count.indexOf(',')));
			}
		}
		return calls;
	}

	/**
	 * One key for each master, named {@code account-<n>}, with the master that serves it.
	 */
	@Test
	void heldKeysAreListedFromEveryMasterAndAKeyOnAnyMasterCanBeForced() throws Exception {
		Map<String, Integer> masterOfKey = keysOnEveryMaster(redis.cluster());
		assertThat(masterOfKey).hasSize(redis.cluster().ports().size());
		List<String> keys = new ArrayList<>(masterOfKey.keySet());
		try (MutexLock all = this.a.mutex().lockAll(keys)) {
			assertThat(this.b.mutex().holders(100)).extracting(MutexHolder::key)
				.containsExactlyInAnyOrderElementsOf(keys);
			assertThat(this.b.mutex().holders(100)).noneMatch(MutexHolder::thisInstance);
			assertThat(this.a.mutex().holders(100)).allMatch(MutexHolder::thisInstance);
			assertThat(this.b.mutex().holders(2)).hasSize(2);
			for (String key : keys) {
				assertThat(this.b.mutex().forceRelease(key)).as("forced %s", key).isTrue();
				assertThat(this.b.mutex().tryLock(key)).as("taken %s", key).isPresent();
			}
			assertThat(all.isHeld()).isFalse();
			assertThat(all.isLost()).isTrue();
		}
		finally {
			this.b.mutex().releaseAll();
		}
	}

	private Map<String, Integer> keysOnEveryMaster(RedisClusterServer cluster) {
		Map<Integer, String> keyOfMaster = new LinkedHashMap<>();
		for (int n = 0; n < 1000 && keyOfMaster.size() < cluster.ports().size(); n++) {
			String key = "account-" + n;
			keyOfMaster.putIfAbsent(cluster.portOf(this.a.store().redisKey(key)), key);
		}
		Map<String, Integer> masterOfKey = new LinkedHashMap<>();
		keyOfMaster.forEach((port, key) -> masterOfKey.put(key, port));
		return masterOfKey;
	}

	private Instance startInstance() {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisClusterConfiguration(redis.cluster().nodes()),
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(2)).build());
		factory.afterPropertiesSet();
		factory.start();
		RedisLeaseMutexStore store = new RedisLeaseMutexStore(factory, "mutex", Duration.ofSeconds(10));
		Instance instance = new Instance(factory, store, new MutexTemplate(store));
		this.instances.add(instance);
		return instance;
	}

	/**
	 * One application instance: its own connections, store and template.
	 */
	private record Instance(LettuceConnectionFactory factory, RedisLeaseMutexStore store,
			MutexTemplate mutex) implements AutoCloseable {

		@Override
		public void close() throws Exception {
			try {
				this.mutex.destroy();
				this.store.destroy();
			}
			finally {
				this.factory.destroy();
			}
		}

	}

}
