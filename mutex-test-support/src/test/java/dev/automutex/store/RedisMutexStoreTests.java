package dev.automutex.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.MutexException;
import dev.automutex.MutexHolder;
import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import dev.automutex.MutexLostException;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServer;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.listener.PatternTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;
import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.ExpirableLockRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What is Redis-specific: how keys are stored, expiry, and exclusion between two
 * instances (two stores with their own connections and registries, as two application
 * instances have).
 */
class RedisMutexStoreTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private LettuceConnectionFactory connectionA;

	private LettuceConnectionFactory connectionB;

	private RedisMutexStore storeA;

	private RedisMutexStore storeB;

	@BeforeEach
	void createStores() {
		redisServer.server().flushAll();
		this.connectionA = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		this.connectionB = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		this.storeA = new RedisMutexStore(this.connectionA, "mutex", Duration.ofSeconds(10),
				RedisLockType.PUB_SUB_LOCK);
		this.storeB = new RedisMutexStore(this.connectionB, "mutex", Duration.ofSeconds(10),
				RedisLockType.PUB_SUB_LOCK);
	}

	@AfterEach
	void destroyStores() throws Exception {
		this.storeA.destroy();
		this.storeB.destroy();
		this.connectionA.destroy();
		this.connectionB.destroy();
	}

	@Test
	void keyIsStoredUnderPrefixWithDefaultExpireAsTtl() {
		MutexTemplate mutex = new MutexTemplate(this.storeA);
		try (MutexLock lock = mutex.lock("ItunesVerifier#perform:123456")) {
			assertThat(redisServer.server().command("EXISTS mutex:ItunesVerifier#perform:123456")).isEqualTo(":1");
			long ttl = pttl("mutex:ItunesVerifier#perform:123456");
			assertThat(ttl).isBetween(1L, 10_000L).isGreaterThan(8_000L);
		}
		assertThat(redisServer.server().command("EXISTS mutex:ItunesVerifier#perform:123456")).isEqualTo(":0");
	}

	@Test
	void expireGivenPerLockBecomesTheTtl() {
		MutexTemplate mutex = new MutexTemplate(this.storeA);
		try (MutexLock lock = mutex.lock("report", Duration.ZERO, Duration.ofSeconds(60))) {
			assertThat(pttl("mutex:report")).isGreaterThan(50_000L).isLessThanOrEqualTo(60_000L);
		}
	}

	@Test
	void templateDefaultExpireBecomesTheTtl() {
		MutexTemplate mutex = new MutexTemplate(this.storeA);
		mutex.setDefaultExpire(Duration.ofSeconds(3));
		try (MutexLock lock = mutex.lock("report")) {
			assertThat(pttl("mutex:report")).isBetween(1L, 3_000L);
		}
	}

	@Test
	void otherInstanceIsExcludedAndSeesTheKeyAsLocked() {
		MutexTemplate first = new MutexTemplate(this.storeA);
		MutexTemplate second = new MutexTemplate(this.storeB);
		try (MutexLock lock = first.lock("shared")) {
			// Same thread, other instance: only Redis can refuse it (each registry has
			// its own local locks).
			assertThat(second.tryLock("shared")).isEmpty();
			assertThat(second.isLocked("shared")).isTrue();
		}
		assertThat(second.isLocked("shared")).isFalse();
		Optional<MutexLock> after = second.tryLock("shared");
		assertThat(after).isPresent();
		after.get().release();
	}

	@Test
	void holderOnAnotherInstanceIsReportedWithItsLeaseLeft() {
		MutexTemplate first = new MutexTemplate(this.storeA);
		MutexTemplate second = new MutexTemplate(this.storeB);
		try (MutexLock lock = first.lock("shared")) {
			MutexHolder seen = second.holder("shared").orElseThrow();
			assertThat(seen.thisInstance()).isFalse();
			assertThat(seen.thread()).isNull();
			assertThat(seen.since()).isNull();
			assertThat(seen.leaseLeft()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));
			assertThat(first.holder("shared"))
				.hasValueSatisfying((holder) -> assertThat(holder.thisInstance()).isTrue());
		}
		assertThat(second.holder("shared")).isEmpty();
	}

	@Test
	void waiterOnOtherInstanceIsWokenWhenKeyIsReleased() throws Exception {
		MutexTemplate first = new MutexTemplate(this.storeA);
		MutexTemplate second = new MutexTemplate(this.storeB);
		MutexLock held = first.lock("shared");
		AtomicReference<Thread> waiterThread = new AtomicReference<>();
		CompletableFuture<String> waiter = CompletableFuture.supplyAsync(() -> {
			waiterThread.set(Thread.currentThread());
			return second.withLock("shared", Duration.ofSeconds(20), () -> "second ran");
		});
		// The waiter has subscribed and sleeps until an unlock message or the end of
		// its 20s wait: only the release message can wake it within the 15s the
		// assertion below allows.
		await().atMost(Duration.ofSeconds(10)).until(() -> isWaitingForUnlockMessage(waiterThread.get()));
		assertThat(waiter).isNotDone();
		held.release();
		assertThat(waiter.get(15, TimeUnit.SECONDS)).isEqualTo("second ran");
	}

	@Test
	void forceReleaseTellsTheRegistrysWaitersOnTheChannelTheyListenTo() throws Exception {
		// RedisLockRegistry's waiters listen to <prefix>-channel:* and its unlock
		// publishes the Redis key on <prefix>-channel:<Redis key>.
		BlockingQueue<String> messages = new LinkedBlockingQueue<>();
		RedisMessageListenerContainer listener = new RedisMessageListenerContainer();
		listener.setConnectionFactory(this.connectionB);
		listener.addMessageListener(
				(message,
						pattern) -> messages.add(new String(message.getChannel(), StandardCharsets.UTF_8) + " "
								+ new String(message.getBody(), StandardCharsets.UTF_8)),
				new PatternTopic("mutex-channel:*"));
		listener.afterPropertiesSet();
		listener.start();
		try {
			MutexLock held = new MutexTemplate(this.storeA).lock("shared");
			held.release();
			assertThat(messages.poll(10, TimeUnit.SECONDS)).isEqualTo("mutex-channel:mutex:shared mutex:shared");
			new MutexTemplate(this.storeA).lock("shared");
			assertThat(this.storeB.forceRelease("shared")).isTrue();
			assertThat(messages.poll(10, TimeUnit.SECONDS)).isEqualTo("mutex-channel:mutex:shared mutex:shared");
		}
		finally {
			listener.destroy();
		}
	}

	@Test
	void waiterInterruptedWhileRedisRunsItsObtainLeavesNoKeyBehind() throws Exception {
		// The interrupt lands while the calling thread waits for the reply of the
		// registry's obtain script, which Redis holds back (CLIENT PAUSE) and runs
		// afterwards: the key is then set in Redis for a caller that was told it did
		// not get it. It must not stay there until its 10s time-to-live ends.
		MutexTemplate mutex = new MutexTemplate(this.storeA);
		mutex.lock("connected").release(); // connected and the scripts loaded
		long scriptsBefore = RedisCommandStats.scripts(redisServer.server());
		redisServer.server().command("CLIENT PAUSE 1000 ALL");
		CompletableFuture<Throwable> outcome = new CompletableFuture<>();
		AtomicBoolean interruptKept = new AtomicBoolean();
		Thread caller = new Thread(() -> {
			try {
				mutex.lock("paused", Duration.ofSeconds(20)).release();
				outcome.complete(null);
			}
			catch (Throwable ex) {
				interruptKept.set(Thread.currentThread().isInterrupted());
				outcome.complete(ex);
			}
		});
		caller.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> isTalkingToRedis(caller));
		caller.interrupt();
		assertThat(outcome.get(15, TimeUnit.SECONDS)).isInstanceOf(MutexLockException.class)
			.hasCauseInstanceOf(InterruptedException.class);
		assertThat(interruptKept).isTrue();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> RedisCommandStats.scripts(redisServer.server()) > scriptsBefore);
		assertThat(redisServer.server().command("EXISTS mutex:paused")).as("key left in Redis").isEqualTo(":0");
	}

	private static boolean isTalkingToRedis(Thread thread) {
		if (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING) {
			return false;
		}
		for (StackTraceElement frame : thread.getStackTrace()) {
			if (frame.getClassName().startsWith("io.lettuce")) {
				return true;
			}
		}
		return false;
	}

	private static boolean isWaitingForUnlockMessage(Thread thread) {
		if (thread == null || thread.getState() != Thread.State.TIMED_WAITING) {
			return false;
		}
		boolean inSubscribeLock = false;
		for (StackTraceElement frame : thread.getStackTrace()) {
			if (frame.getClassName().startsWith("io.lettuce")) {
				return false; // talking to Redis, not sleeping
			}
			inSubscribeLock |= frame.getMethodName().equals("subscribeLock");
		}
		return inSubscribeLock;
	}

	@Test
	void keyExpiredAndTakenByAnotherInstanceMakesReleaseReturnFalseWithoutThrowing() {
		MutexTemplate first = new MutexTemplate(this.storeA);
		first.setRenew(false);
		MutexTemplate second = new MutexTemplate(this.storeB);
		MutexLock lost = first.lock("short", Duration.ZERO, Duration.ofMillis(300));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> redisServer.server().command("EXISTS mutex:short").equals(":0"));
		MutexLock successor = second.lock("short", Duration.ZERO);
		assertThat(lost.release()).isFalse();
		assertThat(second.isLocked("short")).isTrue();
		assertThat(successor.release()).isTrue();
	}

	@Test
	void unreachableRedisGivesMutexExceptionOnAcquireAndFalseOnRelease() throws Exception {
		onOwnRedis((doomed, mutex) -> {
			MutexLock held = mutex.lock("k");
			doomed.close();
			assertThat(held.release()).as("release reports the failure instead of throwing").isFalse();
			assertThatExceptionOfType(MutexException.class).isThrownBy(() -> mutex.lock("other", Duration.ZERO))
				.isNotInstanceOf(MutexLockException.class)
				.withMessageContaining("'other'")
				.withMessageContaining("the store failed");
		});
	}

	/**
	 * Run a fault test on a redis-server of its own, which it may stop or restart.
	 */
	private static void onOwnRedis(FaultTest test) throws Exception {
		RedisServer server = RedisServer.start();
		LettuceConnectionFactory connection = RedisMutexStoreContractTests.connectionFactory(server);
		RedisMutexStore store = new RedisMutexStore(connection, "mutex", Duration.ofSeconds(10),
				RedisLockType.PUB_SUB_LOCK);
		MutexTemplate mutex = new MutexTemplate(store);
		try {
			test.run(server, mutex);
		}
		finally {
			mutex.destroy();
			store.destroy();
			connection.destroy();
			server.close();
		}
	}

	@Test
	void sweepDropsCachedLocksOfKeysNotHeldHereAndKeepsHeldOnes() {
		MutexTemplate mutex = new MutexTemplate(this.storeA);
		mutex.withLock("a", () -> {
		});
		mutex.withLock("b", () -> {
		});
		MutexLock held = mutex.lock("c");
		assertThat(mutex.sweep()).isEqualTo(2);
		assertThat(new MutexTemplate(this.storeB).tryLock("c")).isEmpty();
		assertThat(held.release()).isTrue();
		assertThat(mutex.withLock("a", Duration.ZERO, () -> "a again")).isEqualTo("a again");
		assertThat(mutex.sweep()).isEqualTo(2); // "a" and "c" since the last sweep
	}

	@Test
	void sweepNeverEvictsALockObjectBetweenObtainAndLock() throws Exception {
		RedisLockRegistry redisRegistry = new RedisLockRegistry(this.connectionA, "mutex", Duration.ofSeconds(10));
		PausingRegistry pausing = new PausingRegistry(redisRegistry);
		LockRegistryMutexStore store = new LockRegistryMutexStore(pausing);
		MutexTemplate mutex = new MutexTemplate(store);
		try {
			pausing.pauseNextObtain();
			// A: obtains the lock object for "k", then stops before locking it.
			CompletableFuture<Boolean> a = CompletableFuture
				.supplyAsync(() -> mutex.tryLock("k").map(MutexLock::release).isPresent());
			assertThat(pausing.paused.await(10, TimeUnit.SECONDS)).isTrue();
			mutex.sweep(); // must not evict A's lock object (it skips the round)
			// B takes "k" meanwhile, and keeps it until A has tried.
			CountDownLatch bHolds = new CountDownLatch(1);
			CountDownLatch aDone = new CountDownLatch(1);
			CompletableFuture<Void> b = CompletableFuture.runAsync(() -> mutex.withLock("k", Duration.ZERO, () -> {
				bHolds.countDown();
				awaitQuietly(aDone);
			}));
			assertThat(bHolds.await(10, TimeUnit.SECONDS)).isTrue();
			pausing.resume.countDown();
			assertThat(a.get(10, TimeUnit.SECONDS)).as("A must be refused while B holds the key").isFalse();
			aDone.countDown();
			b.get(10, TimeUnit.SECONDS);
		}
		finally {
			pausing.resume.countDown();
			redisRegistry.destroy();
		}
	}

	@Test
	void sweepingWhileOtherThreadsLockNeverBreaksALockNorLetsTwoIn() throws Exception {
		MutexTemplate mutex = new MutexTemplate(this.storeA);
		java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
		java.util.concurrent.atomic.AtomicInteger[] inside = new java.util.concurrent.atomic.AtomicInteger[5];
		for (int k = 0; k < inside.length; k++) {
			inside[k] = new java.util.concurrent.atomic.AtomicInteger();
		}
		java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
		CompletableFuture<Integer> sweeper = CompletableFuture.supplyAsync(() -> {
			int swept = 0;
			while (!stop.get()) {
				swept += mutex.sweep();
			}
			return swept;
		});
		java.util.List<CompletableFuture<Void>> workers = new java.util.ArrayList<>();
		for (int t = 0; t < 4; t++) {
			int seed = t;
			workers.add(CompletableFuture.runAsync(() -> {
				for (int i = 0; i < 150; i++) {
					int k = (i + seed) % inside.length;
					mutex.withLock("key-" + k, Duration.ofSeconds(10), () -> {
						if (inside[k].incrementAndGet() > 1) {
							overlaps.incrementAndGet();
						}
						Thread.yield();
						inside[k].decrementAndGet();
					});
				}
			}));
		}
		try {
			CompletableFuture.allOf(workers.toArray(new CompletableFuture[0])).get(50, TimeUnit.SECONDS);
		}
		finally {
			stop.set(true);
		}
		sweeper.get(10, TimeUnit.SECONDS);
		assertThat(overlaps).hasValue(0);
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(20, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Test
	void heldKeyIsRenewedPastItsExpireAndRenewalStopsOnRelease() {
		MutexTemplate mutex = new MutexTemplate(this.storeA);
		MutexLock held = mutex.lock("long-job", Duration.ZERO, Duration.ofSeconds(1));
		assertThat(mutex.renewalCount()).isOne();
		// Three times its expire, and the key never lapses.
		await().during(Duration.ofSeconds(3))
			.atMost(Duration.ofSeconds(5))
			.until(() -> redisServer.server().command("EXISTS mutex:long-job").equals(":1"));
		assertThat(new MutexTemplate(this.storeB).tryLock("long-job")).isEmpty();
		assertThat(held.release()).isTrue();
		assertThat(mutex.renewalCount()).isZero();
		assertThat(redisServer.server().command("EXISTS mutex:long-job")).isEqualTo(":0");
		mutex.destroy();
	}

	@Test
	void withoutRenewalAHeldKeyLapsesAfterItsExpire() {
		MutexTemplate mutex = new MutexTemplate(this.storeA);
		AtomicReference<MutexLostException> told = new AtomicReference<>();
		mutex.setLossListener(told::set);
		MutexLock held = mutex.lock("long-job", Duration.ZERO, Duration.ofMillis(500), false);
		assertThat(mutex.renewalCount()).isZero();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> redisServer.server().command("EXISTS mutex:long-job").equals(":0"));
		assertThat(held.isHeld()).isFalse();
		assertThat(held.release()).as("the holder learns it lost the key").isFalse();
		assertThat(told.get()).as("and so does the loss listener (the starter's event)").isNotNull();
		assertThat(told.get().keys()).containsExactly("long-job");
	}

	@Test
	void reentrantHoldsShareOneRenewalAndAThousandKeysShareAFewThreads() {
		java.util.Set<String> renewalThreadsBefore = renewalThreads();
		MutexTemplate mutex = new MutexTemplate(this.storeA);
		MutexLock outer = mutex.lock("k");
		MutexLock inner = mutex.lock("k");
		assertThat(mutex.renewalCount()).isOne();
		inner.release();
		assertThat(mutex.renewalCount()).isOne();
		outer.release();
		assertThat(mutex.renewalCount()).isZero();

		java.util.List<MutexLock> many = new java.util.ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			many.add(mutex.lock("bulk:" + i, Duration.ZERO, Duration.ofMillis(600)));
		}
		assertThat(mutex.renewalCount()).isEqualTo(1000);
		java.util.Set<String> started = renewalThreads();
		started.removeAll(renewalThreadsBefore);
		assertThat(started).as("a few renewal threads for all keys, not one per key").hasSizeLessThanOrEqualTo(9);
		// After two expire periods every key is still there.
		await().during(Duration.ofMillis(1200))
			.atMost(Duration.ofSeconds(3))
			.until(() -> redisServer.server().command("EXISTS mutex:bulk:0").equals(":1")
					&& redisServer.server().command("EXISTS mutex:bulk:999").equals(":1"));
		many.forEach(MutexLock::release);
		assertThat(mutex.renewalCount()).isZero();
		mutex.destroy();
	}

	@Test
	void staleHolderNeverGetsALargerFencingTokenThanItsSuccessor() {
		MutexTemplate first = new MutexTemplate(this.storeA);
		first.setRenew(false);
		MutexTemplate second = new MutexTemplate(this.storeB);
		MutexLock early = first.lock("account:1", Duration.ZERO, Duration.ofMillis(300));
		long earlyToken = early.fencingToken(); // asked in time
		await().atMost(Duration.ofSeconds(5))
			.until(() -> redisServer.server().command("EXISTS mutex:account:1").equals(":0"));
		MutexLock successor = second.lock("account:1", Duration.ZERO);
		long successorToken = successor.fencingToken();
		assertThat(successorToken).isGreaterThan(earlyToken);
		assertThat(early.isHeld()).as("the stale holder can tell").isFalse();
		assertThat(early.fencingToken()).as("its own, earlier token").isEqualTo(earlyToken);
		assertThat(early.release()).isFalse();
		successor.release();

		MutexLock late = first.lock("account:1", Duration.ZERO, Duration.ofMillis(300));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> redisServer.server().command("EXISTS mutex:account:1").equals(":0"));
		MutexLock next = second.lock("account:1", Duration.ZERO);
		assertThatExceptionOfType(MutexLostException.class).as("a holder that lapsed gets no token at all")
			.isThrownBy(late::fencingToken);
		assertThat(next.fencingToken()).isGreaterThan(successorToken);
		next.release();
		assertThat(late.release()).isFalse();
	}

	@Test
	void fencingTokensStayAboveEarlierOnesAfterRedisForgetsItsCounter() throws Exception {
		onOwnRedis((restarting, mutex) -> {
			long before;
			try (MutexLock lock = mutex.lock("account:3")) {
				before = lock.fencingToken();
			}
			restarting.restart(); // no persistence: the counter is gone
			await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
				try (MutexLock lock = mutex.lock("account:3", Duration.ZERO)) {
					return lock.fencingToken() > before;
				}
			});
		});
	}

	@Test
	void fencingTokensGrowAcrossInstances() {
		MutexTemplate first = new MutexTemplate(this.storeA);
		MutexTemplate second = new MutexTemplate(this.storeB);
		long previous = 0;
		for (int i = 0; i < 10; i++) {
			MutexTemplate instance = (i % 2 == 0) ? first : second;
			try (MutexLock lock = instance.lock("account:2")) {
				assertThat(lock.fencingToken()).isGreaterThan(previous);
				previous = lock.fencingToken();
			}
		}
	}

	@Test
	void lossFoundByRenewalRunsCallbacksInterruptsTheHolderAndTellsTheListener() throws Exception {
		MutexTemplate mutex = new MutexTemplate(this.storeA);
		AtomicReference<MutexLostException> told = new AtomicReference<>();
		mutex.setLossListener(told::set);
		CountDownLatch callback = new CountDownLatch(1);
		CountDownLatch holding = new CountDownLatch(1);
		CompletableFuture<String> worker = CompletableFuture.supplyAsync(() -> {
			try (MutexLock lock = mutex.lock("job", Duration.ZERO, Duration.ofMillis(600))) {
				lock.onLost(callback::countDown).interruptOnLoss();
				holding.countDown();
				new CountDownLatch(1).await(20, TimeUnit.SECONDS); // long work, stopped
																	// only by the
																	// interrupt
				return "finished";
			}
			catch (InterruptedException ex) {
				return "interrupted";
			}
		});
		assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
		// Someone force-releases the key behind the holder's back.
		assertThat(redisServer.server().command("DEL mutex:job")).isEqualTo(":1");
		assertThat(callback.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(worker.get(10, TimeUnit.SECONDS)).isEqualTo("interrupted");
		await().atMost(Duration.ofSeconds(5)).until(() -> told.get() != null);
		assertThat(told.get().keys()).containsExactly("job");
		assertThat(mutex.renewalCount()).isZero();
		mutex.destroy();
	}

	@Test
	void redisRestartUnderAHeldKeyIsReportedByIsHeldAndRelease() throws Exception {
		onOwnRedis((restarting, mutex) -> {
			mutex.setRenew(false);
			MutexLock held = mutex.lock("k");
			assertThat(held.isHeld()).isTrue();
			restarting.restart(); // no persistence: the new Redis has never heard of "k"
			await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> !held.isHeld());
			assertThat(held.release()).isFalse();
		});
	}

	@Test
	void prefixSeparatesApplications() throws Exception {
		RedisMutexStore other = new RedisMutexStore(this.connectionB, "billing", Duration.ofSeconds(10),
				RedisLockType.SPIN_LOCK);
		try (MutexLock lock = new MutexTemplate(this.storeA).lock("k")) {
			Optional<MutexLock> elsewhere = new MutexTemplate(other).tryLock("k");
			assertThat(elsewhere).isPresent();
			assertThat(redisServer.server().command("EXISTS billing:k")).isEqualTo(":1");
			elsewhere.get().release();
		}
		finally {
			other.destroy();
		}
	}

	private static java.util.Set<String> renewalThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.map(Thread::getName)
			.filter((name) -> name.startsWith("mutex-renewal-"))
			.collect(java.util.stream.Collectors.toSet());
	}

	/**
	 * Review finding: a renewal already past its "still held?" check when its holder
	 * released could land after another thread of this instance took the key (the
	 * registry owns keys per instance), cutting the new hold's 30 s lease to the old 300
	 * ms; another instance then took the key. The release now waits for a renewal on its
	 * way.
	 */
	@Test
	void renewalOnItsWayWhenTheKeyIsReleasedLandsBeforeTheNextHolderTakesIt() throws Exception {
		CountDownLatch renewalChecked = new CountDownLatch(1);
		CountDownLatch renewalGoesOn = new CountDownLatch(1);
		java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
		RedisMutexStore slowRenewal = new RedisMutexStore(this.connectionA, "mutex", Duration.ofSeconds(10),
				RedisLockType.PUB_SUB_LOCK) {

			@Override
			public boolean renew(Held held, Duration ttl) {
				if (held.isHeld() && first.compareAndSet(true, false)) {
					renewalChecked.countDown(); // checked, and now delayed on its way to
												// Redis
					try {
						renewalGoesOn.await(10, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
				return super.renew(held, ttl);
			}

		};
		MutexTemplate mutex = new MutexTemplate(slowRenewal);
		try {
			MutexLock earlier = mutex.lock("k", Duration.ZERO, Duration.ofMillis(300));
			assertThat(renewalChecked.await(10, TimeUnit.SECONDS)).isTrue();
			Thread releasing = Thread.currentThread();
			CompletableFuture<Void> letRenewalGoOn = CompletableFuture.runAsync(() -> {
				await().atMost(Duration.ofSeconds(10)).until(() -> releasing.getState() == Thread.State.TIMED_WAITING);
				renewalGoesOn.countDown();
			});
			assertThat(earlier.release()).isTrue();
			letRenewalGoOn.get(10, TimeUnit.SECONDS);
			AtomicReference<MutexLock> next = new AtomicReference<>();
			CountDownLatch nextHolds = new CountDownLatch(1);
			CountDownLatch nextDone = new CountDownLatch(1);
			Thread nextHolder = new Thread(() -> {
				next.set(mutex.lock("k", Duration.ZERO, Duration.ofSeconds(30), false));
				nextHolds.countDown();
				try {
					nextDone.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				next.get().release();
			});
			nextHolder.start();
			assertThat(nextHolds.await(10, TimeUnit.SECONDS)).isTrue();
			try {
				assertThat(pttl("mutex:k")).as("the next holder's lease").isGreaterThan(20_000);
				assertThat(new MutexTemplate(this.storeB).tryLock("k")).isEmpty();
			}
			finally {
				nextDone.countDown();
				nextHolder.join(10_000);
			}
		}
		finally {
			mutex.destroy();
		}
	}

	private static long pttl(String key) {
		String reply = redisServer.server().command("PTTL " + key);
		assertThat(reply).startsWith(":");
		return Long.parseLong(reply.substring(1));
	}

	@FunctionalInterface
	interface FaultTest {

		void run(RedisServer server, MutexTemplate mutex) throws Exception;

	}

	/**
	 * A registry that can stop a thread right after {@code obtain()}, to open the window
	 * a sweep must respect.
	 */
	static final class PausingRegistry implements ExpirableLockRegistry<DistributedLock> {

		private final RedisLockRegistry delegate;

		final CountDownLatch paused = new CountDownLatch(1);

		final CountDownLatch resume = new CountDownLatch(1);

		private volatile boolean pauseNext;

		PausingRegistry(RedisLockRegistry delegate) {
			this.delegate = delegate;
		}

		void pauseNextObtain() {
			this.pauseNext = true;
		}

		@Override
		public DistributedLock obtain(Object lockKey) {
			DistributedLock lock = this.delegate.obtain(lockKey);
			if (this.pauseNext) {
				this.pauseNext = false;
				this.paused.countDown();
				awaitQuietly(this.resume);
			}
			return lock;
		}

		@Override
		public void expireUnusedOlderThan(long age) {
			this.delegate.expireUnusedOlderThan(age);
		}

	}

}
