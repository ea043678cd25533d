package dev.automutex.store;

/**
 * A {@link MutexStore} that keeps entries for keys nobody holds (cached lock objects,
 * keys abandoned by threads that ended) and removes them on request, like redis-mutex's
 * {@code sweep}.
 *
 * @since 0.1.0
 */
public interface SweepableMutexStore extends MutexStore {

	/**
	 * Remove what the store keeps for keys nobody holds. Never touches a held key or a
	 * lock object that a thread is using, and makes progress while other threads keep
	 * acquiring.
	 * @return how many entries were removed
	 */
	int sweep();

}
