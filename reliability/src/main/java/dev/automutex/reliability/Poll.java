package dev.automutex.reliability;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a condition that nothing signals (a key in Redis, a replica's offset,
 * another thread's state, a holder's loss flag): checked every 20 ms until it holds or a
 * deadline passes. The deadline is a failure detector; no scenario waits a fixed time for
 * something to happen.
 */
final class Poll {

	private static final Duration EVERY = Duration.ofMillis(20);

	private Poll() {
	}

	/**
	 * Check a condition until it holds or the timeout passes.
	 * @param timeout how long to keep checking
	 * @param condition the condition; exceptions reach the caller
	 * @return whether it held
	 */
	static boolean until(Duration timeout, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			LockSupport.parkNanos(EVERY.toNanos());
		}
		return true;
	}

}
