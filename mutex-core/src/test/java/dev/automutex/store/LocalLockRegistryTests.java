package dev.automutex.store;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
	void memoryFollowsHeldKeysNotKeysEverUsed() {
		for (int i = 0; i < 10_000; i++) {
			Lock lock = this.registry.obtain("order:" + i);
			lock.lock();
			lock.unlock();
		}
		assertThat(this.registry.size()).isZero();
		Lock held = this.registry.obtain("held");
		held.lock();
		assertThat(this.registry.size()).isOne();
		held.unlock();
		assertThat(this.registry.size()).isZero();
	}

	@Test
	void entryStaysWhileAThreadWaitsAndGoesWhenItIsDone() throws Exception {
		Lock held = this.registry.obtain("k");
		held.lock();
		CountDownLatch started = new CountDownLatch(1);
		Future<Boolean> waiter = this.executor.submit(() -> {
			started.countDown();
			Lock lock = this.registry.obtain("k");
			boolean got = lock.tryLock(20, TimeUnit.SECONDS);
			lock.unlock();
			return got;
		});
		started.await();
		await().until(() -> this.registry.isLocked("k"));
		held.unlock();
		assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.registry.size()).isZero();
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
		assertThat(this.registry.size()).isZero();
	}

	@Test
	void unlockWithoutHoldingThrows() {
		assertThatExceptionOfType(IllegalMonitorStateException.class)
			.isThrownBy(() -> this.registry.obtain("k").unlock());
		assertThat(this.registry.size()).isZero();
	}

}
