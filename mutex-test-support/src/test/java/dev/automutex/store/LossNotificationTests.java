package dev.automutex.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Loss notifications (the loss listener, {@code onLost} callbacks) never hold up renewal:
 * while one of them is slow, every other key held through the same template keeps being
 * renewed, and another instance cannot take it. On both Redis engines.
 */
@Timeout(60)
@ParameterizedClass
@EnumSource(RedisEngine.class)
class LossNotificationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Parameter
	RedisEngine engine;

	private RedisInstance instance;

	private RedisInstance otherInstance;

	/** This instance: expire 1 s, so renewal runs about every 333 ms. */
	private MutexTemplate mutex;

	/** Another instance on the same Redis. */
	private MutexTemplate other;

	/** Opened at the end of each test: lets a blocked notification return. */
	private final CountDownLatch unblock = new CountDownLatch(1);

	/** Opened at the end of each test: lets the holder threads release and end. */
	private final CountDownLatch finished = new CountDownLatch(1);

	private final List<Thread> holders = new CopyOnWriteArrayList<>();

	private final List<Throwable> holderFailures = new CopyOnWriteArrayList<>();

	@BeforeEach
	void createInstances() {
		redis.server().flushAll();
		this.instance = RedisInstance.start(redis.server(), this.engine);
		this.otherInstance = RedisInstance.start(redis.server(), this.engine);
		this.mutex = this.instance.mutex();
		this.mutex.setDefaultExpire(Duration.ofSeconds(1));
		this.other = this.otherInstance.mutex();
	}

	@AfterEach
	void destroyInstances() throws Exception {
		this.unblock.countDown();
		this.finished.countDown();
		for (Thread holder : this.holders) {
			holder.join(10_000);
		}
		this.instance.close();
		this.otherInstance.close();
		assertThat(this.holderFailures).isEmpty();
	}

	@Test
	void slowLossListenerDoesNotStopRenewalOfOtherHeldKeys() throws Exception {
		CountDownLatch told = new CountDownLatch(1);
		this.mutex.setLossListener((ex) -> {
			told.countDown();
			awaitAtMostTenSeconds(this.unblock);
		});
		holdOnItsOwnThread("a", (lock) -> {
		});
		holdOnItsOwnThread("b", (lock) -> {
		});

		redis.server().command("DEL " + redisKey("a"));
		assertThat(told.await(5, TimeUnit.SECONDS)).as("the loss of 'a' was reported").isTrue();

		assertStaysHeldForThreeSeconds("b");
	}

	@Test
	void slowOnLostCallbackDoesNotStopRenewalOfOtherHeldKeys() throws Exception {
		CountDownLatch told = new CountDownLatch(1);
		holdOnItsOwnThread("a", (lock) -> lock.onLost(() -> {
			told.countDown();
			awaitAtMostTenSeconds(this.unblock);
		}));
		holdOnItsOwnThread("b", (lock) -> {
		});

		redis.server().command("DEL " + redisKey("a"));
		assertThat(told.await(5, TimeUnit.SECONDS)).as("the onLost callback of 'a' ran").isTrue();

		assertStaysHeldForThreeSeconds("b");
	}

	/**
	 * While the notification of the loss of 'a' is still blocked, the key keeps its
	 * time-to-live (renewal goes on) and the other instance is refused.
	 */
	private void assertStaysHeldForThreeSeconds(String key) {
		await().during(Duration.ofSeconds(3))
			.atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(100))
			.untilAsserted(() -> {
				assertThat(pttl(redisKey(key))).as("PTTL of " + redisKey(key)).isPositive();
				assertThat(takenByOtherInstance(key)).as("'" + key + "' taken by the other instance").isFalse();
			});
	}

	private boolean takenByOtherInstance(String key) {
		Optional<MutexLock> lock = this.other.tryLock(key);
		lock.ifPresent(MutexLock::release);
		return lock.isPresent();
	}

	/**
	 * Take the key on a thread of its own (locks belong to their thread), which holds it
	 * until the test ends.
	 */
	private void holdOnItsOwnThread(String key, Consumer<MutexLock> then) throws InterruptedException {
		CountDownLatch held = new CountDownLatch(1);
		Thread holder = new Thread(() -> {
			try {
				MutexLock lock = this.mutex.lock(key, Duration.ofSeconds(5));
				then.accept(lock);
				held.countDown();
				awaitAtMostTenSeconds(this.finished);
				lock.release();
			}
			catch (Throwable ex) {
				this.holderFailures.add(ex);
			}
		}, "holder-" + key);
		this.holders.add(holder);
		holder.start();
		assertThat(held.await(10, TimeUnit.SECONDS)).as("'" + key + "' held").isTrue();
	}

	/** Where this test's engine keeps a key of prefix {@code mutex} in Redis. */
	private String redisKey(String key) {
		return this.engine.redisKey("mutex", key);
	}

	private static long pttl(String redisKey) {
		return Long.parseLong(redis.server().command("PTTL " + redisKey).substring(1));
	}

	private static void awaitAtMostTenSeconds(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
