package dev.automutex.store;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.automutex.MutexLock;
import dev.automutex.MutexLostException;
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
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Edge cases on Redis: a loss listener that throws, a destroyed template, tiny and huge
 * durations, and an {@code onLost} callback registered after the loss was reported. On
 * both Redis engines.
 */
@Timeout(60)
@ParameterizedClass
@EnumSource(RedisEngine.class)
class RedisEdgeCaseTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Parameter
	RedisEngine engine;

	private RedisInstance instance;

	private MutexTemplate mutex;

	private final ExecutorService executor = Executors.newSingleThreadExecutor();

	@BeforeEach
	void createTemplate() {
		redis.server().flushAll();
		this.instance = RedisInstance.start(redis.server(), this.engine);
		this.mutex = this.instance.mutex();
	}

	@AfterEach
	void destroyTemplate() throws Exception {
		this.executor.shutdownNow();
		this.instance.close();
	}

	@Test
	void releaseOfALostKeyReturnsFalseWhenTheLossListenerThrows() {
		this.mutex.setLossListener((ex) -> {
			throw new IllegalStateException("listener failed");
		});
		MutexLock lock = this.mutex.lock("k");
		redis.server().command("DEL " + redisKey("k"));
		boolean[] released = new boolean[] { true };
		assertThatCode(() -> released[0] = lock.release()).as("release() of a lost key").doesNotThrowAnyException();
		assertThat(released[0]).as("release() of a lost key").isFalse();
	}

	@Test
	void closeOfALostKeyDoesNotThrowWhenTheLossListenerThrows() {
		this.mutex.setLossListener((ex) -> {
			throw new IllegalStateException("listener failed");
		});
		MutexLock lock = this.mutex.lock("k");
		redis.server().command("DEL " + redisKey("k"));
		assertThatCode(lock::close).as("close() of a lost key").doesNotThrowAnyException();
	}

	@Test
	void withLockAsyncWhoseWorkLosesItsKeyCompletesWhenTheLossListenerThrows() {
		this.mutex.setLossListener((ex) -> {
			throw new IllegalStateException("listener failed");
		});
		CompletableFuture<String> result = this.mutex.withLockAsync("k", this.executor, () -> {
			redis.server().command("DEL " + redisKey("k"));
			return "encoded";
		});
		await().atMost(Duration.ofSeconds(5))
			.dontCatchUncaughtExceptions()
			.alias("the future of the work completes")
			.until(result::isDone);
		if (result.isCompletedExceptionally()) {
			assertThat(result).failsWithin(Duration.ZERO)
				.withThrowableOfType(ExecutionException.class)
				.havingCause()
				.isInstanceOf(MutexLostException.class);
		}
	}

	@Test
	void destroyedTemplateRefusesNewLocks() {
		this.mutex.destroy();
		assertThatIllegalStateException().isThrownBy(() -> this.mutex.lock("k", Duration.ZERO))
			.withMessageContaining("destroyed");
		assertThat(redis.server().command("EXISTS " + redisKey("k"))).as(redisKey("k") + " in Redis").isEqualTo(":0");
	}

	@Test
	void expireUnderOneMillisecondIsRefusedBeforeAcquiring() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.mutex.lock("k", Duration.ZERO, Duration.ofNanos(500_000)))
			.withMessageContaining("expire");
		assertThat(redis.server().command("EXISTS " + redisKey("k"))).as(redisKey("k") + " in Redis").isEqualTo(":0");
		assertThat(this.mutex.isLocked("k")).isFalse();
	}

	/**
	 * An expire too long for Redis (its time-to-live is milliseconds since 1970 in a
	 * long) holds the key as a very long lease: no store failure, no overflow into a
	 * negative or short time-to-live.
	 */
	@Test
	void hugeExpireHoldsTheKeyWithALongTimeToLive() {
		for (Duration expire : List.of(Duration.ofMillis(Long.MAX_VALUE), ChronoUnit.FOREVER.getDuration())) {
			MutexLock lock = this.mutex.lock("k", Duration.ZERO, expire);
			long pttl = Long.parseLong(redis.server().command("PTTL " + redisKey("k")).substring(1));
			assertThat(pttl).as("PTTL of " + redisKey("k") + " with expire " + expire)
				.isGreaterThan(Duration.ofDays(365L * 100).toMillis());
			assertThat(lock.release()).isTrue();
		}
	}

	/**
	 * With a 1 ms expire, renewal runs every millisecond, so a renewal can come right
	 * after its task was created. Nothing may fail on the renewal thread: no uncaught
	 * exception, no NullPointerException in the log.
	 */
	@Test
	void oneMillisecondExpireWithRenewalNeverFailsOnTheRenewalThread() {
		List<Throwable> uncaught = new CopyOnWriteArrayList<>();
		Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
		Thread.setDefaultUncaughtExceptionHandler((thread, ex) -> uncaught.add(ex));
		Logger logger = (Logger) LoggerFactory.getLogger("dev.automutex");
		ListAppender<ILoggingEvent> log = new ListAppender<>();
		log.start();
		logger.addAppender(log);
		try {
			for (int i = 0; i < 200; i++) {
				MutexLock lock = this.mutex.lock("k", Duration.ofSeconds(5), Duration.ofMillis(1));
				lock.release();
			}
		}
		finally {
			logger.detachAppender(log);
			Thread.setDefaultUncaughtExceptionHandler(previous);
		}
		assertThat(uncaught).isEmpty();
		assertThat(log.list).as("AutoMutex log events mentioning a NullPointerException")
			.noneMatch(RedisEdgeCaseTests::mentionsNullPointerException);
	}

	/** Where this test's engine keeps a key of prefix {@code mutex} in Redis. */
	private String redisKey(String key) {
		return this.engine.redisKey("mutex", key);
	}

	private static boolean mentionsNullPointerException(ILoggingEvent event) {
		if (event.getFormattedMessage().contains("NullPointerException")) {
			return true;
		}
		for (IThrowableProxy cause = event.getThrowableProxy(); cause != null; cause = cause.getCause()) {
			if (cause.getClassName().equals(NullPointerException.class.getName())) {
				return true;
			}
		}
		return false;
	}

	@Test
	void onLostRegisteredAfterTheLossWasReportedRunsAtOnce() throws Exception {
		CountDownLatch told = new CountDownLatch(1);
		this.mutex.setLossListener((ex) -> told.countDown());
		MutexLock lock = this.mutex.lock("k", Duration.ZERO, Duration.ofSeconds(1));
		try {
			redis.server().command("DEL " + redisKey("k"));
			assertThat(told.await(5, TimeUnit.SECONDS)).as("renewal reported the loss").isTrue();
			AtomicInteger callbacks = new AtomicInteger();
			lock.onLost(callbacks::incrementAndGet);
			await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(callbacks).hasValue(1));
		}
		finally {
			lock.release();
		}
	}

}
