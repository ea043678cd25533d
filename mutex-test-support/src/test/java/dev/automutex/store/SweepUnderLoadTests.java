package dev.automutex.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServerExtension;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sweep makes progress while other threads keep waiting for a busy key: it drops the idle
 * cached lock objects, and never one that a thread is using (the waiters of the busy key
 * stay mutually excluded).
 */
@Timeout(60)
class SweepUnderLoadTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private RedisInstance instance;

	private MutexTemplate mutex;

	private final ExecutorService threads = Executors.newFixedThreadPool(4);

	@BeforeEach
	void createTemplate() {
		redis.server().flushAll();
		// Spring Integration's engine only: sweep drops a registry's idle lock objects,
		// and
		// AutoMutex's own engine (RedisLeaseMutexStore) is no SweepableMutexStore.
		this.instance = RedisInstance.start(redis.server(), RedisEngine.SPRING_INTEGRATION);
		this.mutex = this.instance.mutex();
	}

	@AfterEach
	void destroyTemplate() throws Exception {
		this.threads.shutdownNow();
		this.threads.awaitTermination(10, TimeUnit.SECONDS);
		this.instance.close();
	}

	@Test
	void sweepRemovesIdleEntriesWhileThreadsContendForABusyKey() throws Exception {
		AtomicBoolean stop = new AtomicBoolean();
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		AtomicInteger taken = new AtomicInteger();
		int[] counter = new int[1]; // guarded by the "hot" key only
		List<Throwable> failures = new CopyOnWriteArrayList<>();
		List<Future<?>> contenders = new ArrayList<>();
		for (int t = 0; t < 3; t++) {
			contenders.add(this.threads.submit(() -> {
				try {
					while (!stop.get()) {
						MutexLock lock = this.mutex.lock("hot", Duration.ofSeconds(5));
						try {
							taken.incrementAndGet();
							if (inside.incrementAndGet() != 1) {
								overlaps.incrementAndGet();
							}
							counter[0]++;
							LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3)); // simulated
																						// work
							inside.decrementAndGet();
						}
						finally {
							lock.release();
						}
					}
				}
				catch (Throwable ex) {
					failures.add(ex);
				}
			}));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> taken.get() >= 30);
		// Idle cached lock objects: 500 keys, each locked and released once.
		this.threads.submit(() -> {
			for (int i = 0; i < 500; i++) {
				this.mutex.lock("idle:" + i, Duration.ofSeconds(5)).release();
			}
		}).get(30, TimeUnit.SECONDS);
		int takenBeforeSweeps = taken.get();

		List<Integer> swept = new CopyOnWriteArrayList<>();
		try {
			await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
				swept.add(this.mutex.sweep());
				return swept.get(swept.size() - 1) > 0;
			});
		}
		catch (ConditionTimeoutException ex) {
			// every sweep removed nothing: asserted below, with the results
		}
		finally {
			stop.set(true);
			for (Future<?> contender : contenders) {
				contender.get(20, TimeUnit.SECONDS);
			}
		}

		assertThat(taken.get()).as("contention went on during the sweeps").isGreaterThan(takenBeforeSweeps);
		assertThat(swept).as("sweep results while the busy key had waiters").anyMatch((removed) -> removed > 0);
		assertThat(failures).isEmpty();
		assertThat(overlaps).as("holders of 'hot' that overlapped").hasValue(0);
		assertThat(counter[0]).as("increments made under the lock").isEqualTo(taken.get());
	}

}
