package dev.automutex.store;

import java.time.Duration;

/**
 * A {@link MutexStore} that can wait for a release without taking the key and without
 * polling (Locker's {@code wait_for_release}). The template polls
 * {@link #isLocked(String)} for stores without this ability.
 *
 * @since 0.1.0
 */
public interface AwaitableMutexStore extends MutexStore {

	/**
	 * Wait until the key is free, without taking it. Returns at once if it is free now;
	 * otherwise as soon as its holder releases it (even if someone else takes it right
	 * after).
	 * @param key the key text
	 * @param timeout how long to wait at most
	 * @return {@code true} if the key was free or was released in time
	 * @throws InterruptedException if the calling thread was interrupted while waiting
	 */
	boolean awaitRelease(String key, Duration timeout) throws InterruptedException;

}
