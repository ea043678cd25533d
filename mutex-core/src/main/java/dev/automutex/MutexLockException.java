package dev.automutex;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a key could not be had within the allowed wait (the {@code block} time), or
 * the wait was interrupted. The action guarded by the key has not run.
 *
 * @since 0.1.0
 */
public class MutexLockException extends MutexException {

	private static final long serialVersionUID = 1L;

	private final List<String> keys;

	private final Duration waited;

	/**
	 * Create an exception for keys that were not acquired.
	 * @param keys the keys that were asked for
	 * @param waited how long the caller waited before giving up
	 * @param message the message, which names the keys and the wait
	 * @param cause the underlying failure, such as an {@link InterruptedException}, if
	 * any
	 */
	public MutexLockException(List<String> keys, Duration waited, String message, @Nullable Throwable cause) {
		super(message, cause);
		this.keys = List.copyOf(keys);
		this.waited = waited;
	}

	/**
	 * Create the usual "key is busy" exception.
	 * @param keys the keys that were asked for
	 * @param busyKey the key someone else held
	 * @param block the wait that was allowed
	 * @param waited how long the caller actually waited
	 * @return the exception
	 */
	static MutexLockException busy(List<String> keys, String busyKey, Duration block, Duration waited) {
		String wait = "waited " + waited.toMillis() + " ms (block " + Durations.text(block) + ")";
		String message = (keys.size() == 1) ? "Could not acquire mutex '" + busyKey + "': held by someone else; " + wait
				: "Could not acquire mutexes " + keys + ": '" + busyKey + "' is held by someone else; " + wait
						+ "; none of them is held";
		return new MutexLockException(keys, waited, message, null);
	}

	/**
	 * The keys that were asked for and not acquired: with several keys, none of them is
	 * held.
	 * @return an unmodifiable list with at least one key
	 */
	public List<String> keys() {
		return this.keys;
	}

	/**
	 * How long the caller waited before giving up.
	 * @return the measured wait
	 */
	public Duration waited() {
		return this.waited;
	}

}
