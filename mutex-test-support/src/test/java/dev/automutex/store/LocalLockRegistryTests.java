package dev.automutex.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.integration.support.locks.DefaultLockRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class LocalLockRegistryTests {

	private final LocalLockRegistry registry = new LocalLockRegistry();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void shutdown() {
		this.executor.shutdownNow();
	}

	@Test
	void keysThatShareAStripeInDefaultLockRegistryDoNotContendHere() throws Exception {
		// Find two keys that DefaultLockRegistry maps to the same one of its 256 locks.
		DefaultLockRegistry striped = new DefaultLockRegistry();
		String first = "key-0";
		String second = null;
		for (int i = 1; second == null; i++) {
			if (striped.obtain(first) == striped.obtain("key-" + i)) {
				second = "key-" + i;
			}
		}
		String other = second;
		Lock held = this.registry.obtain(first);
		held.lock();
		try {
			boolean acquired = this.executor.submit(() -> {
				Lock lock = this.registry.obtain(other);
				boolean got = lock.tryLock();
				if (got) {
					lock.unlock();
				}
				return got;
			}).get(10, TimeUnit.SECONDS);
			assertThat(acquired).isTrue();
			Lock stripedHeld = striped.obtain(first);
			stripedHeld.lock();
			try {
				assertThat(this.executor.submit(() -> striped.obtain(other).tryLock()).get(10, TimeUnit.SECONDS))
					.as("DefaultLockRegistry blocks the unrelated key; ours must not").isFalse();
			}
			finally {
				stripedHeld.unlock();
			}
		}
		finally {
			held.unlock();
		}
	}

	@Test
	void memoryStaysBoundedWhateverTheNumberOfKeysEverUsed() {
		for (int i = 0; i < 100_000; i++) {
			Lock lock = this.registry.obtain("order:" + i);
			lock.lock();
			lock.unlock();
			assertThat(this.registry.size()).isLessThanOrEqualTo(LocalLockRegistry.MIN_CLEANUP_THRESHOLD + 1);
		}
		Lock held = this.registry.obtain("held");
		held.lock();
		this.registry.sweep();
		assertThat(this.registry.size()).as("a held key survives the sweep").isOne();
		assertThat(this.registry.isLocked("held")).isTrue();
		held.unlock();
		assertNoEntryLeft();
	}

	@Test
	void manyKeysHeldAtOnceAreKeptAndDroppedAfterRelease() {
		List<Lock> held = new ArrayList<>();
		for (int i = 0; i < 5_000; i++) {
			Lock lock = this.registry.obtain("order:" + i);
			lock.lock();
			held.add(lock);
		}
		assertThat(this.registry.size()).isEqualTo(5_000);
		held.forEach(Lock::unlock);
		for (int i = 0; i < 20_000; i++) {
			Lock lock = this.registry.obtain("other:" + i);
			lock.lock();
			lock.unlock();
		}
		assertThat(this.registry.size()).as("idle entries are cleaned up as new keys arrive")
			.isLessThanOrEqualTo(2 * 5_000 + 1);
		assertNoEntryLeft();
	}

	@Test
	void tokensOfAKeyKeepGrowingAfterItsIdleEntryWasRemoved() throws Exception {
		KeyEntry first = this.registry.acquire("k", 0, false);
		long token = first.nextToken();
		first.release();
		assertThat(this.registry.sweep()).isOne();
		KeyEntry again = this.registry.acquire("k", 0, false);
		assertThat(again).isNotSameAs(first);
		assertThat(again.nextToken()).isGreaterThan(token);
		again.release();
	}

	/**
	 * No key is left held: a sweep removes every entry.
	 */
	private void assertNoEntryLeft() {
		this.registry.sweep();
		assertThat(this.registry.size()).isZero();
	}

	@Test
	void entryStaysWhileAThreadWaitsAndTheWaiterGetsTheKey() throws Exception {
		Lock held = this.registry.obtain("k");
		held.lock();
		AtomicReference<Thread> waiterThread = new AtomicReference<>();
		Future<Boolean> waiter = this.executor.submit(() -> {
			waiterThread.set(Thread.currentThread());
			Lock lock = this.registry.obtain("k");
			boolean got = lock.tryLock(20, TimeUnit.SECONDS);
			lock.unlock();
			return got;
		});
		await().until(() -> waiterThread.get() != null && waiterThread.get().getState() == Thread.State.TIMED_WAITING);
		held.unlock();
		// The holder has let go but the waiter still counts: the entry must survive for the waiter to get it.
		assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
		assertNoEntryLeft();
	}

	@Test
	void manyThreadsOnFewKeysNeverOverlapAndLeaveNoEntries() throws Exception {
		int threads = 8;
		int rounds = 2_000;
		String[] keys = { "a", "b", "c" };
		AtomicInteger[] inside = { new AtomicInteger(), new AtomicInteger(), new AtomicInteger() };
		AtomicInteger overlaps = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int seed = t;
			workers.add(this.executor.submit(() -> {
				start.await();
				for (int i = 0; i < rounds; i++) {
					int k = (i * 7 + seed) % keys.length;
					Lock lock = this.registry.obtain(keys[k]);
					boolean got = (i % 2 == 0) ? lock.tryLock(5, TimeUnit.SECONDS) : lock.tryLock();
					if (!got) {
						continue;
					}
					try {
						if (inside[k].incrementAndGet() > 1) {
							overlaps.incrementAndGet();
						}
						Thread.yield();
						inside[k].decrementAndGet();
					}
					finally {
						lock.unlock();
					}
				}
				return null;
			}));
		}
		start.countDown();
		for (Future<?> worker : workers) {
			worker.get(60, TimeUnit.SECONDS);
		}
		assertThat(overlaps).hasValue(0);
		assertNoEntryLeft();
	}

	@Test
	void awaitReleaseSeesAReleaseEvenWhenTheKeyIsTakenAgainAtOnce() throws Exception {
		Lock held = this.registry.obtain("k");
		held.lock();
		AtomicReference<Thread> waiterThread = new AtomicReference<>();
		Future<Boolean> waiter = this.executor.submit(() -> {
			waiterThread.set(Thread.currentThread());
			return this.registry.awaitRelease("k", java.time.Duration.ofSeconds(20));
		});
		await().until(() -> waiterThread.get() != null && waiterThread.get().getState() == Thread.State.TIMED_WAITING);
		held.unlock();
		held.lock(); // taken again before the waiter can look
		try {
			assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			held.unlock();
		}
		assertNoEntryLeft();
	}

	@Test
	void handleCanBeReusedAndIsReentrant() {
		Lock lock = this.registry.obtain("k");
		lock.lock();
		assertThat(lock.tryLock()).isTrue();
		lock.unlock();
		assertThat(this.registry.isLocked("k")).isTrue();
		lock.unlock();
		assertThat(this.registry.isLocked("k")).isFalse();
		assertThat(lock.tryLock()).isTrue();
		lock.unlock();
		assertNoEntryLeft();
	}

	@Test
	void unlockWithoutHoldingThrows() {
		assertThatExceptionOfType(IllegalMonitorStateException.class)
			.isThrownBy(() -> this.registry.obtain("k").unlock());
		assertThat(this.registry.size()).isZero();
	}

}
