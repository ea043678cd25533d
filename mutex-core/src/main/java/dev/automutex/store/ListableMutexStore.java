package dev.automutex.store;

import java.util.List;

/**
 * A shared {@link MutexStore} that can list the keys held in it by every instance, such
 * as Redis (with {@code SCAN}, never {@code KEYS}). For display and monitoring: the list
 * is a snapshot, possibly incomplete while keys come and go.
 *
 * @since 0.1.0
 */
public interface ListableMutexStore extends MutexStore {

	/**
	 * The keys held now by any instance, up to {@code limit}, in no particular order.
	 * @param limit how many keys to return at most, at least 1
	 * @return the held keys
	 */
	List<StoredHold> heldKeys(int limit);

}
