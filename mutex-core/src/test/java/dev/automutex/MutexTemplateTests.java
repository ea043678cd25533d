package dev.automutex;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.automutex.store.LocalMutexStore;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

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
		// The executor gets round to it later: the task sees the caller gave up, and
		// does nothing.
		assertThat(queued).hasSize(1);
		queued.get(0).run();
		assertThat(runs).hasValue(0);
		assertThat(this.mutex.isLocked("video:1")).isFalse();
	}

	@Test
	void handOverRunsOnTheCallersThreadWithADirectExecutor() throws Exception {
		// A direct executor runs the work before returning: the call still works, it
		// just does not hand over.
		assertThat(this.mutex.withLockAsync("k", Runnable::run, () -> "done").get()).isEqualTo("done");
		assertThat(this.mutex.isLocked("k")).isFalse();
	}

	/**
	 * Review finding: an application shutting down while a key was being granted left the
	 * key held in the store, although the error said that no key is held.
	 */
	@Test
	void destroyedWhileAKeyIsGrantedGivesTheKeyBack() {
		MutexTemplate[] template = new MutexTemplate[1];
		FakeLeaseStore store = new FakeLeaseStore() {

			@Override
			public @Nullable Held tryAcquire(String key, Duration wait, Duration expire) {
				Held held = super.tryAcquire(key, wait, expire);
				template[0].destroy(); // the shutdown comes while this acquisition is
										// under way
				return held;
			}

		};
		template[0] = new MutexTemplate(store);
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> template[0].lock("k"));
		assertThat(store.isLive("k")).as("given back to the store").isFalse();
	}

	/**
	 * Review finding: a store that could not be reached at release time was reported as a
	 * lost key, and {@code withLock} withheld a result computed under a live lease.
	 */
	@Test
	void storeUnreachableAtReleaseIsNotALoss() {
		FakeLeaseStore store = new FakeLeaseStore() {

			@Override
			public @Nullable Held tryAcquire(String key, Duration wait, Duration expire) {
				Held held = super.tryAcquire(key, wait, expire);
				return (held != null) ? new Held() {

					@Override
					public String key() {
						return held.key();
					}

					@Override
					public boolean release() {
						throw new IllegalStateException("Connection reset (simulated)");
					}

					@Override
					public boolean isHeld() {
						return held.isHeld();
					}

				} : null;
			}

		};
		MutexTemplate mutex = new MutexTemplate(store);
		List<MutexLostException> lost = new CopyOnWriteArrayList<>();
		mutex.setLossListener(lost::add);
		try {
			assertThat(mutex.withLock("k", () -> "result")).isEqualTo("result");
			assertThat(lost).isEmpty();
		}
		finally {
			mutex.destroy();
		}
	}

}
