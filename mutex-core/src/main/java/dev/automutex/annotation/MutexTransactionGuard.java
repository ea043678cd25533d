package dev.automutex.annotation;

import dev.automutex.MutexLock;
import dev.automutex.MutexLostException;

import org.springframework.transaction.TransactionExecution;
import org.springframework.transaction.TransactionExecutionListener;

/**
 * {@link TransactionExecutionListener} that rolls back a transaction whose {@link AutoMutex} key was lost while
 * it ran: just before the commit it asks the store whether the keys of the {@code @AutoMutex} calls running on
 * the thread are still held, and if one is not, throws {@link MutexLostException}, which makes the transaction
 * manager roll back. Work done without exclusion is then not committed.
 * <p>
 * The Spring Boot starter registers it with the auto-configured transaction managers. In plain Spring, add it:
 * {@code transactionManager.addListener(new MutexTransactionGuard())}. Costs one store look-up (a Redis
 * {@code GET}) per key per commit, and only inside {@code @AutoMutex} calls.
 *
 * @since 0.1.0
 */
public class MutexTransactionGuard implements TransactionExecutionListener {

	@Override
	public void beforeCommit(TransactionExecution transaction) {
		for (MutexLock lock : MutexInterceptor.activeLocks()) {
			if (!lock.isHeld()) {
				throw new MutexLostException(lock.keys(), "Mutex " + lock.keys() + " was lost before the transaction "
						+ transaction.getTransactionName() + " committed (it expired or was taken over); the "
						+ "transaction is rolled back, as its work may have overlapped with another holder's");
			}
		}
	}

}
