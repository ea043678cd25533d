package dev.automutex.test.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.MutexHolder;
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
public abstract class AbstractMutexStoreContractTests extends AbstractMutexStoreTestSupport {

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
	void isLockedSeesHoldsOfAnyThread() throws Exception {
		assertThat(this.mutex.isLocked("k")).isFalse();
		try (HeldElsewhere holder = holdOnOtherThread("k")) {
			assertThat(this.mutex.isLocked("k")).isTrue();
		}
		assertThat(this.mutex.isLocked("k")).isFalse();
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
	void lockAllHoldsEveryKeyAndReleasingFreesThemAll() throws Exception {
		MutexLock all = this.mutex.lockAll(List.of("c", "a", "b"));
		assertThat(all.keys()).containsExactly("c", "a", "b");
		for (String key : List.of("a", "b", "c")) {
			assertThat(onOtherThread(() -> this.mutex.tryLock(key))).as(key).isEmpty();
		}
		assertThat(all.release()).isTrue();
		assertThat(all.release()).isFalse();
		for (String key : List.of("a", "b", "c")) {
			assertThat(onOtherThread(() -> this.mutex.isLocked(key))).as(key).isFalse();
		}
	}

	@Test
	void lockAllTakesNoneWhenOneKeyIsBusy() throws Exception {
		try (HeldElsewhere holder = holdOnOtherThread("b")) {
			Duration block = Duration.ofMillis(200);
			long start = System.nanoTime();
			assertThatExceptionOfType(MutexLockException.class)
				.isThrownBy(() -> this.mutex.lockAll(List.of("a", "b", "c"), block))
				.withMessageContaining("'b' is held by someone else")
				.withMessageContaining("none of them is held")
				.satisfies((ex) -> assertThat(ex.keys()).containsExactly("a", "b", "c"));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(block);
			assertThat(onOtherThread(() -> this.mutex.isLocked("a"))).isFalse();
			assertThat(onOtherThread(() -> this.mutex.isLocked("c"))).isFalse();
		}
		assertThat(this.mutex.withLockAll(List.of("a", "b", "c"), Duration.ZERO, () -> "all free"))
			.isEqualTo("all free");
	}

	@Test
	void lockAllRejectsDuplicateAndEmptyKeys() {
		record Room(long id) {
		}
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.mutex.lockAll(List.of("a", "b", "a")))
			.withMessageContaining("'a' appears more than once");
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.mutex.lockAll(List.of(new Room(1), "Room:1")))
			.withMessageContaining("'Room:1' appears more than once");
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> this.mutex.lockAll(List.of()));
		assertThat(this.mutex.isLocked("a")).isFalse();
	}

	@Test
	void overlappingKeySetsInAnyOrderNeverDeadlockNorOverlap() throws Exception {
		int threads = 6;
		int rounds = 60;
		List<String> keys = List.of("k0", "k1", "k2", "k3", "k4", "k5");
		Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
		Map<String, int[]> counters = new ConcurrentHashMap<>();
		keys.forEach((key) -> {
			inside.put(key, new AtomicInteger());
			counters.put(key, new int[1]);
		});
		AtomicInteger overlaps = new AtomicInteger();
		AtomicInteger expected = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			workers.add(this.executor.submit(() -> {
				awaitLatch(start);
				ThreadLocalRandom random = ThreadLocalRandom.current();
				for (int i = 0; i < rounds; i++) {
					List<String> subset = new ArrayList<>(keys);
					Collections.shuffle(subset, random);
					List<String> chosen = subset.subList(0, 2 + random.nextInt(3));
					this.mutex.withLockAll(chosen, Duration.ofSeconds(30), () -> {
						for (String key : chosen) {
							if (inside.get(key).incrementAndGet() > 1) {
								overlaps.incrementAndGet();
							}
							int[] counter = counters.get(key);
							int read = counter[0];
							Thread.yield();
							counter[0] = read + 1;
						}
						for (String key : chosen) {
							inside.get(key).decrementAndGet();
						}
					});
					expected.addAndGet(chosen.size());
				}
			}));
		}
		start.countDown();
		for (Future<?> worker : workers) {
			worker.get(50, TimeUnit.SECONDS); // a deadlock fails here
		}
		assertThat(overlaps).hasValue(0);
		assertThat(counters.values().stream().mapToInt((counter) -> counter[0]).sum()).isEqualTo(expected.get());
	}

	@Test
	void releaseAllReleasesEveryLockOfTheCallingThreadOnly() throws Exception {
		HeldElsewhere theirs = holdOnOtherThread("theirs");
		MutexLock single = this.mutex.lock("a");
		MutexLock pair = this.mutex.lockAll(List.of("b", "c"));
		MutexLock again = this.mutex.lock("a", Duration.ZERO); // re-entrant: a second
																// hold of "a"

		this.mutex.releaseAll();

		for (String key : List.of("a", "b", "c")) {
			assertThat(onOtherThread(() -> this.mutex.isLocked(key))).as(key).isFalse();
		}
		assertThat(this.mutex.isLocked("theirs")).isTrue();
		assertThat(single.release()).isFalse();
		assertThat(pair.release()).isFalse();
		assertThat(again.release()).isFalse();
		this.mutex.releaseAll(); // nothing held: nothing happens
		theirs.close();
	}

	@Test
	void awaitReleaseOfAFreeKeyReturnsTrueWithoutWaiting() {
		assertThat(this.mutex.awaitRelease("free", Duration.ZERO)).isTrue();
		assertThat(this.mutex.isLocked("free")).isFalse();
	}

	@Test
	void awaitReleaseOfAHeldKeyTimesOutAndLeavesItHeld() throws Exception {
		try (MutexLock held = this.mutex.lock("k")) {
			assertThat(onOtherThread(() -> this.mutex.awaitRelease("k", Duration.ofMillis(200)))).isFalse();
			assertThat(this.mutex.isLocked("k")).isTrue();
			assertThat(held.release()).isTrue();
		}
	}

	@Test
	void awaitReleaseReturnsWhenHolderReleasesWithoutTakingTheKey() throws Exception {
		MutexLock held = this.mutex.lock("k");
		AtomicReference<Thread> waiterThread = new AtomicReference<>();
		Future<Boolean> waiter = this.executor.submit(() -> {
			waiterThread.set(Thread.currentThread());
			boolean released = this.mutex.awaitRelease("k", Duration.ofSeconds(20));
			this.mutex.releaseAll(); // would release "k" had the waiter taken it
			return released;
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> isWaitingForKey(waiterThread.get()));
		assertThat(waiter.isDone()).isFalse();
		held.release();
		assertThat(waiter.get(15, TimeUnit.SECONDS)).isTrue();
		// Nobody took it: the main thread can, at once.
		Optional<MutexLock> after = this.mutex.tryLock("k");
		assertThat(after).isPresent();
		assertThat(after.get().release()).isTrue();
	}

	@Test
	void holderOfAFreeKeyIsEmpty() {
		assertThat(this.mutex.holder("free")).isEmpty();
	}

	@Test
	void holderNamesTheHoldingThreadAndSinceWhen() throws Exception {
		Instant before = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
		try (HeldElsewhere holder = holdOnOtherThread("k")) {
			Instant after = Instant.now();
			MutexHolder seen = this.mutex.holder("k").orElseThrow();
			assertThat(seen.key()).isEqualTo("k");
			assertThat(seen.thisInstance()).isTrue();
			assertThat(seen.thread()).isEqualTo(holder.thread());
			assertThat(seen.since()).isBetween(before, after);
			if (seen.leaseLeft() != null) {
				assertThat(seen.leaseLeft()).isPositive().isLessThanOrEqualTo(EXPIRE);
			}
		}
		assertThat(this.mutex.holder("k")).isEmpty();
	}

	@Test
	void holderStaysUntilTheLastReentrantHoldIsReleased() {
		MutexLock outer = this.mutex.lock("k");
		Instant since = this.mutex.holder("k").orElseThrow().since();
		MutexLock inner = this.mutex.lock("k");
		inner.release();
		assertThat(this.mutex.holder("k")).hasValueSatisfying((holder) -> assertThat(holder.since()).isEqualTo(since));
		outer.release();
		assertThat(this.mutex.holder("k")).isEmpty();
	}

	@Test
	void handOverReturnsOnceTheWorkerHoldsTheKeyAndTheWorkerKeepsItUntilTheWorkEnds() throws Exception {
		CountDownLatch finish = new CountDownLatch(1);
		AtomicReference<String> worker = new AtomicReference<>();
		CompletableFuture<String> encoded = this.mutex.withLockAsync("video:9", this.executor, () -> {
			worker.set(Thread.currentThread().getName());
			awaitLatch(finish);
			return "encoded";
		});
		// The caller is back at once, and the key is already held, by the worker, not
		// by the caller.
		assertThat(encoded).isNotDone();
		MutexHolder holder = this.mutex.holder("video:9").orElseThrow();
		assertThat(holder.thread()).isNotEqualTo(Thread.currentThread().getName());
		assertThat(this.mutex.tryLock("video:9")).isEmpty();
		finish.countDown();
		assertThat(encoded.get(10, TimeUnit.SECONDS)).isEqualTo("encoded");
		assertThat(holder.thread()).isEqualTo(worker.get());
		assertThat(this.mutex.isLocked("video:9")).as("released before the result completes").isFalse();
	}

	@Test
	void handOverOfABusyKeyThrowsInTheCallerAndNeverRunsTheWork() throws Exception {
		AtomicInteger runs = new AtomicInteger();
		try (HeldElsewhere holder = holdOnOtherThread("video:9")) {
			assertThatExceptionOfType(MutexLockException.class)
				.isThrownBy(() -> this.mutex.withLockAsync("video:9", this.executor, runs::incrementAndGet))
				.withMessageContaining("'video:9'");
		}
		assertThat(runs).hasValue(0);
	}

	@Test
	void handedOverWorkThatFailsReleasesTheKeyAndFailsTheResult() throws Exception {
		IllegalStateException failure = new IllegalStateException("corrupt input");
		CompletableFuture<Object> result = this.mutex.withLockAsync("video:9", this.executor, () -> {
			throw failure;
		});
		assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
			.isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
			.havingCause()
			.isSameAs(failure);
		assertThat(this.mutex.isLocked("video:9")).isFalse();
	}

	@Test
	void isHeldIsTrueWhileHeldAndFalseOnceReleased() {
		MutexLock lock = this.mutex.lock("k");
		assertThat(lock.isHeld()).isTrue();
		lock.release();
		assertThat(lock.isHeld()).isFalse();
	}

	@Test
	void blockMustNotBeNegative() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.mutex.lock("k", Duration.ofMillis(-1)));
	}

}
