package dev.automutex.store;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The guard between sweeps of a registry's cached lock objects and the threads using
 * them: every path that holds a lock object between {@code obtain()} and holding (or
 * giving up) the lock runs under the read side; a sweep takes the write side. Evicting an
 * object in use would let its thread lock it beside the holder of a fresh object for the
 * same key.
 * <p>
 * Fair, so that a sweep waiting for the write side stops new waiting passes, and gets in
 * within one of their wait slices however busy the keys are. Quick passes (a try without
 * waiting, a probe) barge in unless a sweep is running, so that a pending sweep does not
 * make them wait its turn.
 */
final class SweepGuard {

	private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);

	/**
	 * Enter as a user of lock objects.
	 * @param quick whether the pass never waits for a key (barges in unless a sweep runs)
	 * @return the read side, held; unlock it when done
	 */
	Lock enter(boolean quick) throws InterruptedException {
		Lock readSide = this.lock.readLock();
		if (!quick || !readSide.tryLock()) {
			readSide.lockInterruptibly();
		}
		return readSide;
	}

	/**
	 * Enter as a sweep, waiting up to {@code millis} for the users in their slices.
	 * @param millis how long to wait for the turn, in milliseconds
	 * @return the write side, held, or {@code null} if the sweep did not get its turn (or
	 * was interrupted)
	 */
	Lock enterSweep(long millis) {
		Lock writeSide = this.lock.writeLock();
		try {
			return writeSide.tryLock(millis, TimeUnit.MILLISECONDS) ? writeSide : null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	/**
	 * Whether a sweep waits for its turn now.
	 * @return {@code true} if a sweep is waiting
	 */
	boolean isSweepPending() {
		return this.lock.hasQueuedThreads();
	}

}
