package dev.automutex.store;

/**
 * A {@link MutexStore} that issues fencing tokens: for each acquisition of a key, a
 * number greater than the token of every earlier acquisition of that key, in every
 * instance sharing the store.
 *
 * @since 0.1.0
 */
public interface FencingMutexStore extends MutexStore {

	/**
	 * The fencing token of one acquisition, issued only while the store still holds the
	 * key for it, so that a holder whose lease lapsed cannot get one larger than its
	 * successor's. The template asks once per acquisition and keeps the answer.
	 * @param held an acquisition made by this store
	 * @return the token
	 * @throws IllegalStateException if the key is no longer held for this acquisition
	 */
	long fencingToken(Held held);

}
