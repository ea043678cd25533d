package dev.automutex.test.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import dev.automutex.MutexTemplate;
import dev.automutex.store.MutexStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The contract every {@link MutexStore} meets, run through {@link MutexTemplate}:
 * exclusion, waiting, time-outs, interrupts, re-entrancy, several keys at once,
 * hand-over, inspection. A store's test extends this class and says how to create the
 * store; the tests themselves are shared, unchanged. Stores with more abilities extend
 * {@link AbstractExpiringMutexStoreContractTests} or
 * {@link AbstractRenewableMutexStoreContractTests} instead, and fencing stores also
 * {@link AbstractFencingMutexStoreContractTests}: <pre class="code">
 * class MyStoreContractTests extends AbstractMutexStoreContractTests {
 *     &#64;Override
 *     protected MutexStore createStore() {
 *         return new MyStore();
 *     }
 * }
 * </pre>
 *
 * @since 0.1.0
 */
public abstract class AbstractMutexStoreContractTests extends AbstractMutexStoreSeveralKeysContractTests {

	@Test
	void tryLockWhenHeldByAnotherThreadReturnsEmpty() throws Exception {
		try (MutexLock held = this.mutex.lock("order:1")) {
			Optional<MutexLock> second = onOtherThread(() -> this.mutex.tryLock("order:1"));
			assertThat(second).isEmpty();
		}
	}

	@Test
	void lockWhenHeldByAnotherThreadThrowsNamingKeyAndWait() throws Exception {
		try (MutexLock held = this.mutex.lock("order:1")) {
			Throwable thrown = onOtherThread(() -> {
				try {
					this.mutex.lock("order:1", Duration.ZERO);
					return null;
				}
				catch (MutexLockException ex) {
					return ex;
				}
			});
			assertThat(thrown).isInstanceOf(MutexLockException.class)
				.hasMessageContaining("'order:1'")
				.hasMessageContaining("waited");
			assertThat(((MutexLockException) thrown).keys()).containsExactly("order:1");
		}
	}

	@Test
	void differentKeysAreIndependent() throws Exception {
		try (MutexLock a = this.mutex.lock("a")) {
			Optional<MutexLock> b = onOtherThread(() -> {
				Optional<MutexLock> lock = this.mutex.tryLock("b");
				lock.ifPresent(MutexLock::release);
				return lock;
			});
			assertThat(b).isPresent();
		}
	}

	@Test
	void keyCanBeTakenAgainAfterRelease() throws Exception {
		this.mutex.lock("k").release();
		Optional<MutexLock> again = onOtherThread(() -> {
			Optional<MutexLock> lock = this.mutex.tryLock("k");
			lock.ifPresent(MutexLock::release);
			return lock;
		});
		assertThat(again).isPresent();
		Optional<MutexLock> mine = this.mutex.tryLock("k");
		assertThat(mine).isPresent();
		assertThat(mine.get().release()).isTrue();
	}

	@Test
	void releaseReturnsTrueOnceThenFalse() {
		MutexLock lock = this.mutex.lock("k");
		assertThat(lock.keys()).containsExactly("k");
		assertThat(lock.release()).isTrue();
		assertThat(lock.release()).isFalse();
		lock.close();
		assertThat(this.mutex.isLocked("k")).isFalse();
	}

