package dev.automutex;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.integration.support.locks.RenewableLockRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A clean release never reports a loss, and a holder's renewal and loss callbacks end
 * with its hold, whatever the order in which the release and the next holder's
 * acquisition complete. The store here is an in-JVM registry with renewable locks whose
 * {@code unlock()} returns some time after it has freed the key, as a release whose reply
 * is slow to come back does: a renewal, or the next holder, can come in between.
 */
@Timeout(30)
class CleanReleaseOrderingTests {

	/**
	 * Renewal every 100 ms. Short enough that renewals fall inside a slow release; long
	 * enough that a renewal thread kept off the CPU for a few tens of ms by a loaded
	 * machine does not end the lease (with 30 ms the first hold was lost under load).
	 */
	private static final Duration EXPIRE = Duration.ofMillis(300);

	private final SlowReleaseRegistry registry = new SlowReleaseRegistry();

	private final MutexTemplate mutex = new MutexTemplate(this.registry);

	private final List<MutexLostException> reported = new CopyOnWriteArrayList<>();

	private final List<String> callbacksRun = new CopyOnWriteArrayList<>();

	private final ExecutorService successor = Executors.newSingleThreadExecutor();

	@BeforeEach
	void configure() {
		this.mutex.setDefaultExpire(EXPIRE);
		this.mutex.setLossListener(this.reported::add);
	}

	@AfterEach
	void shutdown() {
		this.successor.shutdownNow();
		this.mutex.destroy();
	}

	@Test
	void renewalDueWhileTheStoreIsStillReleasingReportsNoLoss() {
		for (int i = 0; i < 3; i++) {
			MutexLock lock = this.mutex.lock("k", Duration.ZERO);
			int hold = i;
			CountDownLatch reportedNow = new CountDownLatch(1);
			this.mutex.setLossListener((ex) -> {
				this.reported.add(ex);
				reportedNow.countDown();
			});
			lock.onLost(() -> this.callbacksRun.add("hold " + hold));
			// The store frees the key, and its unlock returns only after the next
			// renewal call (or 1 s) and, if that renewal reports a loss, after the
			// report (or another 200 ms).
			this.registry.afterNextFree(() -> {
				if (this.registry.awaitNextRenewal()) {
					awaitQuietly(reportedNow, 200);
				}
			});
			assertThat(lock.release()).as("release %d", i).isTrue();
		}
		assertThat(this.callbacksRun).as("onLost callbacks run").isEmpty();
		assertThat(this.reported).as("losses reported to the loss listener").isEmpty();
	}

	/**
	 * Uses {@code lock(key, block, expire, Boolean.FALSE)}: the defect needs a successor
	 * that does not renew.
	 */
	@Test
	void renewalOfAHolderEndsWithItsReleaseWhenTheNextHolderDoesNotRenew() throws Exception {
		CountDownLatch releaseSuccessor = new CountDownLatch(1);
		CompletableFuture<Boolean> successorReleased = handOverToSuccessor(false, releaseSuccessor);
		try {
			int renewals = this.registry.renewals("k");
			await().during(Duration.ofMillis(400))
				.atMost(Duration.ofSeconds(2))
				.untilAsserted(() -> assertThat(this.registry.renewals("k"))
					.as("renewals of 'k' while its successor, which does not renew, holds it")
					.isEqualTo(renewals));
		}
		finally {
			releaseSuccessor.countDown();
		}
		assertThat(successorReleased.get(5, TimeUnit.SECONDS)).isTrue();
	}

