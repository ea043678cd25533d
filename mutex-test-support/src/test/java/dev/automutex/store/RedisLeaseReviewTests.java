package dev.automutex.store;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Review findings on the AutoMutex Redis engine, each shown on a real redis-server. Some
 * need an exact interleaving: they drive a bare {@link RedisLeases} whose template can
 * hold a chosen script at a chosen point, or deliver its wake-ups by hand.
 */
@Timeout(60)
class RedisLeaseReviewTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static final Duration LONG = Duration.ofSeconds(60);

	private final List<LettuceConnectionFactory> connections = new ArrayList<>();

	private final List<RedisLeaseLockRegistry> registries = new ArrayList<>();

	private final List<RedisLeases> engines = new ArrayList<>();

	private final List<RedisMessageListenerContainer> containers = new ArrayList<>();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@BeforeEach
	void flush() {
		redis.server().flushAll();
	}

	@AfterEach
	void destroyInstances() throws Exception {
		this.executor.shutdownNow();
		for (RedisMessageListenerContainer container : this.containers) {
			container.destroy();
		}
		for (RedisLeaseLockRegistry registry : this.registries) {
			registry.destroy();
		}
		for (RedisLeases engine : this.engines) {
			engine.shutdown();
		}
		for (LettuceConnectionFactory connection : this.connections) {
			connection.destroy();
		}
	}

	private LettuceConnectionFactory connection() {
		LettuceConnectionFactory connection = RedisMutexStoreContractTests.connectionFactory(redis.server());
		this.connections.add(connection);
		return connection;
	}

	private RedisLeaseLockRegistry registry() {
		RedisLeaseLockRegistry registry = new RedisLeaseLockRegistry(connection(), "mutex", Duration.ofSeconds(30));
		this.registries.add(registry);
		return registry;
	}

	/**
	 * An instance of the engine without the registry: its template may hold scripts
	 * ({@link HookedTemplate}), and its wake-ups are delivered only when the test calls
	 * {@link RedisLeases#woken(byte[])}, unless {@code deliverWakeUps} (a subscriber on
	 * its channel makes the release script count it as alive either way).
	 */
	private RedisLeases bareEngine(HookedTemplate template, String instanceId, boolean deliverWakeUps) {
		template.setConnectionFactory(connection());
		template.afterPropertiesSet();
		RedisKeyLayout layout = new RedisKeyLayout("mutex");
		RedisLeases engine = new RedisLeases(layout,
				new RedisLockScripts(new RedisScriptRunner.TemplateScriptRunner(template),
						"127.0.0.1:" + redis.server().port(), layout.wakeChannelPrefix(), false),
				instanceId, RedisLeaseLockRegistry.DEFAULT_MAX_LOCAL_HAND_OFFS, false);
		engine.subscribed();
		this.engines.add(engine);
		RedisMessageListenerContainer container = new RedisMessageListenerContainer();
		container.setConnectionFactory(connection());
		container.addMessageListener((message, pattern) -> {
			if (deliverWakeUps) {
				engine.woken(message.getBody());
			}
		}, new ChannelTopic(layout.wakeChannelPrefix() + instanceId));
		container.afterPropertiesSet();
		container.start();
		this.containers.add(container);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> redis.server().command("PUBSUB CHANNELS mutex:wake:" + instanceId).equals("*1"));
		return engine;
	}

	@SuppressWarnings("unchecked")
	private static KeyWaitQueue record(RedisLeases engine, String key) throws Exception {
		Field field = RedisLeases.class.getDeclaredField("queues");
		field.setAccessible(true);
		return ((Map<String, KeyWaitQueue>) field.get(engine)).get(key);
	}

	private static boolean hasWaiters(KeyWaitQueue queue) {
		synchronized (queue) {
			return queue.hasWaiters();
		}
	}

	// --- Finding 1 ---------------------------------------------------------------------

	/**
	 * A lease that outlived its time-to-live and was not released yet (a slow holder)
	 * keeps {@code localLeases} at 1; once a second lease of the same key was granted and
	 * released, {@code heldUntil} still tells the second lease's end, so the instance
	 * believes it holds the key: it neither tries nor asks Redis until then, although the
	 * key is free.
	 */
	@Test
	void keyReleasedHereIsNotThoughtHeldBecauseAnOlderLeaseOfThisInstanceLapsed() throws Exception {
		RedisLeaseLockRegistry a = registry();
		RedisLeaseLockRegistry b = registry();
		RedisLease slow = a.acquire("k", Duration.ZERO, Duration.ofMillis(200));
		assertThat(slow).isNotNull();
		await().atMost(Duration.ofSeconds(5)).until(() -> !a.isLocked("k"));
		RedisLease next = a.acquire("k", Duration.ZERO, LONG);
		assertThat(next).isNotNull();
		assertThat(next.release()).isTrue();
		assertThat(a.isLocked("k")).as("free in Redis").isFalse();
		// Another instance gets it at once...
		RedisLease other = b.acquire("k", Duration.ZERO, LONG);
		assertThat(other).isNotNull();
		assertThat(other.release()).isTrue();
		// ...and so should this one.
		RedisLease again = a.acquire("k", Duration.ZERO, LONG);
		assertThat(again).as("a free key, tried without waiting").isNotNull();
		again.release();
		slow.release();
	}

	// --- Finding 2 ---------------------------------------------------------------------

	/**
	 * A wake-up that arrives while the instance's only waiter is on its way out (its wait
	 * just ended, or it was interrupted) must not be lost: the key was granted to this
	 * instance, so it goes to that waiter, which has not left yet.
	 */
	@Test
	void grantThatArrivesAsTheOnlyWaiterLeavesGoesToIt() throws Exception {
		// The grant as the release sent it.
		LeavingWaiter leaving = leavingWaiter(LONG.toMillis());
		RedisLease got = leaving.future.get(10, TimeUnit.SECONDS);
		assertThat(got).as("granted before it left").isNotNull();
		assertThat(got.fencingToken()).isGreaterThan(leaving.holderToken);
		assertThat(got.isHeld()).isTrue();
		assertThat(got.release()).isTrue();
		RedisLease next = leaving.other.get(5, TimeUnit.SECONDS);
		assertThat(next).isNotNull();
		next.release();
	}

	/**
	 * The same, when the grant's time-to-live (asked by an earlier first waiter) is
	 * shorter than the waiter's: the grant is left for the waiter's attempt, which would
	 * lengthen it. The waiter leaves instead: the key must go on to the next instance at
	 * once, not stay held for the grant's time-to-live.
	 */
	@Test
	void grantLeftForTheWaitersAttemptIsPassedOnWhenTheOnlyWaiterLeaves() throws Exception {
		LeavingWaiter leaving = leavingWaiter(1000);
		assertThat(leaving.future.get(10, TimeUnit.SECONDS)).as("its wait ended").isNull();
		// The other instance should have it long before its 20 s wait or the grant's
		// 60 s time-to-live in Redis.
		RedisLease got = leaving.other.get(5, TimeUnit.SECONDS);
		assertThat(got).isNotNull();
		got.release();
	}

	/**
	 * An instance whose only waiter (60 s time-to-live, 2 s wait) has seen its wait end
	 * and waits for the key's record, which the test holds, while the holder on another
	 * instance releases: the key is granted to the waiting instance in Redis, and the
	 * grant's message arrives (the test delivers it, with the given time-to-live) before
	 * the waiter takes the record. A third instance waits behind it.
	 */
	private LeavingWaiter leavingWaiter(long grantTtlMillis) throws Exception {
		HookedTemplate template = new HookedTemplate();
		String cId = RedisLeases.newInstanceId();
		RedisLeases c = bareEngine(template, cId, false);
		RedisLeaseLockRegistry a = registry();
		RedisLeaseLockRegistry b = registry();
		RedisLease holder = a.acquire("k", Duration.ZERO, LONG);
		Thread[] waiterThread = new Thread[1];
		Future<RedisLease> leaving = this.executor.submit(() -> {
			waiterThread[0] = Thread.currentThread();
			return c.acquire("k", TimeUnit.SECONDS.toNanos(2), LONG.toMillis(), false);
		});
		await().atMost(Duration.ofSeconds(10))
			.until(() -> redis.server().command("ZRANK mutex:{k}:q " + cId), ":0"::equals);
		Future<RedisLease> other = this.executor.submit(() -> b.acquire("k", Duration.ofSeconds(20), LONG));
		await().atMost(Duration.ofSeconds(10)).until(() -> redis.server().command("ZCARD mutex:{k}:q"), ":2"::equals);
		KeyWaitQueue queue = record(c, "k");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> hasWaiters(queue) && waiterThread[0].getState() == Thread.State.TIMED_WAITING);
		synchronized (queue) {
			// The waiter's wait ends: it has looked at the clock and waits for the
			// record.
			await().atMost(Duration.ofSeconds(10)).until(() -> waiterThread[0].getState() == Thread.State.BLOCKED);
			// Now the holder releases: the script grants the key to this instance, with
			// the time-to-live its waiter asked for.
			assertThat(holder.release()).isTrue();
			String granted = template.opsForValue().get("mutex:{k}");
			assertThat(granted).startsWith(cId + ":g:");
			assertThat(Long.parseLong(redis.server().command("PTTL mutex:{k}").substring(1))).isBetween(50_000L,
					LONG.toMillis());
			String token = granted.substring(granted.lastIndexOf(':') + 1);
			c.woken(("g " + token + " " + grantTtlMillis + " k").getBytes(StandardCharsets.UTF_8));
		}
		return new LeavingWaiter(leaving, other, holder.fencingToken());
	}

	// --- Finding 3 ---------------------------------------------------------------------

	/**
	 * The last waiter to leave takes this instance out of the key's queue in Redis
	 * ({@code ZREM}) after it let go of the record; a thread that arrives meanwhile
	 * queues the instance ({@code ZADD NX}, a no-op as it is still there) and sleeps for
	 * the holder's time-to-live; the late {@code ZREM} then takes it out of the queue, so
	 * the release wakes nobody here.
	 */
	@Test
	void threadThatQueuesWhileTheLastWaiterUnqueuesIsStillWoken() throws Exception {
		HookedTemplate template = new HookedTemplate();
		String cId = RedisLeases.newInstanceId();
		RedisLeases c = bareEngine(template, cId, true);
		RedisLeaseLockRegistry a = registry();
		RedisLease holder = a.acquire("k", Duration.ZERO, LONG);
		CountDownLatch unqueueing = new CountDownLatch(1);
		CountDownLatch newcomerQueued = new CountDownLatch(1);
		template.hook = (step, thread, after) -> {
			if (step.equals("unregister") && !after && thread.equals("leaving")) {
				unqueueing.countDown();
				awaitLatch(newcomerQueued);
			}
			if (step.equals("acquire") && after && thread.equals("newcomer")) {
				newcomerQueued.countDown();
			}
		};
		Future<RedisLease> leaving = this.executor.submit(() -> {
			Thread.currentThread().setName("leaving");
			return c.acquire("k", TimeUnit.MILLISECONDS.toNanos(300), LONG.toMillis(), false);
		});
		assertThat(unqueueing.await(10, TimeUnit.SECONDS)).isTrue();
		Future<RedisLease> newcomer = this.executor.submit(() -> {
			Thread.currentThread().setName("newcomer");
			return c.acquire("k", TimeUnit.SECONDS.toNanos(20), LONG.toMillis(), false);
		});
		assertThat(leaving.get(10, TimeUnit.SECONDS)).isNull();
		assertThat(newcomerQueued.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(holder.release()).isTrue();
		RedisLease got = newcomer.get(5, TimeUnit.SECONDS);
		assertThat(got).as("woken when the holder released").isNotNull();
		got.release();
	}

	// --- Finding 4 ---------------------------------------------------------------------

	/**
	 * A release picks the first waiter for a hand-off while that waiter's own attempt is
	 * on its way (the releasing lease had lapsed, so the waiter asked Redis). The attempt
	 * wins; the hand-off fails (the old lease is lost) and puts the waiter back at the
	 * head of the queue although its thread has left with its lease. The next release
	 * hands the key to that phantom: Redis holds it for a lease nobody has, for its whole
	 * time-to-live, and the record never leaves.
	 */
	@Test
	void failedHandOffDoesNotRequeueAWaiterWhoseOwnAttemptWon() throws Exception {
		HookedTemplate template = new HookedTemplate();
		RedisLeases c = bareEngine(template, RedisLeases.newInstanceId(), true);
		RedisLeaseLockRegistry b = registry();
		CountDownLatch waiterAttempting = new CountDownLatch(1);
		CountDownLatch handOffStarted = new CountDownLatch(1);
		CountDownLatch waiterReturned = new CountDownLatch(1);
		template.hook = (step, thread, after) -> {
			if (step.equals("acquire") && !after && thread.equals("waiter")) {
				waiterAttempting.countDown();
				awaitLatch(handOffStarted);
			}
			if (step.equals("handOff") && thread.equals("releaser")) {
				if (!after) {
					handOffStarted.countDown();
				}
				else {
					awaitLatch(waiterReturned);
				}
			}
		};
		RedisLease lapsing = c.acquire("k", 0, 300, false);
		assertThat(lapsing).isNotNull();
		Future<RedisLease> waiter = this.executor.submit(() -> {
			Thread.currentThread().setName("waiter");
			try {
				return c.acquire("k", TimeUnit.SECONDS.toNanos(10), LONG.toMillis(), false);
			}
			finally {
				waiterReturned.countDown();
			}
		});
		// The waiter asks Redis once the local lease's time-to-live has passed.
		assertThat(waiterAttempting.await(10, TimeUnit.SECONDS)).isTrue();
		Future<Boolean> release = this.executor.submit(() -> {
			Thread.currentThread().setName("releaser");
			return lapsing.release();
		});
		RedisLease won = waiter.get(10, TimeUnit.SECONDS);
		assertThat(won).as("its own attempt won").isNotNull();
		assertThat(release.get(10, TimeUnit.SECONDS)).as("the lapsed lease").isFalse();
		template.hook = (step, thread, after) -> {
		};
		assertThat(won.release()).isTrue();
		assertThat(b.isLocked("k")).as("held in Redis after its only holder released it").isFalse();
		assertThat(c.keysInUse()).isZero();
	}

	// --- Finding 5 ---------------------------------------------------------------------

	/**
	 * An interrupt that comes while a waiter's attempt is at Redis ends the client's wait
	 * for the reply (Lettuce: {@code RedisCommandInterruptedException}) and surfaces as
	 * "Redis failed" instead of {@link InterruptedException}; an uninterruptible
	 * {@code lock()} then throws.
	 */
	@Test
	void interruptDuringARoundTripIsAnInterruptNotARedisFailure() throws Exception {
		HookedTemplate template = new HookedTemplate();
		RedisLeases c = bareEngine(template, RedisLeases.newInstanceId(), true);
		RedisLeaseLockRegistry a = registry();
		RedisLease holder = a.acquire("k", Duration.ZERO, LONG);
		assertThat(c.isLocked("k")).as("connected").isTrue();
		template.hook = (step, thread, after) -> {
			if (step.equals("acquire") && !after && thread.equals("interrupted")) {
				Thread.currentThread().interrupt(); // as if interrupted during the call
			}
		};
		Future<Throwable> waiter = this.executor.submit(() -> {
			Thread.currentThread().setName("interrupted");
			try {
				c.acquire("k", TimeUnit.SECONDS.toNanos(5), LONG.toMillis(), false);
				return null;
			}
			catch (Throwable ex) {
				return ex;
			}
		});
		assertThat(waiter.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
		holder.release();
		await().atMost(Duration.ofSeconds(5)).until(() -> c.keysInUse() == 0);
	}

	// --- Finding 6 ---------------------------------------------------------------------

	/**
	 * A grant that arrives while the thread whose attempt queued the instance has not
	 * taken its place in the local queue yet (a first attempt, made before queueing here)
	 * finds nobody waiting. Released on to the next instance, it would cost two more
	 * scripts; worse, the thread would sleep for the old holder's time-to-live, which its
	 * attempt reported. The thread must take the grant once it waits.
	 */
	@Test
	void grantThatArrivesBeforeTheQueuingThreadWaitsIsNotLostToIt() throws Exception {
		HookedTemplate template = new HookedTemplate();
		String cId = RedisLeases.newInstanceId();
		RedisLeases c = bareEngine(template, cId, false);
		RedisLeaseLockRegistry a = registry();
		RedisLease holder = a.acquire("k", Duration.ZERO, LONG);
		String[] grantToken = new String[1];
		template.hook = (step, thread, after) -> {
			if (step.equals("acquire") && after && thread.equals("arriving")) {
				template.hook = (s, t, x) -> {
				};
				// The attempt found the key busy and queued this instance: the holder
				// releases and the grant's message arrives before the thread goes on.
				holder.release();
				String granted = template.opsForValue().get("mutex:{k}");
				assertThat(granted).startsWith(cId + ":g:");
				grantToken[0] = granted.substring(granted.lastIndexOf(':') + 1);
				c.woken(("g " + grantToken[0] + " " + LONG.toMillis() + " k").getBytes(StandardCharsets.UTF_8));
			}
		};
		Future<RedisLease> arriving = this.executor.submit(() -> {
			Thread.currentThread().setName("arriving");
			return c.acquire("k", TimeUnit.SECONDS.toNanos(30), LONG.toMillis(), false);
		});
		RedisLease got = arriving.get(5, TimeUnit.SECONDS);
		assertThat(got).as("the key, long before the old holder's 60 s").isNotNull();
		assertThat(got.fencingToken()).as("the grant itself").isEqualTo(Long.parseLong(grantToken[0]));
		assertThat(template.opsForValue().get("mutex:{k}")).isEqualTo(cId + ":g:" + grantToken[0]);
		assertThat(got.release()).isTrue();
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			if (!latch.await(20, TimeUnit.SECONDS)) {
				throw new IllegalStateException("latch not reached");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	interface Hook {

		void at(String step, String thread, boolean after);

	}

	/**
	 * A template that calls a hook before and after each lock script and each
	 * {@code ZREM}, on the calling thread.
	 */
	static class HookedTemplate extends StringRedisTemplate {

		volatile Hook hook = (step, thread, after) -> {
		};

		@Override
		public <T> T execute(RedisScript<T> script, List<String> keys, Object... args) {
			String step = step(script.getScriptAsString());
			String thread = Thread.currentThread().getName();
			this.hook.at(step, thread, false);
			T result = super.execute(script, keys, args);
			this.hook.at(step, thread, true);
			return result;
		}

		private static String step(String text) {
			if (text.contains("local others")) {
				return "handOff";
			}
			if (text.contains("'ZADD', KEYS[2], score")) {
				return "acquire";
			}
			if (text.contains("KEYS[3], '', ARGV[2]")) {
				return "release";
			}
			if (text.contains("return redis.call('ZREM', KEYS[1], ARGV[1])")) {
				return "unregister";
			}
			if (text.contains("ARGV[5] then")) {
				return "passOn";
			}
			return "other";
		}

	}

	private record LeavingWaiter(Future<RedisLease> future, Future<RedisLease> other, long holderToken) {

	}

}
