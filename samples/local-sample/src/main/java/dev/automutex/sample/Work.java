package dev.automutex.sample;

import java.util.concurrent.locks.LockSupport;

/**
 * Stands in for real work (a remote call, a query) in the sample.
 */
final class Work {

	private Work() {
	}

	static void simulate() {
		LockSupport.parkNanos(200_000_000L);
	}

}
