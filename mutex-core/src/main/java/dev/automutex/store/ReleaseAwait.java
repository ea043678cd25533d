package dev.automutex.store;

import java.util.concurrent.TimeUnit;

/**
 * Locker's {@code wait_for_release} on one {@link KeyEntry}: waits until the key becomes
 * free at least once, counting from now, without taking it. A release is seen through the
 * generation in the entry's state, so that one followed at once by another acquisition is
 * not missed. The releasing thread wakes counted waiters through the entry's monitor; a
 * waiter counted too late for that still looks every
 * {@value LocalLockRegistry#LIVENESS_CHECK_MILLIS} ms, which is also how a dead owner is
 * noticed.
 */
final class ReleaseAwait {

	private static final long LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(LocalLockRegistry.LIVENESS_CHECK_MILLIS);

	private ReleaseAwait() {
	}

	/**
	 * Wait for the key of an entry to become free.
	 * @param entry the key's entry
	 * @param nanos how long to wait, {@link Long#MAX_VALUE} for without limit
	 * @return {@code true} if the key became free, {@code false} on time-out
	 * @throws InterruptedException if the waiting thread was interrupted
	 */
	static boolean await(KeyEntry entry, long nanos) throws InterruptedException {
		long seen = entry.state();
		if (!entry.isHeldByLiveThread(seen)) {
			return true;
		}
		long generation = seen >>> 32;
		long deadline = System.nanoTime() + nanos;
		entry.countReleaseWaiter(1);
		try {
			synchronized (entry) {
				while (true) {
					long state = entry.state();
					if (!entry.isHeldByLiveThread(state) || (state >>> 32) != generation) {
						return true;
					}
					long remaining = deadline - System.nanoTime();
					if (nanos != Long.MAX_VALUE && remaining <= 0) {
						return false;
					}
					TimeUnit.NANOSECONDS.timedWait(entry,
							(nanos == Long.MAX_VALUE) ? LOOK_NANOS : Math.min(remaining, LOOK_NANOS));
				}
			}
		}
		finally {
			entry.countReleaseWaiter(-1);
		}
	}

}
