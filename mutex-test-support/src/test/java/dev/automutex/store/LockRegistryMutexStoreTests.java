package dev.automutex.store;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.integration.support.locks.ExpirableLockRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sweep guard of {@link LockRegistryMutexStore}: a sweep waits for waiting
 * acquisitions to end their slice and never evicts a lock object in use, while quick
 * passes (a try without waiting) do not queue behind a pending sweep.
 */
class LockRegistryMutexStoreTests {

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void shutdown() {
		this.executor.shutdownNow();
	}

	/**
	 * Review finding: with a fair guard, a try without waiting for a free key queued
	 * behind a sweep that was itself waiting for a waiter's slice to end (up to 200 ms
	 * per try).
	 */
	@Test
	void aTryWithoutWaitingDoesNotQueueBehindAPendingSweep() throws Exception {
		CountDownLatch waiterInside = new CountDownLatch(1);
		CountDownLatch releaseWaiter = new CountDownLatch(1);
		SlowRegistry registry = new SlowRegistry(waiterInside, releaseWaiter);
		LockRegistryMutexStore store = new LockRegistryMutexStore(registry);
		// A waiter inside its slice holds the guard's read side until told to go on.
		Future<?> waiter = this.executor.submit(() -> store.tryAcquire("slow", Duration.ofSeconds(10)));
		assertThat(waiterInside.await(10, TimeUnit.SECONDS)).isTrue();
		Future<Integer> sweep = this.executor.submit(store::sweep);
		await().atMost(Duration.ofSeconds(10)).until(store::isSweepPending);
		// The sweep now waits for the write side; a quick try of a free key must not
		// wait behind it.
		Future<Boolean> quick = this.executor.submit(() -> {
			MutexStore.Held held = store.tryAcquire("free", Duration.ZERO);
			return held != null && held.release();
		});
		try {
			assertThat(quick.get(5, TimeUnit.SECONDS)).isTrue();
			assertThat(sweep).as("the sweep is still waiting for the slice").isNotDone();
		}
		finally {
			releaseWaiter.countDown();
		}
		assertThat(sweep.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(0);
		waiter.get(10, TimeUnit.SECONDS);
	}

	/**
	 * Issue 9, found by the reliability suite's bad-input battery on the
	 * spring-integration engine: a thread interrupted while it waited in lockAll released
	 * the key it already held with its interrupt status set, and the Redis client cancels
	 * a command whose caller is interrupted, so the key stayed in Redis until its lease
	 * ended. A release now runs with the interrupt status cleared, and restores it.
	 */
	@Test
	void releaseByAnInterruptedThreadReleasesAndKeepsTheInterruptStatus() throws Exception {
		Map<Object, Lock> locks = new ConcurrentHashMap<>();
		// Unlocks as a Redis client does: refuses to wait for the reply when interrupted.
		org.springframework.integration.support.locks.LockRegistry<Lock> registry = (key) -> locks.computeIfAbsent(key,
				(k) -> new ReentrantLock() {

					@Override
					public void unlock() {
						if (Thread.currentThread().isInterrupted()) {
							throw new RuntimeException("Command interrupted (simulated)");
						}
						super.unlock();
					}

				});
		LockRegistryMutexStore store = new LockRegistryMutexStore(registry);
		Future<Boolean[]> released = this.executor.submit(() -> {
			MutexStore.Held held = store.tryAcquire("k", Duration.ZERO);
			Thread.currentThread().interrupt();
			boolean result = held.release();
			boolean interrupted = Thread.interrupted();
			return new Boolean[] { result, interrupted };
		});
		assertThat(released.get(10, TimeUnit.SECONDS)).containsExactly(true, true);
		assertThat(((ReentrantLock) locks.get("k")).isLocked()).as("the key is free in the store").isFalse();
	}

	/**
	 * A cache of lock objects whose key "slow" blocks inside tryLock (as a wait for a
	 * busy key does) until told.
	 */
	static final class SlowRegistry implements ExpirableLockRegistry<Lock> {

		private final Map<Object, Lock> locks = new ConcurrentHashMap<>();

		private final CountDownLatch inside;

		private final CountDownLatch release;

		SlowRegistry(CountDownLatch inside, CountDownLatch release) {
			this.inside = inside;
			this.release = release;
		}

		@Override
		public Lock obtain(Object key) {
			return this.locks.computeIfAbsent(key, (k) -> "slow".equals(k) ? new BlockingLock() : new ReentrantLock());
		}

		@Override
		public void expireUnusedOlderThan(long age) {
			this.locks.clear();
		}

		private final class BlockingLock extends ReentrantLock {

			private static final long serialVersionUID = 1L;

			@Override
			public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
				SlowRegistry.this.inside.countDown();
				SlowRegistry.this.release.await(); // keeps the guard's read side until
													// the test lets go
				return false;
			}

		}

	}

}
