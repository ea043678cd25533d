package dev.automutex;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Duration arithmetic that cannot overflow: waits and leases may be as long as
 * {@code ChronoUnit.FOREVER.getDuration()}.
 */
final class Durations {

	/**
	 * About 146 years: as good as forever, and far from overflowing
	 * {@code System.nanoTime()} sums.
	 */
	private static final long MAX_NANOS = Long.MAX_VALUE / 2;

	private Durations() {
	}

	/**
	 * The duration in nanoseconds, at most {@link #MAX_NANOS}, so that
	 * {@code System.nanoTime() + nanos} is safe.
	 * @param duration the duration, or {@code null} for none
	 * @return the duration in nanoseconds, {@code 0} for {@code null}
	 */
	static long nanos(@Nullable Duration duration) {
		if (duration == null) {
			return 0;
		}
		return (duration.getSeconds() >= MAX_NANOS / 1_000_000_000L) ? MAX_NANOS : duration.toNanos();
	}

	/**
	 * The time-to-live a store is asked for: at most about 146 years, which stores with
	 * leases can keep (Redis keeps an expiry as milliseconds since 1970 in a long, so
	 * {@code Duration.ofMillis(Long.MAX_VALUE)} would overflow there).
	 * @param ttl the time-to-live asked for
	 * @return the same, or about 146 years if longer
	 */
	static Duration lease(Duration ttl) {
		return (nanos(ttl) >= MAX_NANOS) ? Duration.ofNanos(MAX_NANOS) : ttl;
	}

	/**
	 * The duration for messages: milliseconds, or "without limit" for waits that are as
	 * good as forever.
	 * @param duration the duration
	 * @return the text for messages
	 */
	static String text(Duration duration) {
		return (nanos(duration) >= MAX_NANOS) ? "without limit" : (nanos(duration) / 1_000_000) + " ms";
	}

}
