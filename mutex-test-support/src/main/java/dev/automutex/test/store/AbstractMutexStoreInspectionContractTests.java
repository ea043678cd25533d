package dev.automutex.test.store;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.MutexHolder;
import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The part of the store contract around a hold rather than taking it: who holds a key
 * ({@code isLocked}, {@code holder}, {@code isHeld}), waiting for a release without
 * taking the key (also without a time limit), releasing everything a thread holds, and
 * handing work to another thread. Every store passes it through
 * {@link AbstractMutexStoreContractTests}, which extends it.
 *
 * @since 0.1.0
 */
public abstract class AbstractMutexStoreInspectionContractTests extends AbstractMutexStoreTestSupport {

	@Test
	void isLockedSeesHoldsOfAnyThread() throws Exception {
		assertThat(this.mutex.isLocked("k")).isFalse();
		try (HeldElsewhere holder = holdOnOtherThread("k")) {
			assertThat(this.mutex.isLocked("k")).isTrue();
		}
		assertThat(this.mutex.isLocked("k")).isFalse();
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
	void awaitReleaseWithoutLimitOfAFreeKeyReturnsTrueAtOnce() {
		assertThat(this.mutex.awaitRelease("k", ChronoUnit.FOREVER.getDuration())).isTrue();
	}

	@Test
	void awaitReleaseWithoutLimitReturnsTrueOnceTheHolderReleases() throws Exception {
		MutexLock lock = this.mutex.lock("k");
		CompletableFuture<Boolean> released = CompletableFuture
			.supplyAsync(() -> this.mutex.awaitRelease("k", ChronoUnit.FOREVER.getDuration()), this.executor);
		await().during(Duration.ofMillis(300))
			.atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(released).as("awaitRelease while 'k' is held").isNotDone());
		lock.release();
		assertThat(released.get(5, TimeUnit.SECONDS)).isTrue();
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

}
