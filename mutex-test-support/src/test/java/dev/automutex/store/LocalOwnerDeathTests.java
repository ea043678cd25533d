package dev.automutex.store;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Owner death on the local store (Elixir Mutex frees the keys of a crashed process): a
 * key whose owner thread ended without releasing it is free for the next caller without
 * waiting for any time-out.
 */
@Timeout(30)
class LocalOwnerDeathTests {

	private final LocalMutexStore store = new LocalMutexStore();

	private final MutexTemplate mutex = new MutexTemplate(this.store);

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void shutdown() {
		this.executor.shutdownNow();
	}

	@Test
	void keyOfAThreadThatEndedIsFreeAtOnce() throws Exception {
		holdAndDie("k");
		assertThat(this.mutex.isLocked("k")).isFalse();
		assertThat(this.mutex.holder("k")).isEmpty();
		MutexLock mine = this.mutex.lock("k", Duration.ZERO);
		assertThat(this.mutex.holder("k"))
			.hasValueSatisfying((holder) -> assertThat(holder.thread()).isEqualTo(Thread.currentThread().getName()));
		assertThat(mine.release()).isTrue();
		assertThat(this.mutex.isLocked("k")).isFalse();
	}

	@Test
	void waiterParkedBeforeTheOwnerDiesTakesTheKeyWithoutWaitingOutItsBlock() throws Exception {
		DoomedOwner owner = holdUntilDeath("k");
		AtomicReference<Thread> waiterThread = new AtomicReference<>();
		Future<Boolean> waiter = this.executor.submit(() -> {
			waiterThread.set(Thread.currentThread());
			try (MutexLock lock = this.mutex.lock("k", Duration.ofSeconds(20))) {
				return this.mutex.isLocked("k");
			}
		});
		await().until(() -> waiterThread.get() != null && waiterThread.get().getState() == Thread.State.TIMED_WAITING);
		owner.die();
		// Within the liveness check (50 ms), far sooner than the 20 s block.
		assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void awaitReleaseReturnsWhenTheOwnerDies() throws Exception {
		DoomedOwner owner = holdUntilDeath("k");
		Future<Boolean> waiter = this.executor.submit(() -> this.mutex.awaitRelease("k", Duration.ofSeconds(20)));
		owner.die();
		assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void sweepFreesKeysAbandonedByDeadThreadsAndKeepsHeldOnes() throws Exception {
		holdAndDie("a");
		holdAndDie("b");
		MutexLock mine = this.mutex.lock("c");
		assertThat(this.store.getRegistry().size()).isEqualTo(3);
		assertThat(this.mutex.sweep()).isEqualTo(2);
		assertThat(this.store.getRegistry().size()).isOne();
		assertThat(this.mutex.isLocked("c")).isTrue();
		assertThat(mine.release()).isTrue();
		assertThat(this.mutex.sweep()).as("the idle entry of c").isOne();
		assertThat(this.store.getRegistry().size()).isZero();
		assertThat(this.mutex.sweep()).isZero();
	}

	/**
	 * Start a thread that takes the key and, when told to die, ends without releasing it.
	 */
	private DoomedOwner holdUntilDeath(String key) throws InterruptedException {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch die = new CountDownLatch(1);
		Thread owner = new Thread(() -> {
			this.mutex.lock(key);
			held.countDown();
			awaitQuietly(die);
		}, "doomed-owner");
		owner.start();
		held.await();
		return new DoomedOwner(owner, die);
	}

	private void holdAndDie(String key) throws InterruptedException {
		Thread thread = new Thread(() -> this.mutex.lock(key), "dies-holding-" + key);
		thread.start();
		thread.join();
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private record DoomedOwner(Thread thread, CountDownLatch dieSignal) {

		void die() throws InterruptedException {
			this.dieSignal.countDown();
			this.thread.join();
		}

	}

}
