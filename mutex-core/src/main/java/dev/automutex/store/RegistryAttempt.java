package dev.automutex.store;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.integration.support.locks.DistributedLock;

/**
 * One attempt of a {@link LockRegistryMutexStore} at a registry lock, and what an
 * interrupt during it leaves to clean up: the registry's own types for an interrupt are
 * turned back into {@link InterruptedException}, and a key the store may have taken for a
 * caller told it did not get it is given back.
 */
final class RegistryAttempt {

	private static final Logger logger = LoggerFactory.getLogger(LockRegistryMutexStore.class);

	private RegistryAttempt() {
	}

	/**
	 * Try a registry lock within {@code nanos}.
	 * @param lock the registry's lock object
	 * @param key the key, for messages
	 * @param nanos how long to wait; 0 not at all
	 * @param expire the time-to-live for a {@link DistributedLock}, or {@code null} for
	 * the registry's own
	 * @return whether the lock was taken
	 * @throws InterruptedException if interrupted; the key is not left taken
	 */
	static boolean tryLock(Lock lock, String key, long nanos, @Nullable Duration expire) throws InterruptedException {
		try {
			return tryOnce(lock, nanos, expire);
		}
		catch (InterruptedException ex) {
			releaseIfTaken(lock, key);
			throw ex;
		}
		catch (RuntimeException ex) {
			if (isInterrupt(ex)) {
				releaseIfTaken(lock, key);
			}
			throw interruptedOrSelf(ex, key);
		}
	}

	/**
	 * An interrupt can end a wait for the store's reply after the command went out: a
	 * Redis client (Lettuce) gives up on the reply, but Redis still runs the command and
	 * takes the key, for a caller told it did not get it. Nobody would release that key
	 * before its lease ends. Try the key once more without waiting, with the interrupt
	 * status cleared: a registry that owns keys per instance (Redis, JDBC) gets it back
	 * if the interrupted command took it, and it is released at once.
	 * @param lock the lock object whose acquisition was interrupted
	 * @param key the key, for the log
	 */
	private static void releaseIfTaken(Lock lock, String key) {
		boolean interrupted = Thread.interrupted();
		try {
			if (lock.tryLock()) {
				lock.unlock();
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Mutex '{}': an interrupted acquisition may have taken it in the store, and it could not be "
					+ "given back ({}); it stays taken there until its lease ends", key, ex.toString());
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private static boolean tryOnce(Lock lock, long nanos, @Nullable Duration expire) throws InterruptedException {
		// Registries count in milliseconds: round up, so that they do not give up
		// before the caller's time.
		long millis = (nanos + 999_999) / 1_000_000;
		if (expire != null && lock instanceof DistributedLock distributed) {
			return distributed.tryLock(Duration.ofMillis(millis), expire);
		}
		if (nanos == 0) {
			return lock.tryLock();
		}
		return lock.tryLock(millis, TimeUnit.MILLISECONDS);
	}

	/**
	 * RedisLockRegistry wraps an interrupt in CannotAcquireLockException: give it back
	 * its own type.
	 * @param ex the exception the registry threw
	 * @param key the key, for the message
	 * @return {@code ex} itself, if it was not caused by an interrupt
	 * @throws InterruptedException if {@code ex} was caused by an interrupt
	 */
	private static RuntimeException interruptedOrSelf(RuntimeException ex, String key) throws InterruptedException {
		if (isInterrupt(ex)) {
			Thread.currentThread().interrupt();
			InterruptedException interrupted = new InterruptedException("Interrupted while waiting for '" + key + "'");
			interrupted.initCause(ex);
			throw interrupted;
		}
		return ex;
	}

	private static boolean isInterrupt(RuntimeException ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof InterruptedException) {
				return true;
			}
		}
		return false;
	}

}
