package dev.automutex.annotation;

import dev.automutex.MutexLock;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@link TransactionSynchronization} that releases the key of an {@link AutoMutex} call
 * made inside a caller's transaction once that transaction has completed, so that the key
 * covers the commit (or rollback) of the work done under it. The only class of the
 * annotation support that refers to spring-tx, an optional dependency: it is loaded only
 * when spring-tx is on the class path.
 * <p>
 * Transaction synchronizations run on the thread of the transaction, which is the thread
 * that took the key, as the lock requires.
 */
final class MutexReleaseSynchronization implements TransactionSynchronization {

	private final MutexLock lock;

	private MutexReleaseSynchronization(MutexLock lock) {
		this.lock = lock;
	}

	/**
	 * Whether the calling thread runs inside a transaction (or a synchronization scope)
	 * that completes later.
	 * @return {@code true} if transaction synchronization is active
	 */
	static boolean isActive() {
		return TransactionSynchronizationManager.isSynchronizationActive();
	}

	/**
	 * Release the lock when the calling thread's transaction completes, or now if
	 * synchronization is no longer active.
	 * @param lock the lock of the call that has just returned
	 */
	static void releaseAfterCompletion(MutexLock lock) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new MutexReleaseSynchronization(lock));
		}
		else {
			lock.close();
		}
	}

	@Override
	public void afterCompletion(int status) {
		this.lock.close();
	}

}
