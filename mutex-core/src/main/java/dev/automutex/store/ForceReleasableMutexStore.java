package dev.automutex.store;

/**
 * A {@link MutexStore} that can free a key whoever holds it: an operator's way out of a
 * stuck key (a holder blocked forever, an instance that no longer renews sensibly), like
 * deleting the key by hand, but safe for the store's other data (waiters are woken, the
 * holder's later release does not free someone else's hold).
 * <p>
 * The holder is not stopped: it goes on running, and learns that it lost the key when it
 * next asks the store (a renewal, {@link Held#isHeld()}, its release).
 *
 * @since 0.1.0
 * @see dev.automutex.MutexInspection#forceRelease(Object)
 */
public interface ForceReleasableMutexStore extends MutexStore {

	/**
	 * Free the key if anyone holds it, in this process or another; the first waiter may
	 * take it at once.
	 * @param key the key text
	 * @return {@code true} if the key was held and is now free; {@code false} if nobody
	 * held it
	 */
	boolean forceRelease(String key);

}
