package dev.automutex.annotation;

import dev.automutex.MutexLock;
import dev.automutex.MutexLostException;
import dev.automutex.MutexTemplate;

import org.springframework.transaction.TransactionExecution;
import org.springframework.transaction.TransactionExecutionListener;

/**
 * {@link TransactionExecutionListener} that rolls back a transaction whose key was lost
 * while it ran: just before the commit it asks the store whether every lock the
 * committing thread holds through a {@link MutexTemplate}
 * ({@link MutexTemplate#locksOfCurrentThread()}) is still held, and if one is not, throws
 * {@link MutexLostException}, which makes the transaction manager roll back. Work done
 * without exclusion is then not committed. The locks checked are those of
 * {@link AutoMutex} methods running on the thread, those of {@code @AutoMutex} methods
 * that returned inside the transaction (their keys are kept until it completes) and those
 * taken with {@code MutexTemplate.lock} and not yet released.
 * <p>
 * The Spring Boot starter registers it with the auto-configured transaction managers. In
 * plain Spring, add it:
 * {@code transactionManager.addListener(new MutexTransactionGuard())}. Costs one store
 * look-up (a Redis {@code GET}) per held key per commit, and nothing when the thread
 * holds no lock.
 *
 * @since 0.1.0
 */
public class MutexTransactionGuard implements TransactionExecutionListener {

	@Override
	public void beforeCommit(TransactionExecution transaction) {
		for (MutexLock lock : MutexTemplate.locksOfCurrentThread()) {
			if (!lock.isHeld()) {
				throw new MutexLostException(lock.keys(),
						"Mutex " + lock.keys() + " was lost before the transaction " + transaction.getTransactionName()
								+ " committed (it expired or was taken over); the "
								+ "transaction is rolled back, as its work may have overlapped with another holder's");
			}
		}
	}

}