	@Test
	void exceptionInActionReleasesKeyAndReachesCallerUnchanged() throws Exception {
		IllegalStateException failure = new IllegalStateException("boom");
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> this.mutex.withLock("k", () -> {
			throw failure;
		})).isSameAs(failure);
		assertThat(this.mutex.isLocked("k")).isFalse();
		assertThat(onOtherThread(() -> this.mutex.withLock("k", Duration.ZERO, () -> "free"))).isEqualTo("free");
	}

	@Test
	void withLockRunsActionAndReturnsItsValue() {
		assertThat(this.mutex.withLock("k", () -> this.mutex.isLocked("k"))).isTrue();
		AtomicInteger runs = new AtomicInteger();
		this.mutex.withLock("k", runs::incrementAndGet);
		assertThat(runs).hasValue(1);
		assertThat(this.mutex.isLocked("k")).isFalse();
	}

	@Test
	void withLockWhenBusyDoesNotRunAction() throws Exception {
		AtomicInteger runs = new AtomicInteger();
		try (MutexLock held = this.mutex.lock("k")) {
			Throwable thrown = onOtherThread(() -> {
				try {
					this.mutex.withLock("k", Duration.ZERO, runs::incrementAndGet);
					return null;
				}
				catch (MutexLockException ex) {
					return ex;
				}
			});
			assertThat(thrown).isInstanceOf(MutexLockException.class);
		}
		assertThat(runs).hasValue(0);
	}

	@Test
	void waiterGetsKeyWhenHolderReleases() throws Exception {
		MutexLock held = this.mutex.lock("k");
		AtomicReference<Thread> waiterThread = new AtomicReference<>();
		Future<String> waiter = this.executor.submit(() -> {
			waiterThread.set(Thread.currentThread());
			return this.mutex.withLock("k", Duration.ofSeconds(20), () -> "got it");
		});
		// The waiter is blocked inside the store, not merely about to ask.
		await().atMost(Duration.ofSeconds(10)).until(() -> isWaitingForKey(waiterThread.get()));
		assertThat(waiter.isDone()).isFalse();
		held.release();
		// Well before its 20s wait would end.
		assertThat(waiter.get(15, TimeUnit.SECONDS)).isEqualTo("got it");
	}

	@Test
	void interruptedWaiterGetsLockExceptionAndKeepsItsInterruptStatus() throws Exception {
		MutexLock held = this.mutex.lock("k");
		AtomicReference<Thread> waiterThread = new AtomicReference<>();
		Future<Object[]> waiter = this.executor.submit(() -> {
			waiterThread.set(Thread.currentThread());
			try {
				this.mutex.lock("k", Duration.ofSeconds(20));
				return new Object[] { "acquired", false };
			}
			catch (MutexLockException ex) {
				return new Object[] { ex, Thread.currentThread().isInterrupted() };
			}
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> isWaitingForKey(waiterThread.get()));
		waiterThread.get().interrupt();
		Object[] outcome = waiter.get(15, TimeUnit.SECONDS);
		assertThat(outcome[0]).isInstanceOf(MutexLockException.class);
		assertThat(((MutexLockException) outcome[0])).hasMessageContaining("Interrupted").hasMessageContaining("'k'");
		assertThat(outcome[1]).as("interrupt status kept").isEqualTo(true);
		assertThat(held.release()).isTrue();
		assertThat(this.mutex.isLocked("k")).isFalse();
	}

	@Test
	void lockTimesOutAfterAtLeastTheBlockTime() throws Exception {
		Duration block = Duration.ofMillis(300);
		try (MutexLock held = this.mutex.lock("k")) {
			long[] elapsed = new long[1];
			Throwable thrown = onOtherThread(() -> {
				long start = System.nanoTime();
				try {
					this.mutex.lock("k", block);
					return null;
				}
				catch (MutexLockException ex) {
					return ex;
				}
				finally {
					elapsed[0] = System.nanoTime() - start;
				}
			});
			assertThat(thrown).isInstanceOf(MutexLockException.class);
			assertThat(Duration.ofNanos(elapsed[0])).isGreaterThanOrEqualTo(block);
			assertThat(((MutexLockException) thrown).waited()).isGreaterThanOrEqualTo(block);
		}
	}

	@Test
	void ownerThreadCanLockAgainAndKeyStaysHeldUntilEveryHoldIsReleased() throws Exception {
		MutexLock outer = this.mutex.lock("k");
		MutexLock inner = this.mutex.lock("k", Duration.ZERO);
		assertThat(inner.release()).isTrue();
		assertThat(onOtherThread(() -> this.mutex.isLocked("k"))).isTrue();
		assertThat(onOtherThread(() -> this.mutex.tryLock("k"))).isEmpty();
		assertThat(outer.release()).isTrue();
		assertThat(onOtherThread(() -> this.mutex.isLocked("k"))).isFalse();
	}

	@Test
	void releaseFromAnotherThreadIsRefusedAndKeyStaysHeld() throws Exception {
		MutexLock lock = this.mutex.lock("k");
		Throwable thrown = onOtherThread(() -> {
			try {
				lock.release();
				return null;
			}
			catch (IllegalStateException ex) {
				return ex;
			}
		});
		assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessageContaining("only that thread");
		assertThat(onOtherThread(() -> this.mutex.tryLock("k"))).isEmpty();
		onOtherThread(() -> {
			lock.close(); // quiet by contract: logs, does not throw, does not release
			return null;
		});
		assertThat(onOtherThread(() -> this.mutex.tryLock("k"))).isEmpty();
		assertThat(lock.release()).isTrue();
	}

	@Test
	void objectKeysConvertToTheirText() {
		record Room(long id) {
		}
		try (MutexLock lock = this.mutex.lock(new Room(123))) {
			assertThat(lock.keys()).containsExactly("Room:123");
			assertThat(this.mutex.isLocked("Room:123")).isTrue();
		}
	}

	@Test
	void nullKeyIsRejected() {
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> this.mutex.lock(nullKey()))
			.withMessageContaining("null");
	}

	@Test
	void concurrentIncrementsUnderOneKeyNeverLoseAnUpdateOrOverlap() throws Exception {
		int threads = 8;
		int perThread = 150;
		int[] counter = new int[1]; // deliberately unsynchronised: only the mutex
									// protects it
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			workers.add(this.executor.submit(() -> {
				awaitLatch(start);
				for (int i = 0; i < perThread; i++) {
					this.mutex.withLock("counter", Duration.ofSeconds(30), () -> {
						if (inside.incrementAndGet() > 1) {
							overlaps.incrementAndGet();
						}
						int read = counter[0];
						Thread.yield(); // widen the read-modify-write window
						counter[0] = read + 1;
						inside.decrementAndGet();
					});
				}
			}));
		}
		start.countDown();
		for (Future<?> worker : workers) {
			worker.get(50, TimeUnit.SECONDS);
		}
		assertThat(overlaps).hasValue(0);
		assertThat(counter[0]).isEqualTo(threads * perThread);
		assertThat(this.mutex.isLocked("counter")).isFalse();
	}

	@Test
	void blockMustNotBeNegative() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.mutex.lock("k", Duration.ofMillis(-1)));
	}

}
