package dev.automutex.store;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;

import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.support.locks.DistributedLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * {@link RedisLeaseLockRegistry} on a real redis-server: ownership by lease token, the
 * Spring Integration lock view, local hand-offs, and what stays in Redis and in memory.
 * Two registries with their own connections are two application instances.
 */
class RedisLeaseLockRegistryTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static final Duration LONG = Duration.ofSeconds(60);

	private final List<LettuceConnectionFactory> connections = new ArrayList<>();

	private final List<RedisLeaseLockRegistry> registries = new ArrayList<>();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private RedisLeaseLockRegistry a;

	private RedisLeaseLockRegistry b;

	@BeforeEach
	void createInstances() {
		redis.server().flushAll();
		this.a = instance();
		this.b = instance();
	}

	@AfterEach
	void destroyInstances() throws Exception {
		this.executor.shutdownNow();
		for (RedisLeaseLockRegistry registry : this.registries) {
			registry.destroy();
		}
		for (LettuceConnectionFactory connection : this.connections) {
			connection.destroy();
		}
	}

	private RedisLeaseLockRegistry instance() {
		LettuceConnectionFactory connection = RedisMutexStoreContractTests.connectionFactory(redis.server());
		this.connections.add(connection);
		RedisLeaseLockRegistry registry = new RedisLeaseLockRegistry(connection, "mutex", Duration.ofSeconds(30));
		this.registries.add(registry);
		return registry;
	}

	@Test
	void keyIsHeldUnderItsHashTaggedNameWithItsTimeToLiveAndFreedOnRelease() throws Exception {
		RedisLease lease = this.a.acquire("cart:1", Duration.ZERO, Duration.ofSeconds(20));
		assertThat(lease).isNotNull();
		assertThat(this.a.redisKey("cart:1")).isEqualTo("mutex:{cart:1}");
		assertThat(redis.server().command("EXISTS mutex:{cart:1}")).isEqualTo(":1");
		assertThat(pttl("mutex:{cart:1}")).isBetween(15_000L, 20_000L);
		assertThat(this.b.isLocked("cart:1")).isTrue();
		assertThat(this.b.leaseLeft("cart:1")).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(20));
		assertThat(lease.release()).isTrue();
		assertThat(redis.server().command("EXISTS mutex:{cart:1}")).isEqualTo(":0");
		assertThat(this.b.isLocked("cart:1")).isFalse();
		assertThat(this.b.leaseLeft("cart:1")).isNull();
		assertThat(lease.release()).as("a second release").isFalse();
	}

	/**
	 * Issue 9, bad-input battery: the registry used directly sent a huge time-to-live
	 * straight to Redis, which refused {@code Duration.ofMillis(Long.MAX_VALUE)} ("Error
	 * in execution"), and {@code ChronoUnit.FOREVER} overflowed {@code toMillis()}
	 * (ArithmeticException). Both hold the key for about 146 years now, as through
	 * {@code MutexTemplate}.
	 */
	@Test
	void hugeTimeToLiveHoldsTheKeyForAbout146Years() throws Exception {
		long years100 = Duration.ofDays(36_500).toMillis();
		for (Duration huge : List.of(Duration.ofMillis(Long.MAX_VALUE), ChronoUnit.FOREVER.getDuration())) {
			RedisLease lease = this.a.acquire("k", Duration.ZERO, huge);
			assertThat(lease).as("acquired for %s", huge).isNotNull();
			assertThat(pttl("mutex:{k}")).as("time-to-live for %s", huge).isGreaterThan(years100);
			assertThat(lease.renew(huge)).isTrue();
			assertThat(pttl("mutex:{k}")).isGreaterThan(years100);
			assertThat(this.b.isLocked("k")).isTrue();
			assertThat(lease.release()).isTrue();
		}
		// A registry whose default expire is forever was refused with an
		// ArithmeticException.
		LettuceConnectionFactory connection = RedisMutexStoreContractTests.connectionFactory(redis.server());
		this.connections.add(connection);
		this.registries.add(new RedisLeaseLockRegistry(connection, "huge", ChronoUnit.FOREVER.getDuration()));
	}

	@Test
	void staleLeaseCanNeitherReleaseNorRenewTheNextHold() throws Exception {
		RedisLease stale = this.a.acquire("k", Duration.ZERO, Duration.ofMillis(200));
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.a.isLocked("k"));
		RedisLease next = this.b.acquire("k", Duration.ZERO, LONG);
		assertThat(next).isNotNull();
		assertThat(stale.isHeld()).isFalse();
		assertThat(stale.renew(Duration.ofMillis(1))).isFalse();
		assertThat(stale.release()).isFalse();
		assertThat(next.isHeld()).isTrue();
		assertThat(pttl(this.a.redisKey("k"))).as("the next hold's time-to-live").isGreaterThan(50_000L);
		assertThat(next.fencingToken()).isGreaterThan(stale.fencingToken());
	}

	@Test
	void staleLeaseOfTheSameInstanceCannotTouchTheNextHoldEither() throws Exception {
		// Ownership is per hold, not per instance: the same registry's stale lease is a
		// stranger to its next lease.
		RedisLease stale = this.a.acquire("k", Duration.ZERO, Duration.ofMillis(200));
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.a.isLocked("k"));
		RedisLease next = this.a.acquire("k", Duration.ZERO, LONG);
		assertThat(stale.release()).isFalse();
		assertThat(next.isHeld()).isTrue();
		assertThat(next.release()).isTrue();
	}

	@Test
	void renewSetsTheTimeToLiveOfItsOwnHoldOnly() throws Exception {
		RedisLease lease = this.a.acquire("k", Duration.ZERO, Duration.ofSeconds(5));
		assertThat(lease.renew(LONG)).isTrue();
		assertThat(pttl(this.a.redisKey("k"))).isGreaterThan(50_000L);
		assertThat(lease.release()).isTrue();
		assertThat(lease.renew(LONG)).isFalse();
	}

	@Test
	void leaseMayBeReleasedByAnotherThread() throws Exception {
		RedisLease lease = this.a.acquire("k", Duration.ZERO, LONG);
		assertThat(this.executor.submit(lease::release).get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.b.isLocked("k")).isFalse();
	}

	@Test
	void waitEndsWithinItsTimeWhenTheKeyStaysHeld() throws Exception {
		this.b.acquire("k", Duration.ZERO, LONG);
		long start = System.nanoTime();
		assertThat(this.a.acquire("k", Duration.ofMillis(300), LONG)).isNull();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("wait of 300 ms")
			.isBetween(Duration.ofMillis(300), Duration.ofMillis(1_300));
		assertThat(this.a.keysInUse()).as("records left in instance A").isZero();
	}

	@Test
	void interruptedWaiterThrowsAndLeavesNothingBehind() throws Exception {
		RedisLease held = this.b.acquire("k", Duration.ZERO, LONG);
		CountDownLatch waiting = new CountDownLatch(1);
		Future<RedisLease> waiter = this.executor.submit(() -> {
			waiting.countDown();
			return this.a.acquire("k", LONG, LONG);
		});
		waiting.await();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.a.keysInUse() == 1);
		waiter.cancel(true);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.a.keysInUse() == 0);
		assertThat(redis.server().command("ZCARD mutex:{k}:q")).as("instances queued for k").isEqualTo(":0");
		assertThat(held.release()).isTrue();
	}

	@Test
	void handOffToAThreadOfTheSameInstanceKeepsTheKeyInRedisWithANewTokenAndLease() throws Exception {
		long scriptsBefore = RedisCommandStats.scripts(redis.server());
		RedisLease first = this.a.acquire("k", Duration.ZERO, LONG);
		AtomicReference<Thread> waiterThread = new AtomicReference<>();
		Future<RedisLease> second = this.executor.submit(() -> {
			waiterThread.set(Thread.currentThread());
			return this.a.acquire("k", LONG, Duration.ofSeconds(40));
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> isParked(waiterThread.get()));
		assertThat(first.release()).isTrue();
		RedisLease handed = second.get(10, TimeUnit.SECONDS);
		assertThat(handed.fencingToken()).isGreaterThan(first.fencingToken());
		assertThat(RedisCommandStats.scripts(redis.server()) - scriptsBefore)
			.as("scripts: the first acquisition and the hand-off; the waiter asked nothing while the key was held "
					+ "in its own instance")
			.isEqualTo(2);
		assertThat(pttl(this.a.redisKey("k"))).as("the new lease's own time-to-live").isBetween(35_000L, 40_000L);
		assertThat(first.isHeld()).isFalse();
		assertThat(handed.isHeld()).isTrue();
		assertThat(handed.release()).isTrue();
		assertThat(this.b.isLocked("k")).isFalse();
	}

	@Test
	void handOffToTheLastLocalWaiterTakesTheInstanceOutOfTheKeysQueue() {
		RedisLockScripts scripts = new RedisLockScripts(RedisScriptRunner.of(this.connections.get(0)), "test",
				"mutex:wake:", false);
		String lockKey = "mutex:{k}";
		assertThat(scripts.acquire(lockKey, "me:1", 60_000, 0, "me", false, 0).taken()).isTrue();
		redis.server().command("ZADD mutex:{k}:q 1 me");
		assertThat(scripts.handOff(lockKey, "me:1", "me:2", 60_000, true, "me", "k", false)).isPositive();
		assertThat(redis.server().command("ZSCORE mutex:{k}:q me")).as("still waiting here: still queued")
			.isNotEqualTo("$-1");
		assertThat(scripts.handOff(lockKey, "me:2", "me:3", 60_000, true, "me", "k", true)).isPositive();
		assertThat(redis.server().command("ZSCORE mutex:{k}:q me")).as("nobody else waits here: unqueued")
			.isEqualTo("$-1");
		assertThat(redis.server().command("GET mutex:{k}")).isEqualTo("$4");
	}

	@Test
	void manyThreadsOfTwoInstancesNeverHoldAKeyTogether() throws Exception {
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		int[] counter = new int[1];
		List<Future<?>> workers = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			RedisLeaseLockRegistry registry = (t % 2 == 0) ? this.a : this.b;
			workers.add(this.executor.submit(() -> {
				for (int i = 0; i < 50; i++) {
					// wait shorter than the time-to-live: a wake-up lost would fail here
					RedisLease lease = registry.acquire("counter", Duration.ofSeconds(20), LONG);
					assertThat(lease).as("acquired within its wait").isNotNull();
					if (inside.incrementAndGet() > 1) {
						overlaps.incrementAndGet();
					}
					int read = counter[0];
					Thread.yield();
					counter[0] = read + 1;
					inside.decrementAndGet();
					assertThat(lease.release()).isTrue();
				}
				return null;
			}));
		}
		for (Future<?> worker : workers) {
			worker.get(120, TimeUnit.SECONDS);
		}
		assertThat(overlaps).hasValue(0);
		assertThat(counter[0]).isEqualTo(400);
		assertThat(this.a.keysInUse() + this.b.keysInUse()).as("records left").isZero();
		assertThat(redis.server().command("EXISTS mutex:{counter} mutex:{counter}:q")).isEqualTo(":0");
	}

	@Test
	void redisKeepsOnlyAShortLivedFencingTokenPerReleasedKey() throws Exception {
		for (int i = 0; i < 500; i++) {
			this.a.acquire("key-" + i, Duration.ZERO, LONG).release();
		}
		assertThat(redis.server().command("DBSIZE")).as("keys in Redis").isEqualTo(":500");
		assertThat(redis.server().command("KEYS *}")).as("lock keys").isEqualTo("*0");
		assertThat(pttl("mutex:{key-0}:f")).as("time-to-live of a released key's last token")
			.isBetween(1L, RedisLockScripts.FENCE_TAIL_MILLIS);
		assertThat(this.a.keysInUse()).isZero();
	}

	@Test
	void springIntegrationLockIsReentrantAndBoundToItsThread() throws Exception {
		DistributedLock lock = this.a.obtain("k");
		assertThat(this.a.obtain("k")).isSameAs(lock);
		lock.lock();
		lock.lock();
		assertThat(this.executor.submit(() -> this.b.obtain("k").tryLock()).get()).isFalse();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> this.executor.submit(lock::unlock).get())
			.havingCause()
			.isInstanceOf(IllegalMonitorStateException.class)
			.withMessageContaining("does not hold");
		lock.unlock();
		assertThat(this.b.isLocked("k")).as("after one of two unlocks").isTrue();
		this.a.renewLock("k", LONG);
		assertThat(pttl(this.a.redisKey("k"))).isGreaterThan(50_000L);
		lock.unlock();
		assertThat(this.b.isLocked("k")).isFalse();
	}

	@Test
	void springIntegrationLockCanBeRenewedFromAnotherThreadAndExpiredWhenIdle() throws Exception {
		Lock lock = this.a.obtain("k");
		assertThat(((DistributedLock) lock).tryLock(Duration.ZERO, Duration.ofSeconds(5))).isTrue();
		this.executor.submit(() -> this.a.renewLock("k", LONG)).get();
		assertThat(pttl(this.a.redisKey("k"))).isGreaterThan(50_000L);
		this.a.expireUnusedOlderThan(0);
		assertThat(this.a.obtain("k")).as("a held lock is not dropped").isSameAs(lock);
		lock.unlock();
		this.a.expireUnusedOlderThan(0);
		assertThat(this.a.obtain("k")).isNotSameAs(lock);
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> this.a.renewLock("k"))
			.withMessageContaining("mutex:{k}");
	}

	@Test
	void registryOnARedisThatDoesNotAnswerStartsAndItsLocksFailNamingRedisAndItsAddress() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		LettuceConnectionFactory nowhere = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", closedPort),
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(2)).build());
		nowhere.afterPropertiesSet();
		nowhere.start();
		this.connections.add(nowhere);
		RedisLeaseLockRegistry registry = new RedisLeaseLockRegistry(nowhere, "mutex");
		this.registries.add(registry);
		assertThatExceptionOfType(DataAccessResourceFailureException.class)
			.isThrownBy(() -> registry.acquire("k", Duration.ofMillis(200), LONG))
			.withMessageContaining("Redis at 127.0.0.1:" + closedPort);
		assertThat(registry.keysInUse()).isZero();
	}

	@Test
	void badArgumentsAreRefusedNamingThem() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.a.acquire("", Duration.ZERO, LONG))
			.withMessageContaining("key");
		assertThatIllegalArgumentException().isThrownBy(() -> this.a.acquire("k", Duration.ofSeconds(-1), LONG))
			.withMessageContaining("wait");
		assertThatIllegalArgumentException().isThrownBy(() -> this.a.acquire("k", Duration.ZERO, Duration.ZERO))
			.withMessageContaining("ttl");
		assertThatIllegalArgumentException().isThrownBy(() -> this.a.obtain(42)).withMessageContaining("String");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RedisLeaseLockRegistry(this.connections.get(0), "a{b}"))
			.withMessageContaining("prefix");
	}

	private static boolean isParked(Thread thread) {
		return thread != null
				&& (thread.getState() == Thread.State.TIMED_WAITING || thread.getState() == Thread.State.WAITING);
	}

	private static long pttl(String key) {
		return Long.parseLong(redis.server().command("PTTL " + key).substring(1));
	}

}
