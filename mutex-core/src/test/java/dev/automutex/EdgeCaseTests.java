package dev.automutex;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.store.LocalMutexStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Edge cases of durations on the local store: waits of "for ever"
 * ({@link ChronoUnit#FOREVER}, {@code Duration.ofSeconds(Long.MAX_VALUE)}) work as very
 * long waits, without arithmetic overflow. {@code awaitRelease} without a limit is part
 * of the store contract ({@code AbstractMutexStoreInspectionContractTests}), on every
 * store.
 */
@Timeout(30)
class EdgeCaseTests {

	private final MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());

	private final ExecutorService executor = Executors.newSingleThreadExecutor();

	@AfterEach
	void shutdown() {
		this.executor.shutdownNow();
		this.mutex.destroy();
	}

	@Test
	void interruptedWaitWithLongMaxValueSecondsBlockGivesMutexLockExceptionAndKeepsTheInterrupt() throws Exception {
		MutexLock lock = this.mutex.lock("k");
		AtomicReference<Throwable> thrown = new AtomicReference<>();
		AtomicBoolean interruptKept = new AtomicBoolean();
		Thread waiter = new Thread(() -> {
			try {
				this.mutex.lock("k", Duration.ofSeconds(Long.MAX_VALUE)).release();
			}
			catch (Throwable ex) {
				thrown.set(ex);
				interruptKept.set(Thread.currentThread().isInterrupted());
			}
		}, "waiter");
		waiter.start();
		try {
			await().atMost(Duration.ofSeconds(5))
				.until(() -> waiter.getState() == Thread.State.WAITING
						|| waiter.getState() == Thread.State.TIMED_WAITING);
			waiter.interrupt();
			waiter.join(5_000);
		}
		finally {
			lock.release();
		}
		assertThat(waiter.isAlive()).as("waiter still waiting after its interrupt").isFalse();
		assertThat(thrown.get()).isInstanceOf(MutexLockException.class);
		assertThat(interruptKept).as("interrupt status kept").isTrue();
	}

}
