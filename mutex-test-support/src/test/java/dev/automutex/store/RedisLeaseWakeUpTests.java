package dev.automutex.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.automutex.MutexException;
import dev.automutex.MutexLock;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * How AutoMutex's Redis engine talks to Redis and wakes waiters, on a real redis-server
 * this class starts, stops and restarts: one round trip per step, wake-ups for the
 * released key's first waiting instance only, waits that end with the key's time-to-live,
 * and recovery after Redis went away.
 */
@Timeout(120)
class RedisLeaseWakeUpTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static final Duration LONG = Duration.ofSeconds(60);

	private final List<LettuceConnectionFactory> connections = new ArrayList<>();

	private final List<RedisLeaseMutexStore> stores = new ArrayList<>();

	private final List<MutexTemplate> templates = new ArrayList<>();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@BeforeEach
	void flush() {
		redis.server().flushAll();
	}

	@AfterEach
	void destroyInstances() throws Exception {
		this.executor.shutdownNow();
		for (MutexTemplate template : this.templates) {
			template.destroy();
		}
		for (RedisLeaseMutexStore store : this.stores) {
			store.destroy();
		}
		for (LettuceConnectionFactory connection : this.connections) {
			connection.destroy();
		}
	}

	private MutexTemplate instance() {
		LettuceConnectionFactory connection = RedisMutexStoreContractTests.connectionFactory(redis.server());
		this.connections.add(connection);
		RedisLeaseMutexStore store = new RedisLeaseMutexStore(connection, "mutex", Duration.ofSeconds(30));
		this.stores.add(store);
		MutexTemplate template = new MutexTemplate(store);
		this.templates.add(template);
		return template;
	}

	@Test
	void uncontendedLockAndReleaseWithAFencingTokenAreTwoRoundTrips() throws Exception {
		MutexTemplate mutex = instance();
		mutex.withLock("warm-up", () -> {
		}); // Redis learns the scripts: EVALSHA from now on
		try (Monitor monitor = Monitor.start()) {
			try (MutexLock lock = mutex.lock("order:1")) {
				assertThat(lock.fencingToken()).isPositive();
				assertThat(lock.fencingToken()).as("asked twice").isPositive();
			}
			List<String> commands = monitor.commandsUntilMarker();
			assertThat(commands).as("commands sent by the client (not from scripts)")
				.hasSize(2)
				.allSatisfy((command) -> assertThat(command).containsIgnoringCase("\"evalsha\""));
		}
	}

	@Test
	void fourInstancesOnOneKeyWakeOnlyTheNextInstance() throws Exception {
		List<MutexTemplate> instances = List.of(instance(), instance(), instance(), instance());
		int perInstance = 50;
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> workers = new ArrayList<>();
		long scriptsBefore = RedisCommandStats.scripts(redis.server());
		for (MutexTemplate mutex : instances) {
			workers.add(this.executor.submit(() -> {
				start.await();
				for (int i = 0; i < perInstance; i++) {
					mutex.withLock("hot", Duration.ofSeconds(20), Thread::yield);
				}
				return null;
			}));
		}
		start.countDown();
		for (Future<?> worker : workers) {
			worker.get(100, TimeUnit.SECONDS);
		}
		double perAcquisition = (double) (RedisCommandStats.scripts(redis.server()) - scriptsBefore)
				/ (instances.size() * perInstance);
		// Each acquisition here costs two scripts: the attempt that finds the key busy
		// and queues the instance, and the release that grants the key to the next
		// instance (which then needs no attempt of its own). Asking again after a
		// wake-up made it three; a broadcast wake-up (every waiting instance tries again
		// on every release, as Spring Integration's registry does) costs about 5.
		assertThat(perAcquisition).as("scripts per acquisition").isLessThan(2.3);
	}

	@Test
	void waiterGetsAKeyThatIsNeverReleasedOnceItsTimeToLiveEnds() throws Exception {
		MutexTemplate crashed = instance();
		MutexTemplate waiter = instance();
		// A holder that never releases nor renews: as a crashed process leaves its key.
		crashed.lock("job", Duration.ZERO, Duration.ofMillis(1500), false);
		long start = System.nanoTime();
		try (MutexLock lock = waiter.lock("job", Duration.ofSeconds(20))) {
			Duration waited = Duration.ofNanos(System.nanoTime() - start);
			assertThat(waited).as("the key lived 1.5 s; waited").isLessThan(Duration.ofMillis(2_000));
		}
	}

	@Test
	void tokensAfterARedisRestartWithoutPersistenceAreGreater() throws Exception {
		MutexTemplate mutex = instance();
		long before;
		try (MutexLock lock = mutex.lock("ledger")) {
			before = lock.fencingToken();
		}
		redis.server().restart();
		long after = await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
			try (MutexLock lock = mutex.lock("ledger", Duration.ofSeconds(1))) {
				return lock.fencingToken();
			}
		}, (token) -> token != null);
		assertThat(after).isGreaterThan(before);
	}

	@Test
	void redisDownFailsWithinBlockAndCommandTimeoutNamingRedisThenLockingWorksAgain() throws Exception {
		MutexTemplate a = instance();
		MutexTemplate b = instance();
		a.withLock("warm-up", () -> {
		});
		redis.server().command("SHUTDOWN NOSAVE");
		long start = System.nanoTime();
		assertThatExceptionOfType(MutexException.class).isThrownBy(() -> a.lock("k", Duration.ofMillis(500)))
			.withMessageContaining("Redis at 127.0.0.1:" + redis.server().port());
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("block 500 ms + command timeout 2 s")
			.isLessThan(Duration.ofMillis(500 + 2_000 + 1_000));
		redis.server().restart();
		await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
			a.withLock("k", Duration.ofSeconds(1), () -> {
			});
			return true;
		});
		// After the restart, wake-ups work again without restarting anything: B waits
		// less than A's key lives, so only a wake-up can give it the key.
		await().atMost(Duration.ofSeconds(30))
			.alias("both instances subscribed to their wake-ups again")
			.until(() -> redis.server().command("PUBSUB CHANNELS mutex:wake:*"), "*2"::equals);
		MutexLock held = a.lock("k", Duration.ZERO, LONG, false);
		CountDownLatch waiting = new CountDownLatch(1);
		Future<Boolean> waiter = this.executor.submit(() -> {
			waiting.countDown();
			try (MutexLock lock = b.lock("k", Duration.ofSeconds(20))) {
				return lock.isHeld();
			}
		});
		waiting.await();
		await().atMost(Duration.ofSeconds(10)).until(() -> redis.server().command("ZCARD mutex:{k}:q").equals(":1"));
		held.release();
		assertThat(waiter.get(30, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void redisPausedFailsWithinBlockAndCommandTimeoutAndLockingWorksOnceItAnswers() throws Exception {
		MutexTemplate mutex = instance();
		mutex.withLock("warm-up", () -> {
		});
		assertThat(redis.server().command("CLIENT PAUSE 4000 ALL")).isEqualTo("+OK");
		long start = System.nanoTime();
		assertThatExceptionOfType(MutexException.class).isThrownBy(() -> mutex.lock("k", Duration.ofMillis(500)))
			.withMessageContaining("Redis at 127.0.0.1:" + redis.server().port());
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("block 500 ms + command timeout 2 s")
			.isLessThan(Duration.ofMillis(500 + 2_000 + 1_000));
		await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
			mutex.withLock("k", Duration.ofSeconds(1), () -> {
			});
			return true;
		});
		assertThat(mutex.isLocked("k")).isFalse();
	}

	@Test
	void holderLearnsItsKeyWasLostWhenRedisRestartedWithoutIt() throws Exception {
		MutexTemplate mutex = instance();
		List<List<String>> lost = new CopyOnWriteArrayList<>();
		mutex.setLossListener((ex) -> lost.add(ex.keys()));
		MutexLock lock = mutex.lock("report", Duration.ZERO, Duration.ofSeconds(3));
		redis.server().restart();
		await().atMost(Duration.ofSeconds(20)).until(lock::isLost);
		assertThat(lost).containsExactly(List.of("report"));
		assertThat(lock.isHeld()).isFalse();
		assertThat(lock.release()).isFalse();
	}

	@Test
	void threadsOfOneInstancePassTheKeyOnWithoutARoundTripEach() throws Exception {
		MutexTemplate mutex = instance();
		mutex.withLock("warm-up", () -> {
		});
		int threads = 4;
		int perThread = 100;
		int[] counter = new int[1];
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> workers = new ArrayList<>();
		long scriptsBefore = RedisCommandStats.scripts(redis.server());
		for (int t = 0; t < threads; t++) {
			workers.add(this.executor.submit(() -> {
				start.await();
				for (int i = 0; i < perThread; i++) {
					mutex.withLock("hot", Duration.ofSeconds(20), () -> {
						if (inside.incrementAndGet() > 1) {
							overlaps.incrementAndGet();
						}
						int read = counter[0];
						Thread.yield();
						counter[0] = read + 1;
						inside.decrementAndGet();
					});
				}
				return null;
			}));
		}
		start.countDown();
		for (Future<?> worker : workers) {
			worker.get(100, TimeUnit.SECONDS);
		}
		double perAcquisition = (double) (RedisCommandStats.scripts(redis.server()) - scriptsBefore)
				/ (threads * perThread);
		assertThat(overlaps).hasValue(0);
		assertThat(counter[0]).isEqualTo(threads * perThread);
		assertThat(mutex.isLocked("hot")).isFalse();
		// A key released while another thread of the instance waits passes to it without
		// Redis; one hand-off in DEFAULT_MAX_LOCAL_HAND_OFFS (8) asks Redis whether other
		// instances wait. One script per hand-off before.
		assertThat(perAcquisition).as("scripts per acquisition").isLessThan(0.5);
	}

	@Test
	void keyPassedOnWithoutRedisGetsItsFencingTokenFromRedisAboveTheLastOne() throws Exception {
		MutexTemplate mutex = instance();
		passOnAndAskForTheToken(mutex, "warm-up"); // Redis learns the scripts
		long[] counts = passOnAndAskForTheToken(mutex, "k");
		assertThat(counts[1]).as("the second holder's token").isGreaterThan(counts[0]);
		assertThat(counts[2]).as("scripts for the token, asked twice").isEqualTo(1);
		assertThat(counts[3]).as("scripts in all: the hand-off none, the token one, the release one").isEqualTo(2);
	}

	/**
	 * One thread holds the key, another waits for it; the first releases it, the second
	 * asks for its fencing token twice and releases.
	 * @return the two tokens, the scripts run for the second's tokens, and the scripts
	 * from the first release on
	 */
	private long[] passOnAndAskForTheToken(MutexTemplate mutex, String key) throws Exception {
		MutexLock first = mutex.lock(key);
		long firstToken = first.fencingToken();
		long[] tokenScripts = new long[1];
		Future<Long> second = this.executor.submit(() -> {
			try (MutexLock lock = mutex.lock(key, Duration.ofSeconds(20))) {
				long scripts = RedisCommandStats.scripts(redis.server());
				long token = lock.fencingToken();
				assertThat(lock.fencingToken()).isEqualTo(token);
				tokenScripts[0] = RedisCommandStats.scripts(redis.server()) - scripts;
				return token;
			}
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> waitersHere(this.stores.get(0), key) == 1);
		long scriptsBefore = RedisCommandStats.scripts(redis.server());
		assertThat(first.release()).isTrue();
		long secondToken = second.get(10, TimeUnit.SECONDS);
		return new long[] { firstToken, secondToken, tokenScripts[0],
				RedisCommandStats.scripts(redis.server()) - scriptsBefore };
	}

	@Test
	void leasePassedOnTellsTheTemplateWhenItsTimeToLiveStarted() throws Exception {
		instance();
		RedisLeaseMutexStore store = this.stores.get(0);
		long beforeFirst = System.nanoTime();
		MutexStore.Held first = store.tryAcquireRenewed("k", Duration.ZERO, Duration.ofSeconds(30));
		long firstReturned = System.nanoTime();
		assertThat(store.leaseStart(first, firstReturned)).as("a lease of its own").isEqualTo(firstReturned);
		Future<MutexStore.Held> second = this.executor
			.submit(() -> store.tryAcquireRenewed("k", Duration.ofSeconds(20), Duration.ofSeconds(30)));
		await().atMost(Duration.ofSeconds(10)).until(() -> waitersHere(store, "k") == 1);
		assertThat(first.release()).isTrue();
		MutexStore.Held passed = second.get(10, TimeUnit.SECONDS);
		// The second holder's lease is the rest of the first's: it started when the
		// first one's request went out, so the template counts its time-to-live from
		// then.
		assertThat(store.leaseStart(passed, System.nanoTime())).isBetween(beforeFirst, firstReturned);
		assertThat(passed.release()).isTrue();
		assertThat(store.isLocked("k")).isFalse();
	}

	@Test
	void waiterThatDoesNotRenewGetsTheKeyThroughRedisWithAFreshTimeToLive() throws Exception {
		MutexTemplate mutex = instance();
		MutexLock first = mutex.lock("k");
		Future<Long> second = this.executor.submit(() -> {
			try (MutexLock lock = mutex
				.lock(MutexRequest.of("k").block(Duration.ofSeconds(20)).expire(Duration.ofSeconds(30)).renew(false))) {
				return Long.parseLong(redis.server().command("PTTL mutex:{k}").substring(1));
			}
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> waitersHere(this.stores.get(0), "k") == 1);
		long scriptsBefore = RedisCommandStats.scripts(redis.server());
		assertThat(first.release()).isTrue();
		// Its lease would otherwise be the rest of the first holder's: nobody renews it.
		assertThat(second.get(10, TimeUnit.SECONDS)).isGreaterThan(29_000L);
		assertThat(RedisCommandStats.scripts(redis.server()) - scriptsBefore).as("the hand-off and the release")
			.isEqualTo(2);
	}

	@SuppressWarnings("unchecked")
	private static int waitersHere(RedisLeaseMutexStore store, String key) throws Exception {
		Field engineField = RedisLeaseLockRegistry.class.getDeclaredField("engine");
		engineField.setAccessible(true);
		RedisLeases engine = (RedisLeases) engineField.get(store.getRegistry());
		Field queuesField = RedisLeases.class.getDeclaredField("queues");
		queuesField.setAccessible(true);
		KeyWaitQueue queue = ((Map<?, KeyWaitQueue>) queuesField.get(engine)).get(key);
		if (queue == null) {
			return 0;
		}
		synchronized (queue) {
			return queue.hasWaiters() ? 1 : 0;
		}
	}

	@Test
	void localHandOffsYieldToAWaitingInstanceAfterTheirLimit() throws Exception {
		MutexTemplate a = instance();
		this.stores.get(0).getRegistry().setMaxLocalHandOffs(2);
		MutexTemplate b = instance();
		List<String> holders = new CopyOnWriteArrayList<>();
		AtomicBoolean stop = new AtomicBoolean();
		List<Future<?>> busy = new ArrayList<>();
		for (int t = 0; t < 3; t++) {
			busy.add(this.executor.submit(() -> {
				while (!stop.get()) {
					a.withLock("shared", Duration.ofSeconds(20), () -> holders.add("A"));
				}
				return null;
			}));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> holders.size() > 20);
		// Without the limit on hand-offs B would wait until A's threads stopped, which
		// they do only after B's turn: B's withLock would time out.
		Future<?> bTurn = this.executor
			.submit(() -> b.withLock("shared", Duration.ofSeconds(20), () -> holders.add("B")));
		// Counted from when B is queued in Redis, not from its call: B's first round
		// trips (scripts loaded, subscription) take as long as the machine's load makes
		// them, and A holds the key meanwhile as it should.
		String bInstance = this.stores.get(1).getRegistry().instanceId();
		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(1))
			.until(() -> holders.contains("B")
					|| !redis.server().command("ZSCORE mutex:{shared}:q " + bInstance).startsWith("$-1"));
		int arrival = holders.size();
		bTurn.get(30, TimeUnit.SECONDS);
		stop.set(true);
		for (Future<?> worker : busy) {
			worker.get(30, TimeUnit.SECONDS);
		}
		int waitedFor = holders.indexOf("B") - arrival;
		// Once B is queued in Redis, A hands the key to its own threads at most twice
		// more; the rest is A's holds while this thread polled (under 5 on an idle
		// machine).
		assertThat(waitedFor).as("A's holds between B's arrival and B's turn").isLessThan(50);
	}

	/**
	 * The commands a Redis server receives from clients ({@code MONITOR}), read over a
	 * plain socket until a marker command sent after the work.
	 */
	private static final class Monitor implements AutoCloseable {

		private final Socket socket;

		private final BufferedReader in;

		private Monitor(Socket socket) throws IOException {
			this.socket = socket;
			this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
		}

		static Monitor start() throws IOException {
			Socket socket = new Socket(InetAddress.getLoopbackAddress(), redis.server().port());
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write("MONITOR\r\n".getBytes(StandardCharsets.UTF_8));
			out.flush();
			Monitor monitor = new Monitor(socket);
			assertThat(monitor.in.readLine()).isEqualTo("+OK");
			return monitor;
		}

		List<String> commandsUntilMarker() throws IOException {
			redis.server().command("ECHO automutex-monitor-marker");
			List<String> commands = new ArrayList<>();
			String line;
			while ((line = this.in.readLine()) != null && !line.contains("automutex-monitor-marker")) {
				if (!line.contains(" lua]")) {
					commands.add(line);
				}
			}
			return commands;
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
