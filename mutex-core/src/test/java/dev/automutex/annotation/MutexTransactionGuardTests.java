package dev.automutex.annotation;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.automutex.MutexLock;
import dev.automutex.MutexLostException;
import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.MutexStore;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.TransactionExecution;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * {@link MutexTransactionGuard} checks every lock the committing thread holds through a
 * {@link MutexTemplate}, whether it came from {@link AutoMutex} or from
 * {@code MutexTemplate.lock}, and only those.
 */
class MutexTransactionGuardTests {

	private final AtomicBoolean storeLosesKeys = new AtomicBoolean();

	private final MutexTemplate mutex = new MutexTemplate(new ForgetfulStore(this.storeLosesKeys));

	private final MutexTransactionGuard guard = new MutexTransactionGuard();

	private final TransactionExecution transaction = new TransactionExecution() {

		@Override
		public String getTransactionName() {
			return "orders";
		}

	};

	@AfterEach
	void releaseLeftovers() {
		this.mutex.releaseAll();
	}

	@Test
	void lostLockTakenWithTheTemplateStopsTheCommit() {
		try (MutexLock lock = this.mutex.lock("stock")) {
			this.storeLosesKeys.set(true);
			assertThatExceptionOfType(MutexLostException.class)
				.isThrownBy(() -> this.guard.beforeCommit(this.transaction))
				.withMessageContaining("[stock] was lost before the transaction orders committed");
		}
	}

	@Test
	void heldLocksLetTheCommitProceed() {
		try (MutexLock lock = this.mutex.lock("stock")) {
			assertThatNoException().isThrownBy(() -> this.guard.beforeCommit(this.transaction));
		}
	}

	@Test
	void releasedLocksAreNotChecked() {
		this.mutex.lock("stock");
		this.mutex.releaseAll();
		this.storeLosesKeys.set(true);
		assertThatNoException().isThrownBy(() -> this.guard.beforeCommit(this.transaction));
	}

	/** A local store that, once told to, says it holds none of the keys it handed out. */
	static final class ForgetfulStore implements MutexStore {

		private final LocalMutexStore local = new LocalMutexStore();

		private final AtomicBoolean losesKeys;

		ForgetfulStore(AtomicBoolean losesKeys) {
			this.losesKeys = losesKeys;
		}

		@Override
		public @Nullable Held tryAcquire(String key, Duration wait) throws InterruptedException {
			Held held = this.local.tryAcquire(key, wait);
			return (held != null) ? new Held() {

				@Override
				public String key() {
					return key;
				}

				@Override
				public boolean release() {
					return held.release();
				}

				@Override
				public boolean isHeld() {
					return !ForgetfulStore.this.losesKeys.get() && held.isHeld();
				}

			} : null;
		}

		@Override
		public boolean isLocked(String key) {
			return this.local.isLocked(key);
		}

	}

}
