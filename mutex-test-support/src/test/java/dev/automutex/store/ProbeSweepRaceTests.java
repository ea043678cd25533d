package dev.automutex.store;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;
import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.ExpirableLockRegistry;
import org.springframework.integration.support.locks.RenewableLockRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Asking whether a key is locked never releases another holder's key: on an application's
 * own registry (here a {@link RedisLockRegistry} behind a wrapper, so that AutoMutex
 * treats it as any registry), a {@link MutexTemplate#sweep()} that runs while
 * {@link MutexTemplate#isLocked(Object)} is between its registry {@code obtain()} and its
 * lock attempt must not leave the probe with an evicted lock object that passes the
 * registry's ownership check and deletes the key a worker took meanwhile.
 */
class ProbeSweepRaceTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private LettuceConnectionFactory connectionA;

	private LettuceConnectionFactory connectionB;

	private RedisLockRegistry registry;

	private PausingRegistry pausing;

	private MutexTemplate mutex;

	private RedisMutexStore otherStore;

	private MutexTemplate otherInstance;

	private final ExecutorService worker = Executors.newSingleThreadExecutor((task) -> new Thread(task, "test-worker"));

	private final ExecutorService prober = Executors.newSingleThreadExecutor((task) -> new Thread(task, "test-prober"));

	private final ExecutorService sweeper = Executors
		.newSingleThreadExecutor((task) -> new Thread(task, "test-sweeper"));

	@BeforeEach
	void createInstances() {
		redis.server().flushAll();
		this.connectionA = RedisMutexStoreContractTests.connectionFactory(redis.server());
		this.connectionB = RedisMutexStoreContractTests.connectionFactory(redis.server());
		this.registry = new RedisLockRegistry(this.connectionA, "mutex", Duration.ofSeconds(10));
		this.pausing = new PausingRegistry(this.registry, Thread.currentThread());
		this.mutex = new MutexTemplate(this.pausing);
		this.otherStore = new RedisMutexStore(this.connectionB, "mutex", Duration.ofSeconds(10),
				RedisLockType.PUB_SUB_LOCK);
		this.otherInstance = new MutexTemplate(this.otherStore);
	}

	@AfterEach
	void destroyInstances() throws Exception {
		this.pausing.resume.countDown();
		this.worker.shutdownNow();
		this.prober.shutdownNow();
		this.sweeper.shutdownNow();
		this.mutex.destroy();
		this.otherInstance.destroy();
		this.otherStore.destroy();
		this.registry.destroy();
		this.connectionA.destroy();
		this.connectionB.destroy();
	}

	@Test
	void sweepWhileIsLockedProbesLeavesTheKeyOfAWorkerThatTookItMeanwhile() throws Exception {
		// A probe of the free key k pauses right after its obtain().
		CompletableFuture<Boolean> probe = CompletableFuture.supplyAsync(() -> this.mutex.isLocked("k"), this.prober);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.pausing.paused.getCount() == 0 || probe.isDone());

		// A sweep now (on its own thread: it may wait for the probe, or skip the round).
		CompletableFuture<Integer> sweep = CompletableFuture.supplyAsync(this.mutex::sweep, this.sweeper);
		waitAtMost(sweep, Duration.ofSeconds(2));

		// A worker takes k through the same template (it may have to wait for the probe).
		CompletableFuture<MutexLock> taken = CompletableFuture
			.supplyAsync(() -> this.mutex.lock("k", Duration.ofSeconds(10)), this.worker);
		waitAtMost(taken, Duration.ofSeconds(2));

		// The probe goes on with the lock object it obtained before the sweep.
		this.pausing.resume.countDown();
		probe.get(10, TimeUnit.SECONDS);
		sweep.get(10, TimeUnit.SECONDS);
		MutexLock lock = taken.get(10, TimeUnit.SECONDS);
		try {
			assertThat(redis.server().command("EXISTS mutex:k")).as("the worker's key in Redis after the probe")
				.isEqualTo(":1");
			Optional<MutexLock> intruder = this.otherInstance.tryLock("k");
			intruder.ifPresent(MutexLock::release);
			assertThat(intruder).as("another instance's attempt on k while the worker holds it").isEmpty();
			assertThat(CompletableFuture.supplyAsync(lock::isHeld, this.worker).get(10, TimeUnit.SECONDS))
				.as("the worker's lock.isHeld()")
				.isTrue();
		}
		finally {
			CompletableFuture.supplyAsync(lock::release, this.worker).get(10, TimeUnit.SECONDS);
		}
	}

	private static void waitAtMost(CompletableFuture<?> future, Duration wait) throws Exception {
		try {
			future.get(wait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			// It waits for the paused probe: go on.
		}
	}

	/**
	 * An application's own registry (a wrapped {@link RedisLockRegistry}) whose first
	 * {@code obtain("k")} on a thread other than the test's own (the probe's) returns the
	 * lock only once the test says so.
	 */
	static final class PausingRegistry
			implements ExpirableLockRegistry<DistributedLock>, RenewableLockRegistry<DistributedLock> {

		private final RedisLockRegistry delegate;

		private final Thread testThread;

		private final AtomicBoolean armed = new AtomicBoolean(true);

		final CountDownLatch paused = new CountDownLatch(1);

		final CountDownLatch resume = new CountDownLatch(1);

		PausingRegistry(RedisLockRegistry delegate, Thread testThread) {
			this.delegate = delegate;
			this.testThread = testThread;
		}

		@Override
		public DistributedLock obtain(Object lockKey) {
			DistributedLock lock = this.delegate.obtain(lockKey);
			if ("k".equals(lockKey) && isProbeThread(Thread.currentThread()) && this.armed.compareAndSet(true, false)) {
				this.paused.countDown();
				try {
					this.resume.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return lock;
		}

		private boolean isProbeThread(Thread thread) {
			String name = thread.getName();
			return name.startsWith("mutex-probe") || (thread != this.testThread && !name.startsWith("test-worker")
					&& !name.startsWith("test-sweeper"));
		}

		@Override
		public void expireUnusedOlderThan(long age) {
			this.delegate.expireUnusedOlderThan(age);
		}

		@Override
		public void renewLock(Object lockKey) {
			this.delegate.renewLock(lockKey);
		}

		@Override
		public void renewLock(Object lockKey, Duration ttl) {
			this.delegate.renewLock(lockKey, ttl);
		}

	}

}
