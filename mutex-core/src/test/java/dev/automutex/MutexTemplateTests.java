package dev.automutex;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.automutex.store.LocalMutexStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What {@link MutexTemplate} does on its own, whatever the store (the store contract is
 * {@link AbstractMutexStoreContractTests}).
 */
class MutexTemplateTests {

	private final MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());

	@Test
	void handOverToAnExecutorThatDoesNotStartTheWorkGivesUpAndTheWorkNeverRuns() {
		List<Runnable> queued = new CopyOnWriteArrayList<>();
		AtomicInteger runs = new AtomicInteger();
		this.mutex.setHandoverTimeout(Duration.ofMillis(200));
		assertThatExceptionOfType(MutexLockException.class)
			.isThrownBy(() -> this.mutex.withLockAsync("video:1", queued::add, runs::incrementAndGet))
			.withMessageContaining("did not start the work")
			.withMessageContaining("will not run");
		// The executor gets round to it later: the task sees the caller gave up, and does nothing.
		assertThat(queued).hasSize(1);
		queued.get(0).run();
		assertThat(runs).hasValue(0);
		assertThat(this.mutex.isLocked("video:1")).isFalse();
	}

	@Test
	void handOverRunsOnTheCallersThreadWithADirectExecutor() throws Exception {
		// A direct executor runs the work before returning: the call still works, it just does not hand over.
		assertThat(this.mutex.withLockAsync("k", Runnable::run, () -> "done").get()).isEqualTo("done");
		assertThat(this.mutex.isLocked("k")).isFalse();
	}

}
