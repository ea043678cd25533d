package dev.automutex;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.store.MutexStore;

/**
 * {@link MutexOperations#awaitRelease} for stores that cannot be told of a release: asks
 * {@link MutexStore#isLocked(String)} every 10 ms at first, backing off to every 100 ms.
 */
final class ReleasePolling {

	private ReleasePolling() {
	}

	static boolean await(MutexStore store, String key, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + Durations.nanos(timeout);
		long pause = TimeUnit.MILLISECONDS.toNanos(10);
		while (store.isLocked(key)) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				return false;
			}
			LockSupport.parkNanos(Math.min(pause, remaining));
			if (Thread.interrupted()) {
				throw new InterruptedException("Interrupted while waiting for '" + key + "' to be released");
			}
			pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(100));
		}
		return true;
	}

}
