package dev.automutex.annotation;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.automutex.MutexLock;
import dev.automutex.MutexLostException;
import dev.automutex.MutexTemplate;
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

}