	/**
	 * Uses {@code lock(key, block, expire, Boolean.FALSE)}: the defect needs a successor
	 * that does not renew.
	 */
	@Test
	void noLossIsReportedAfterTheNextHolderThatDoesNotRenewReleases() throws Exception {
		CountDownLatch releaseSuccessor = new CountDownLatch(1);
		CompletableFuture<Boolean> successorReleased = handOverToSuccessor(false, releaseSuccessor);
		releaseSuccessor.countDown();
		assertThat(successorReleased.get(5, TimeUnit.SECONDS)).isTrue();
		await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
			assertThat(this.callbacksRun).as("onLost callbacks run").isEmpty();
			assertThat(this.reported).as("losses reported to the loss listener").isEmpty();
		});
	}

	@Test
	void callbacksOfAnEarlierHoldDoNotRunWhenALaterHoldOfTheSameThreadIsLost() throws Exception {
		CountDownLatch releaseSuccessor = new CountDownLatch(1);
		CompletableFuture<Boolean> successorReleased = handOverToSuccessor(true, releaseSuccessor);
		releaseSuccessor.countDown();
		assertThat(successorReleased.get(5, TimeUnit.SECONDS)).isTrue();

		MutexLock later = this.mutex.lock("k", Duration.ZERO);
		try {
			later.onLost(() -> this.callbacksRun.add("later hold"));
			this.registry.lose("k");
			await().atMost(Duration.ofSeconds(2)).until(() -> this.callbacksRun.contains("later hold"));
		}
		finally {
			later.release();
		}
		assertThat(this.callbacksRun).as("onLost callbacks run").containsExactly("later hold");
	}

	/**
	 * This thread holds 'k' with renewal and a loss callback, and releases it once the
	 * successor (another thread) waits for 'k'; the store frees the key, and its unlock
	 * returns only once the successor holds 'k' (or after 1 s), so that the successor's
	 * hold can begin before this thread's release has ended.
	 * @return the successor's release, which happens once {@code releaseSuccessor} opens
	 */
	private CompletableFuture<Boolean> handOverToSuccessor(boolean successorRenews, CountDownLatch releaseSuccessor)
			throws Exception {
		MutexLock first = this.mutex.lock("k", Duration.ZERO);
		first.onLost(() -> this.callbacksRun.add("first hold"));
		CountDownLatch successorHolds = new CountDownLatch(1);
		AtomicReference<Thread> successorThread = new AtomicReference<>();
		CompletableFuture<Boolean> successorReleased = CompletableFuture.supplyAsync(() -> {
			successorThread.set(Thread.currentThread());
			MutexLock next = this.mutex.lock("k", Duration.ofSeconds(5), EXPIRE,
					successorRenews ? Boolean.TRUE : Boolean.FALSE);
			successorHolds.countDown();
			awaitQuietly(releaseSuccessor, 10_000);
			return next.release();
		}, this.successor);
		await().atMost(Duration.ofSeconds(5)).until(() -> isWaiting(successorThread.get()));
		// An engine that lets the successor in only after this release has ended makes
		// the store wait in vain.
		this.registry.afterNextFree(() -> awaitQuietly(successorHolds, 1_000));
		assertThat(first.release()).as("release of the first hold").isTrue();
		assertThat(successorHolds.await(5, TimeUnit.SECONDS)).as("successor holds 'k'").isTrue();
		return successorReleased;
	}

	private static boolean isWaiting(Thread thread) {
		return thread != null
				&& (thread.getState() == Thread.State.WAITING || thread.getState() == Thread.State.TIMED_WAITING);
	}

	private static void awaitQuietly(CountDownLatch latch, long millis) {
		try {
			latch.await(millis, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * In-JVM registry with renewable locks (one re-entrant lock per key). Renewing a key
	 * nobody holds, or one marked lost, fails as RedisLockRegistry's renewal does.
	 * {@link #afterNextFree(Runnable)} runs once inside the next {@code unlock()} that
	 * frees a key, after it is free: the unlock returns after it.
	 */
	static final class SlowReleaseRegistry implements RenewableLockRegistry<Lock> {

		private static final Runnable NOTHING = () -> {
		};

		private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

		private final Map<String, AtomicInteger> renewals = new ConcurrentHashMap<>();

		private final Set<String> lost = ConcurrentHashMap.newKeySet();

		private final AtomicReference<Runnable> afterFree = new AtomicReference<>(NOTHING);

		private volatile CountDownLatch renewed = new CountDownLatch(1);

		@Override
		public Lock obtain(Object lockKey) {
			String key = (String) lockKey;
			return new SlowReleaseLock(key, this.locks.computeIfAbsent(key, (k) -> new ReentrantLock()));
		}

		@Override
		public void renewLock(Object lockKey) {
			renewLock(lockKey, EXPIRE);
		}

		@Override
		public void renewLock(Object lockKey, Duration ttl) {
			String key = (String) lockKey;
			this.renewals.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet();
			this.renewed.countDown();
			ReentrantLock lock = this.locks.get(key);
			if (lock == null || !lock.isLocked() || this.lost.contains(key)) {
				throw new IllegalStateException("Could not renew mutex '" + key + "': it is not held");
			}
		}

		int renewals(String key) {
			AtomicInteger count = this.renewals.get(key);
			return (count != null) ? count.get() : 0;
		}

		void afterNextFree(Runnable action) {
			this.afterFree.set(action);
		}

		/** Wait for the next renewal call, at most 1 s; whether it came. */
		boolean awaitNextRenewal() {
			CountDownLatch next = new CountDownLatch(1);
			this.renewed = next;
			awaitQuietly(next, 1_000);
			return next.getCount() == 0;
		}

		/**
		 * The store no longer holds the key for its holder: renewing it fails until it is
		 * freed.
		 */
		void lose(String key) {
			this.lost.add(key);
		}

		private final class SlowReleaseLock implements Lock {

			private final String key;

			private final ReentrantLock delegate;

			SlowReleaseLock(String key, ReentrantLock delegate) {
				this.key = key;
				this.delegate = delegate;
			}

			@Override
			public void lock() {
				this.delegate.lock();
			}

			@Override
			public void lockInterruptibly() throws InterruptedException {
				this.delegate.lockInterruptibly();
			}

			@Override
			public boolean tryLock() {
				return this.delegate.tryLock();
			}

			@Override
			public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
				return this.delegate.tryLock(time, unit);
			}

			@Override
			public void unlock() {
				this.delegate.unlock();
				if (!this.delegate.isHeldByCurrentThread()) {
					SlowReleaseRegistry.this.lost.remove(this.key);
					SlowReleaseRegistry.this.afterFree.getAndSet(NOTHING).run();
				}
			}

			@Override
			public Condition newCondition() {
				return this.delegate.newCondition();
			}

		}

	}

}
