package dev.automutex;

import java.util.List;

/**
 * Thrown when a key was lost while its holder still relied on it: it expired in the store
 * (a pause longer than {@code expire}, or renewal off) or the store dropped it, and
 * another holder may have taken it. Thrown by {@link MutexLock#fencingToken()} for a lock
 * that is no longer held, and by an {@code @AutoMutex} method whose key was lost while it
 * ran (its work may have overlapped with another holder's).
 *
 * @since 0.1.0
 */
public class MutexLostException extends MutexException {

	private static final long serialVersionUID = 1L;

	private final List<String> keys;

	/**
	 * Create an exception.
	 * @param keys the keys that were lost
	 * @param message what was lost and what it means
	 */
	public MutexLostException(List<String> keys, String message) {
		super(message);
		this.keys = List.copyOf(keys);
	}

	/**
	 * The keys that were lost.
	 * @return an unmodifiable list
	 */
	public List<String> keys() {
		return this.keys;
	}

}
