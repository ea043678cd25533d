package dev.automutex.store;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A clean release never reports a loss, also when a renewal is due at the very moment of
 * the release: no {@code onLost} callback of a hold whose release found its key, and no
 * loss listener call for it. Renewal runs every 10 ms here (expire 30 ms), and the holds
 * last about one to two renewal periods, so that many releases coincide with a renewal. A
 * hold whose key really expired (its release returns {@code false}: a renewal came more
 * than 20 ms late on a loaded machine) may be reported, at most twice (by renewal and by
 * its release). On both Redis engines.
 */
@Timeout(120)
@ParameterizedClass
@EnumSource(RedisEngine.class)
class CleanReleaseTests {

	private static final Duration EXPIRE = Duration.ofMillis(30);

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Parameter
	RedisEngine engine;

	private RedisInstance instance;

	private MutexTemplate mutex;

	private final List<MutexLostException> reported = new CopyOnWriteArrayList<>();

	/** The holds whose onLost callback ran. */
	private final Set<String> callbacksRun = ConcurrentHashMap.newKeySet();

	/** The holds whose release found the key gone: really lost. */
	private final Set<String> lost = ConcurrentHashMap.newKeySet();

	@BeforeEach
	void createTemplate() {
		redis.server().flushAll();
		this.instance = RedisInstance.start(redis.server(), this.engine);
		this.mutex = this.instance.mutex();
		this.mutex.setDefaultExpire(EXPIRE);
		this.mutex.setLossListener(this.reported::add);
	}

	@AfterEach
	void destroyTemplate() throws Exception {
		this.instance.close();
	}

	@Test
	void repeatedCleanReleasesWithRenewalDueNeverReportALoss() {
		for (int i = 0; i < 500; i++) {
			holdOnce("hold " + i);
		}
		assertNoLossReportedForCleanReleases();
	}

	/**
	 * Each thread's callbacks belong to its own holds: none runs, for either thread, when
	 * the key passes back and forth between them and every release is clean.
	 */
	@Test
	void keyPassedBetweenTwoThreadsNeverRunsACallbackOfEitherHolder() throws Exception {
		List<Throwable> failures = new CopyOnWriteArrayList<>();
		CountDownLatch done = new CountDownLatch(2);
		for (String name : List.of("first", "second")) {
			Thread thread = new Thread(() -> {
				try {
					for (int i = 0; i < 150; i++) {
						holdOnce(name + "'s hold " + i);
					}
				}
				catch (Throwable ex) {
					failures.add(ex);
				}
				finally {
					done.countDown();
				}
			}, name);
			thread.start();
		}
		assertThat(done.await(100, TimeUnit.SECONDS)).as("both threads finished").isTrue();
		assertThat(failures).isEmpty();
		assertNoLossReportedForCleanReleases();
	}

	private void holdOnce(String hold) {
		MutexLock lock = this.mutex.lock("k", Duration.ofSeconds(5));
		lock.onLost(() -> this.callbacksRun.add(hold));
		work();
		if (!lock.release()) {
			this.lost.add(hold);
		}
	}

	private void assertNoLossReportedForCleanReleases() {
		Set<String> cleanButCalledBack = new TreeSet<>(this.callbacksRun);
		cleanButCalledBack.removeAll(this.lost);
		assertThat(cleanButCalledBack).as("holds released cleanly whose onLost callback ran").isEmpty();
		assertThat(this.reported)
			.as("losses reported to the loss listener, while %d holds were really lost %s", this.lost.size(), this.lost)
			.hasSizeLessThanOrEqualTo(2 * this.lost.size());
	}

	/**
	 * Simulated work of one to two renewal periods, so that the release falls at any
	 * point of the renewal cycle.
	 */
	private static void work() {
		LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextLong(9, 22)));
	}

}
